"""Contacts: search, the profile with its consent and timeline, the conversation, and the
customer-support reply inside the 24-hour service window."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from plugin.admin_api.context import Info
from plugin.admin_api.errors import AdminError, admin_errors, int_id, not_found
from plugin.admin_api.pagination import DESC, Connection, paginate
from plugin.admin_api.permissions import Allowed
from plugin.admin_api.reasons import ReasonText, reason_text
from plugin.consent import models as consent_models
from plugin.consent import service as consent_service
from plugin.consent import state as consent_state
from plugin.consent.models import ConsentEvent as ConsentEventRow
from plugin.consent.models import Purpose
from plugin.contacts import models as contact_models
from plugin.contacts import service as contacts_service
from plugin.contacts.models import Contact as ContactRow
from plugin.delivery import models as delivery_models
from plugin.delivery.conversation import conversation_query
from plugin.delivery.models import OutboundMessage
from plugin.errors import InvalidInput
from plugin.flows import consent_messages as outbox
from plugin.templates.sent import SentTexts

NO_CONTACT = ("No such contact.", "Böyle bir kişi yok.")


# GraphQL enums are the domain's own (names as in the domain, values as stored):
# strawberry.enum marks the class itself, so the aliases are the classes and mypy sees types.
ConsentPurpose = Purpose
ConsentAction = consent_models.ConsentAction
ConsentSource = consent_models.ConsentSource
PhoneStatus = contact_models.PhoneStatus
MessageStatus = delivery_models.MessageStatus
MessageKind = delivery_models.MessageKind
strawberry.enum(ConsentPurpose, name="ConsentPurpose")
strawberry.enum(ConsentAction, name="ConsentAction")
strawberry.enum(ConsentSource, name="ConsentSource")
strawberry.enum(PhoneStatus, name="PhoneStatus")
strawberry.enum(MessageStatus, name="MessageStatus")
strawberry.enum(MessageKind, name="MessageKind")


@strawberry.enum
class MessageDirection(Enum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


NEWEST_FIRST = [(ContactRow.created_at, DESC), (ContactRow.id, DESC)]  # every contact list


@strawberry.type(description="An amount in one currency (a decimal as text, exact).")
class Money:
    currency: str
    amount: str


@strawberry.type(
    description="The effective consent for one purpose, by the one read model (the latest "
    "fact wins; at equal instants a revocation wins; a vouched grant after the customer's own "
    "opt-out reads requested)."
)
class ConsentState:
    purpose: ConsentPurpose
    granted: bool
    action: ConsentAction | None = strawberry.field(description="Null: no fact recorded.")
    at: datetime | None
    source: ConsentSource | None


@strawberry.type(description="One fact of the consent ledger (append-only).")
class ConsentEvent:
    id: strawberry.ID
    contact_id: strawberry.ID
    purpose: ConsentPurpose
    action: ConsentAction
    source: ConsentSource
    occurred_at: datetime
    recorded_at: datetime
    text_version: str | None
    text_hash: str | None
    evidence: JSON

    @classmethod
    def from_row(cls, row: ConsentEventRow) -> ConsentEvent:
        return cls(
            id=strawberry.ID(str(row.id)),
            contact_id=strawberry.ID(str(row.contact_id)),
            purpose=ConsentPurpose(str(row.purpose)),
            action=ConsentAction(str(row.action)),
            source=ConsentSource(str(row.source)),
            occurred_at=row.occurred_at,
            recorded_at=row.recorded_at,
            text_version=row.text_version,
            text_hash=row.text_hash,
            evidence=JSON(dict(row.evidence or {})),
        )


def _waiting(status: str | None) -> bool:
    return status in MessageStatus.sql(MessageStatus.waiting())


@strawberry.type(description="A message of the conversation, either way.")
class ConversationItem:
    id: strawberry.ID = strawberry.field(description='"outbound:<id>" or "inbound:<id>".')
    direction: MessageDirection
    at: datetime = strawberry.field(description="Received, sent, or (not yet sent) written.")
    text: str | None = strawberry.field(
        description="What the customer read: their text, our free text, or a template's text "
        "filled with the values sent (null once erasure or retention blanked them)."
    )
    template_name: str | None
    template_language: str | None
    kind: MessageKind | None = strawberry.field(description="Outbound only.")
    status: MessageStatus | None = strawberry.field(description="Outbound only.")
    status_reason: str | None = strawberry.field(
        description="Why it was not sent (suppressed/failed): the policy's reason code."
    )
    status_reason_text: ReasonText | None = strawberry.field(
        description="The reason code's text and fix (EN / TR)."
    )
    error_code: int | None = strawberry.field(description="WhatsApp's error code, if it failed.")
    error_message: str | None
    message_type: str | None = strawberry.field(description="Inbound only: text, button, ...")
    button_payload: str | None
    due_at: datetime | None = strawberry.field(
        default=None,
        description="Outbound and still waiting: when it may go (a message held for the "
        "plan's quota waits for the next plan month).",
    )

    @classmethod
    def from_row(cls, row: Any, texts: SentTexts | None = None) -> ConversationItem:
        outbound = row.direction == MessageDirection.OUTBOUND.value
        text = row.text
        if text is None and outbound and texts is not None:
            text = texts.text(row.template_name, row.template_language, row.parameters)
        return cls(
            id=strawberry.ID(f"{row.direction}:{row.id}"),
            direction=MessageDirection(row.direction),
            at=row.at,
            text=text,
            template_name=row.template_name,
            template_language=row.template_language,
            kind=MessageKind(row.kind) if outbound else None,
            status=MessageStatus(row.status) if outbound else None,
            status_reason=row.status_reason,
            status_reason_text=reason_text(row.status_reason),
            error_code=row.error_code,
            error_message=row.error_message,
            message_type=row.message_type,
            button_payload=row.button_payload,
            due_at=row.due_at if outbound and _waiting(row.status) else None,
        )

    @classmethod
    def from_outbound(cls, row: OutboundMessage) -> ConversationItem:
        return cls(
            id=strawberry.ID(f"{MessageDirection.OUTBOUND.value}:{row.id}"),
            direction=MessageDirection.OUTBOUND,
            at=row.sent_at or row.created_at,
            text=row.text,
            template_name=row.template_name,
            template_language=row.template_language,
            kind=MessageKind(str(row.kind)),
            status=MessageStatus(str(row.status)),
            status_reason=row.status_reason,
            status_reason_text=reason_text(row.status_reason),
            error_code=row.error_code,
            error_message=row.error_message,
            message_type=None,
            button_payload=None,
            due_at=row.due_at if _waiting(str(row.status)) else None,
        )


@strawberry.type(description="A person the store may message.")
class Contact:
    id: strawberry.ID
    phone: str | None = strawberry.field(description="E.164; null when missing or erased.")
    phone_status: PhoneStatus
    phone_invalid_reason: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    locale: str | None
    country: str | None
    timezone: str | None
    orders_count: int
    total_spent: list[Money]
    first_order_at: datetime | None
    last_order_at: datetime | None
    last_checkout_at: datetime | None
    last_inbound_at: datetime | None
    undeliverable_at: datetime | None
    erased_at: datetime | None
    created_at: datetime
    updated_at: datetime
    service_window_open_until: datetime | None = strawberry.field(
        description="Free text (a support reply) is allowed until then: last inbound + 24 h."
    )
    service_window_open: bool

    @strawberry.field(description="Marketing and transactional, in that order.")
    async def consents(self, info: Info) -> list[ConsentState]:
        ctx = info.context

        def batch(ids: list[int]) -> list[list[ConsentState]]:
            states = consent_state.states(ctx.session, store_id=ctx.store_id, contact_ids=ids)
            return [
                [
                    ConsentState(
                        purpose=ConsentPurpose(purpose.value),
                        granted=state.granted,
                        action=ConsentAction(state.action.value) if state.action else None,
                        at=state.at,
                        source=ConsentSource(state.source.value) if state.source else None,
                    )
                    for purpose in Purpose
                    for state in [states[(contact_id, purpose)]]
                ]
                for contact_id in ids
            ]

        return await ctx.loaders.get("contact_consents", batch).load(int(self.id))

    @strawberry.field(description="Every consent fact, oldest first.")
    async def consent_timeline(self, info: Info) -> list[ConsentEvent]:
        ctx = info.context

        def batch(ids: list[int]) -> list[list[ConsentEvent]]:
            found = consent_service.timelines(ctx.session, store_id=ctx.store_id, contact_ids=ids)
            return [[ConsentEvent.from_row(e) for e in found[i]] for i in ids]

        return await ctx.loaders.get("contact_timeline", batch).load(int(self.id))

    @classmethod
    def from_row(cls, row: ContactRow) -> Contact:
        until = contacts_service.service_window_open_until(row)
        return cls(
            id=strawberry.ID(str(row.id)),
            phone=row.phone_e164,
            phone_status=PhoneStatus(str(row.phone_status)),
            phone_invalid_reason=row.phone_invalid_reason,
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            locale=row.locale,
            country=row.country,
            timezone=row.timezone,
            orders_count=row.orders_count,
            total_spent=[
                Money(currency=c, amount=str(a)) for c, a in sorted((row.total_spent or {}).items())
            ],
            first_order_at=row.first_order_at,
            last_order_at=row.last_order_at,
            last_checkout_at=row.last_checkout_at,
            last_inbound_at=row.last_inbound_at,
            undeliverable_at=row.undeliverable_at,
            erased_at=row.erased_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            service_window_open_until=until,
            service_window_open=contacts_service.service_window_open(row),
        )


@strawberry.type
class SupportReplyPayload:
    message: ConversationItem | None = None
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=[Allowed],
        description="Newest first; `search` matches the number, the email or a name. Erased "
        "contacts are not listed.",
    )
    def contacts(
        self,
        info: Info,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Contact]:
        ctx = info.context
        stmt = contacts_service.contacts_query(ctx.session, store_id=ctx.store_id, search=search)
        return paginate(
            ctx,
            ctx.scoped(stmt),
            order=NEWEST_FIRST,
            node=Contact.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
        )

    @strawberry.field(permission_classes=[Allowed])
    def contact(self, info: Info, id: strawberry.ID) -> Contact | None:
        row = info.context.get_owned(ContactRow, int_id(id))
        return Contact.from_row(row) if row is not None else None

    @strawberry.field(
        permission_classes=[Allowed],
        description="A contact's inbound and outbound messages merged, newest first (empty "
        "for an unknown contact).",
    )
    def conversation(
        self,
        info: Info,
        contact_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ConversationItem]:
        ctx = info.context
        stmt, columns = conversation_query(store_id=ctx.store_id, contact_id=int_id(contact_id))
        texts = SentTexts(ctx.session, ctx.store_id)
        return paginate(
            ctx,
            stmt,
            order=[(columns.at, DESC), (columns.direction, DESC), (columns.id, DESC)],
            node=lambda row: ConversationItem.from_row(row, texts),
            first=first,
            after=after,
            last=last,
            before=before,
            scalars=False,
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[Allowed],
        description="Free text to the customer, only while the 24-hour service window is open "
        "(WINDOW_CLOSED otherwise). Scheduled now; the delivery engine sends it.",
    )
    def send_support_reply(
        self, info: Info, contact_id: strawberry.ID, text: str
    ) -> SupportReplyPayload:
        ctx = info.context
        contact = ctx.get_owned(ContactRow, int_id(contact_id))
        if contact is None or contact.erased_at is not None:
            return SupportReplyPayload(errors=not_found("contactId", *NO_CONTACT))
        try:
            message = outbox.schedule_support_reply(
                ctx.session, contact=contact, text=text, staff_user_id=ctx.claims.get("user_id")
            )
        except InvalidInput as exc:
            return SupportReplyPayload(errors=admin_errors(exc))
        return SupportReplyPayload(message=ConversationItem.from_outbound(message))
