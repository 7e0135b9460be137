"""The replies inbox: customers who wrote in the last 24 hours (their service window is open,
so a free-text answer is allowed), unanswered first. Each thread opens with `conversation`
and is answered with `sendSupportReply` (domains/contacts.py); the query is delivery's
(plugin/delivery/conversation.py), the window contacts' (plugin/contacts/service.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from plugin import clock
from plugin.admin_api.context import Info
from plugin.admin_api.domains.contacts import Contact
from plugin.admin_api.permissions import Allowed
from plugin.contacts.service import SERVICE_WINDOW
from plugin.delivery.conversation import reply_inbox_counts, reply_inbox_query

MAX_THREADS = 200


@strawberry.type(description="A customer who wrote in the last 24 hours, with their last message.")
class ReplyThread:
    contact: Contact
    last_message_at: datetime
    last_message_text: str | None = strawberry.field(description="Null for media or a button.")
    last_message_type: str | None = strawberry.field(description="text, button, image, ...")
    button_payload: str | None
    answered: bool = strawberry.field(
        description="A service reply (yours or an automatic confirmation) followed it."
    )

    @classmethod
    def from_row(cls, row: Any) -> ReplyThread:
        contact = row[0]
        return cls(
            contact=Contact.from_row(contact),
            last_message_at=contact.last_inbound_at,
            last_message_text=row.text,
            last_message_type=row.message_type,
            button_payload=row.button_payload,
            answered=bool(row.answered),
        )


@strawberry.type
class ReplyInbox:
    threads: list[ReplyThread] = strawberry.field(description="Unanswered first, then newest.")
    total: int = strawberry.field(description="Customers whose service window is open.")
    unanswered: int


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=[Allowed],
        description="Customers who wrote in the last 24 hours (the service window), this "
        "store's only; `first` at most 200.",
    )
    def reply_inbox(self, info: Info, first: int = 50) -> ReplyInbox:
        ctx = info.context
        since = clock.now() - SERVICE_WINDOW
        stmt = reply_inbox_query(store_id=ctx.store_id, since=since)
        counts = reply_inbox_counts(store_id=ctx.store_id, since=since)
        total, unanswered = ctx.session.execute(counts).one()
        found = ctx.session.execute(stmt.limit(max(1, min(first, MAX_THREADS))))
        return ReplyInbox(
            threads=[ReplyThread.from_row(r) for r in found],
            total=int(total),
            unanswered=int(unanswered),
        )
