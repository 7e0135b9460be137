"""Recent webhook deliveries and what became of them (for operators)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from sqlmodel import select

from plugin.admin_api.context import Info
from plugin.admin_api.pagination import DESC, Connection, paginate
from plugin.admin_api.permissions import Allowed
from plugin.inbox.models import InboxEvent as InboxRow


@strawberry.enum
class InboxStatus(Enum):
    PENDING = "pending"
    PROCESSED = "processed"
    IGNORED = "ignored"
    UNHANDLED = "unhandled"
    FAILED = "failed"
    INVALID = "invalid"


@strawberry.type(description="One recorded webhook delivery (the body is not exposed).")
class InboxEvent:
    id: strawberry.ID
    source: str
    event: str
    status: InboxStatus
    attempts: int
    error: str | None
    received_at: datetime
    processed_at: datetime | None

    @classmethod
    def from_row(cls, row: InboxRow) -> InboxEvent:
        return cls(
            id=strawberry.ID(str(row.id)),
            source=str(row.source),
            event=row.event,
            status=InboxStatus(str(row.status)),
            attempts=row.attempts,
            error=row.error,
            received_at=row.received_at,
            processed_at=row.processed_at,
        )


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[Allowed], description="Newest first.")
    def inbox_events(
        self,
        info: Info,
        status: InboxStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[InboxEvent]:
        ctx = info.context
        stmt = ctx.scoped(select(InboxRow))
        if status is not None:
            stmt = stmt.where(InboxRow.status == status.value)
        return paginate(
            ctx,
            stmt,
            order=[(InboxRow.received_at, DESC), (InboxRow.id, DESC)],
            node=InboxEvent.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
        )
