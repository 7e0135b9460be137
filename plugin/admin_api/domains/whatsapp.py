"""The store's WhatsApp numbers: list (never the token), connect with a checked token,
disconnect."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import strawberry
from sqlmodel import col

from plugin import clock
from plugin.admin_api.context import Info
from plugin.admin_api.domains.contacts import ConversationItem
from plugin.admin_api.errors import AdminError, admin_errors, int_id, not_found
from plugin.admin_api.permissions import Allowed
from plugin.delivery import manual
from plugin.delivery.models import MessageStatus, OutboundMessage
from plugin.errors import InvalidInput
from plugin.stores.service import get_settings
from plugin.stores.usage import period_bounds
from plugin.whatsapp import connection
from plugin.whatsapp.accounts import WhatsAppAccount as AccountRow


@strawberry.type(description="A connected number; the access token is never returned.")
class WhatsAppAccount:
    id: strawberry.ID
    phone_number_id: str
    waba_id: str
    display_phone: str
    is_sandbox: bool
    is_default: bool
    status: str
    status_reason: str | None
    quality_rating: str | None
    messaging_limit_tier: str | None
    mm_api_status: str | None = strawberry.field(
        description="The WABA's Marketing Messages API onboarding status as last read from "
        "the Graph API (ONBOARDED, ELIGIBLE, INELIGIBLE_*, PENDING_*); null: never read."
    )
    mm_api_status_read_at: datetime | None
    marketing_via_mm_api: bool = strawberry.field(
        description="Marketing templates go through /marketing_messages."
    )
    created_at: datetime

    @strawberry.field(description="Messages Meta accepted from this number this month.")
    async def sent_this_month(self, info: Info) -> int:
        ctx = info.context

        def batch(account_ids: list[int]) -> list[int]:
            timezone = get_settings(ctx.session, ctx.store_id).timezone
            start, _ = period_bounds(clock.now(), timezone)
            return ctx.loaders.count_rows(
                OutboundMessage,
                OutboundMessage.account_id,
                account_ids,
                col(OutboundMessage.status).in_(MessageStatus.sql(MessageStatus.sent())),
                sa.func.coalesce(OutboundMessage.sent_at, OutboundMessage.created_at) >= start,
            )

        return await ctx.loaders.get("whatsapp_sent_this_month", batch).load(int(self.id))

    @classmethod
    def from_row(cls, row: AccountRow) -> WhatsAppAccount:
        return cls(
            id=strawberry.ID(str(row.id)),
            phone_number_id=row.phone_number_id,
            waba_id=row.waba_id,
            display_phone=row.display_phone,
            is_sandbox=row.is_sandbox,
            is_default=row.is_default,
            status=str(row.status),
            status_reason=row.status_reason,
            quality_rating=row.quality_rating,
            messaging_limit_tier=row.messaging_limit_tier,
            mm_api_status=row.mm_api_status,
            mm_api_status_read_at=row.mm_api_status_read_at,
            marketing_via_mm_api=row.use_marketing_endpoint,
            created_at=row.created_at,
        )


@strawberry.input
class ConnectWhatsAppInput:
    phone_number_id: str
    waba_id: str
    access_token: str = strawberry.field(description="Stored encrypted; never returned.")
    sandbox: bool = strawberry.field(default=False, description="Dev mode only.")


@strawberry.type
class WhatsAppAccountPayload:
    account: WhatsAppAccount | None = None
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[Allowed])
    def whatsapp_accounts(self, info: Info) -> list[WhatsAppAccount]:
        ctx = info.context
        stmt = ctx.scoped(sa.select(AccountRow)).order_by(
            col(AccountRow.is_default).desc(),
            col(AccountRow.id),
        )
        return [WhatsAppAccount.from_row(r) for r in ctx.session.execute(stmt).scalars()]


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[Allowed])
    async def connect_whats_app(
        self, info: Info, input: ConnectWhatsAppInput
    ) -> WhatsAppAccountPayload:
        ctx = info.context
        try:
            async with connection.open_lookup(ctx.settings) as lookup:
                row = await connection.connect_account(
                    session=ctx.session,
                    store_id=ctx.store_id,
                    phone_number_id=input.phone_number_id,
                    waba_id=input.waba_id,
                    access_token=input.access_token,
                    lookup=lookup,
                    sandbox=input.sandbox,
                    sandbox_allowed=ctx.settings.sandbox_enabled,
                )
        except InvalidInput as exc:
            return WhatsAppAccountPayload(errors=admin_errors(exc))
        return WhatsAppAccountPayload(account=WhatsAppAccount.from_row(row))

    @strawberry.mutation(permission_classes=[Allowed])
    def disconnect_whats_app(self, info: Info, id: strawberry.ID) -> WhatsAppAccountPayload:
        ctx = info.context
        row = ctx.get_owned(AccountRow, int_id(id))
        if row is None or row.id is None:
            return WhatsAppAccountPayload(
                errors=not_found("id", "No such WhatsApp number.", "Böyle bir numara yok.")
            )
        row = connection.disconnect_account(
            session=ctx.session, store_id=ctx.store_id, account_id=row.id
        )
        return WhatsAppAccountPayload(account=WhatsAppAccount.from_row(row))


@strawberry.type
class TestMessagePayload:
    message: ConversationItem | None = None
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type
class TestMessageMutation:
    @strawberry.mutation(
        permission_classes=[Allowed],
        description="A test message to a number: a template filled with sample values, or "
        "text. Scheduled now; the delivery engine sends it.",
    )
    def send_test_message(
        self,
        info: Info,
        phone: str,
        template_id: strawberry.ID | None = None,
        text: str | None = None,
    ) -> TestMessagePayload:
        ctx = info.context
        try:
            message = manual.schedule_test_message(
                ctx.session,
                store_id=ctx.store_id,
                phone=phone,
                template_id=int_id(template_id) if template_id is not None else None,
                text=text,
                staff_user_id=ctx.claims.get("user_id"),
            )
        except InvalidInput as exc:
            return TestMessagePayload(errors=admin_errors(exc))
        return TestMessagePayload(message=ConversationItem.from_outbound(message))
