"""İYS (Turkey's consent registry): export in batches, download a batch again, confirm or
discard its upload, and the records whose 3-business-day limit is near."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from plugin.admin_api.context import Info
from plugin.admin_api.errors import AdminError, admin_errors, int_id, not_found
from plugin.admin_api.permissions import Allowed
from plugin.consent import iys
from plugin.consent.models import IysBatch as IysBatchRow
from plugin.errors import FieldError

NO_BATCH = ("No such İYS batch.", "Böyle bir İYS partisi yok.")
_REFUSED = {
    "discarded": (
        "This batch was discarded: export again for a new batch.",
        "Bu parti iptal edildi: yeni bir parti için yeniden dışa aktarın.",
    ),
    "confirmed": (
        "This batch is already confirmed as uploaded to İYS.",
        "Bu partinin İYS'ye yüklendiği zaten onaylandı.",
    ),
}


@strawberry.type(description="One consent record in İYS's format.")
class IysRecord:
    recipient: str
    type: str
    source: str
    status: str = strawberry.field(description="ONAY or RET.")
    consent_date: str = strawberry.field(description="Istanbul time, YYYY-MM-DD HH:MM:SS.")
    recipient_type: str

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> IysRecord:
        return cls(
            recipient=r["recipient"],
            type=r["type"],
            source=r["source"],
            status=r["status"],
            consent_date=r["consentDate"],
            recipient_type=r["recipientType"],
        )


@strawberry.type(
    description="One İYS export. Open until the merchant confirms the upload (its records "
    "are then registered) or discards it (its records go to the next export)."
)
class IysBatch:
    id: strawberry.ID
    status: str = strawberry.field(description="open, confirmed or discarded.")
    record_count: int
    created_at: datetime
    created_by: str | None
    closed_at: datetime | None = strawberry.field(description="When confirmed or discarded.")
    closed_by: str | None

    @classmethod
    def from_row(cls, row: IysBatchRow) -> IysBatch:
        return cls(
            id=strawberry.ID(str(row.id)),
            status=str(row.status),
            record_count=row.record_count,
            created_at=row.created_at,
            created_by=row.created_by,
            closed_at=row.closed_at,
            closed_by=row.closed_by,
        )

    def _records(self, info: Info) -> list[dict[str, Any]]:
        row = info.context.get_owned(IysBatchRow, int_id(self.id))
        return iys.batch_records(info.context.session, row) if row is not None else []

    @strawberry.field(description="The batch's records (the same on every download).")
    def records(self, info: Info) -> list[IysRecord]:
        return [IysRecord.from_record(r) for r in self._records(info)]

    @strawberry.field(description="The records as CSV with a header row (İYS's field names).")
    def csv(self, info: Info) -> str:
        return iys.batch_csv(self._records(info))

    @strawberry.field(description="The records as a JSON list in İYS's format.")
    def json(self, info: Info) -> JSON:
        return JSON(self._records(info))


@strawberry.type
class IysExportPayload:
    batch: IysBatch | None = strawberry.field(
        default=None, description="Null when nothing waits to be exported."
    )
    records: list[IysRecord] = strawberry.field(default_factory=list)
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type
class IysBatchPayload:
    batch: IysBatch | None = None
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type(description="A record not registered in İYS whose deadline is near or past.")
class IysAlert:
    event_id: strawberry.ID
    recipient: str
    status: str
    deadline: datetime
    overdue: bool


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=[Allowed],
        description="Consent records not yet registered in İYS (an unconfirmed batch's too) "
        "whose 3-business-day limit is within a day or past.",
    )
    def iys_alerts(self, info: Info) -> list[IysAlert]:
        ctx = info.context
        return [
            IysAlert(
                event_id=strawberry.ID(str(a.event_id)),
                recipient=a.recipient,
                status=a.status,
                deadline=a.deadline,
                overdue=a.overdue,
            )
            for a in iys.nearing_limit(ctx.session, store_id=ctx.store_id)
        ]

    @strawberry.field(permission_classes=[Allowed], description="The İYS batches, newest first.")
    def iys_batches(self, info: Info, limit: int = 50) -> list[IysBatch]:
        ctx = info.context
        rows = iys.list_batches(ctx.session, store_id=ctx.store_id, limit=max(1, min(limit, 200)))
        return [IysBatch.from_row(row) for row in rows]

    @strawberry.field(
        permission_classes=[Allowed],
        description="One batch, to download again (records, csv or json); null if unknown.",
    )
    def iys_batch(self, info: Info, id: strawberry.ID) -> IysBatch | None:
        row = info.context.get_owned(IysBatchRow, int_id(id))
        return IysBatch.from_row(row) if row is not None else None


def _close(info: Info, id: strawberry.ID, step: Any) -> IysBatchPayload:
    ctx = info.context
    row = ctx.get_owned(IysBatchRow, int_id(id))
    if row is None:
        return IysBatchPayload(errors=not_found("id", *NO_BATCH))
    try:
        step(ctx.session, row, staff=ctx.claims.get("user_id"))
    except iys.IysBatchError as exc:
        en, tr = _REFUSED[str(exc)]
        return IysBatchPayload(
            errors=admin_errors([FieldError("id", "INVALID_TRANSITION", en, tr)])
        )
    return IysBatchPayload(batch=IysBatch.from_row(row))


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[Allowed],
        description="A new batch of the marketing grants and revocations of Turkish numbers "
        "neither registered nor in an open batch, in İYS's format. Nothing is registered until "
        "`confirmIysBatch`; a lost response is downloaded again with `iysBatch(id)` or "
        "`iysBatches`.",
    )
    def iys_export(self, info: Info) -> IysExportPayload:
        ctx = info.context
        row = iys.create_batch(ctx.session, store_id=ctx.store_id, staff=ctx.claims.get("user_id"))
        if row is None:
            return IysExportPayload()
        records = iys.batch_records(ctx.session, row)
        return IysExportPayload(
            batch=IysBatch.from_row(row), records=[IysRecord.from_record(r) for r in records]
        )

    @strawberry.mutation(
        permission_classes=[Allowed],
        description="The batch was uploaded to İYS: its records are registered (again: no "
        "change; a discarded batch: INVALID_TRANSITION).",
    )
    def confirm_iys_batch(self, info: Info, id: strawberry.ID) -> IysBatchPayload:
        return _close(info, id, iys.confirm_batch)

    @strawberry.mutation(
        permission_classes=[Allowed],
        description="The batch will not be uploaded: its records go to the next export (a "
        "confirmed batch: INVALID_TRANSITION).",
    )
    def discard_iys_batch(self, info: Info, id: strawberry.ID) -> IysBatchPayload:
        return _close(info, id, iys.discard_batch)
