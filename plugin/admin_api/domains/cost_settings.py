"""The store's cost settings: Meta's billing currency (plugin/pricing/billing.py), the rate
cards' currency, the store's currency and the merchant's dated exchange rate from the cards'
currency to the store's (plugin/pricing/exchange.py decides; this translates)."""

from __future__ import annotations

from datetime import date

import strawberry

from plugin.admin_api.context import Info
from plugin.admin_api.domains.cost_basis import BillingCurrencySource, ExchangeRate
from plugin.admin_api.errors import AdminError, admin_errors
from plugin.admin_api.permissions import Allowed
from plugin.errors import InvalidInput
from plugin.pricing import exchange
from plugin.pricing.billing import billing_currency
from plugin.pricing.ratecards import CARD_CURRENCY
from plugin.stores.models import StoreSettings
from plugin.stores.service import get_settings
from plugin.whatsapp.accounts import default_account


@strawberry.type(description="The currencies costs are shown in, and the merchant's rate.")
class CostSettings:
    billing_currency: str = strawberry.field(description="The currency Meta bills in.")
    billing_currency_source: BillingCurrencySource  # type: ignore[valid-type]
    rate_card_currency: str = strawberry.field(
        description="The currency costs are priced in (USD): the exchange rate's base."
    )
    store_currency: str
    exchange_rate: ExchangeRate | None = strawberry.field(
        description="Null: costs are shown in the billing currency only (never converted "
        "at a rate of Ulak's own)."
    )

    @classmethod
    def of(cls, info: Info, settings: StoreSettings) -> CostSettings:
        rate = exchange.exchange_rate(settings)
        billing = billing_currency(
            settings, default_account(info.context.session, settings.store_id)
        )
        return cls(
            billing_currency=billing.currency,
            billing_currency_source=billing.source,
            rate_card_currency=CARD_CURRENCY,
            store_currency=settings.default_currency,
            exchange_rate=ExchangeRate.of(rate) if rate else None,
        )


@strawberry.type
class CostSettingsPayload:
    cost_settings: CostSettings | None = None
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[Allowed])
    def cost_settings(self, info: Info) -> CostSettings:
        return CostSettings.of(info, get_settings(info.context.session, info.context.store_id))


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[Allowed],
        description="1 rate card currency (USD) = `rate` store currency on `rateDate` (not in the "
        "future); an empty or null rate forgets it. Errors: rate INVALID / OUT_OF_RANGE, "
        "rateDate REQUIRED / FUTURE_DATE, NOT_ALLOWED when both currencies are the same.",
    )
    def set_exchange_rate(
        self, info: Info, rate: str | None = None, rate_date: date | None = None
    ) -> CostSettingsPayload:
        ctx = info.context
        try:
            row = exchange.set_exchange_rate(
                ctx.session, store_id=ctx.store_id, rate=rate, on=rate_date
            )
        except InvalidInput as exc:
            return CostSettingsPayload(errors=admin_errors(exc))
        return CostSettingsPayload(cost_settings=CostSettings.of(info, row))
