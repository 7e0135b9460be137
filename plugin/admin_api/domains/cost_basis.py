"""What every cost the admin shows rests on, as one GraphQL shape (plugin/pricing/basis.py):
the dashboard's headline, the campaign estimate and the campaign's results extend
`CostBasisFields` and fill it with `basis_fields`; the analytics rows carry it as `basis`
(GraphQL type CostBasis). Every cost says the same about the same figures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from plugin.pricing.basis import CostBasis
from plugin.pricing.billing import BillingSource as BillingSourceValue
from plugin.pricing.exchange import ExchangeRate as ExchangeRateValue


@strawberry.type(description="A shipped rate Meta changed without a known new figure.")
class StaleFigure:
    country: str = strawberry.field(description="ISO 3166 alpha-2 of the calling code.")
    category: str = strawberry.field(description="Meta's pricing category, lower case.")
    since: str = strawberry.field(description="YYYY-MM-DD: Meta's change.")
    upper_bound: bool = strawberry.field(
        description="The change was a decrease: the figure is more than Meta bills."
    )


@strawberry.type(description="Meta's volume pricing tier of the month (account_update).")
class VolumeTier:
    category: str = strawberry.field(description="UTILITY or AUTHENTICATION, as Meta names it.")
    region: str = strawberry.field(description="Meta's market name, e.g. TURKEY.")
    effective_month: str = strawberry.field(description="YYYY-MM.")
    tier: str = strawberry.field(description="Monthly messages band, e.g. 25000001:50000000.")
    above_first_tier: bool = strawberry.field(
        description="A discount applies: list prices are an upper bound."
    )
    updated_at: datetime | None


@strawberry.type(description="1 `base` = `rate` `quote`, as the merchant set it.")
class ExchangeRate:
    rate: str = strawberry.field(description="Decimal text.")
    rate_date: date
    base: str = strawberry.field(description="The rate cards' currency (USD).")
    quote: str = strawberry.field(description="The store's currency.")

    @classmethod
    def of(cls, value: ExchangeRateValue) -> ExchangeRate:
        plain = format(value.rate.normalize(), "f")  # "34.12", never "34.120000" or "1E+2"
        return cls(rate=plain, rate_date=value.on, base=value.base, quote=value.quote)


@strawberry.type(description="A cost in the store's currency at the merchant's rate.")
class ConvertedCost:
    amount: str = strawberry.field(description="Decimal text, 2 places.")
    currency: str
    exchange_rate: ExchangeRate


BillingCurrencySource = strawberry.enum(
    BillingSourceValue,
    name="BillingCurrencySource",
    description="META: the WABA's currency read from the Graph API; SETTING: Meta not read "
    "yet, the store's cost currency setting stands in.",
)


@strawberry.type(name="CostBasis")
class CostBasisFields:
    billing_currency: str = strawberry.field(
        description="The currency Meta bills the account in (ISO 4217)."
    )
    billing_currency_source: BillingCurrencySource  # type: ignore[valid-type]
    billing_currency_read_at: datetime | None = strawberry.field(
        description="When Meta's answer was read; null with source SETTING."
    )
    rate_card_currency: str = strawberry.field(
        description="The currency of the rate card and so of the cost figure (USD). When it "
        "is not billingCurrency, the figure is not what Meta bills in that currency."
    )
    rate_card_date: str | None = strawberry.field(
        description="YYYY-MM-DD: the rate card the figure was priced with (the store's own "
        "table's date, else the shipped card in force)."
    )
    stale_since: str | None = strawberry.field(
        description="YYYY-MM-DD from which part of the figure is only a bound (see "
        "staleFigures); null: every figure is current."
    )
    stale_figures: list[StaleFigure]
    cost_in_store_currency: ConvertedCost | None = strawberry.field(
        description="Only when the merchant set a dated exchange rate (setExchangeRate)."
    )
    volume_tiers: list[VolumeTier] = strawberry.field(
        description="Meta's tiers of this month: above the first, list prices are an upper bound."
    )


def basis_object(basis: CostBasis) -> CostBasisFields:
    """The basis as its own object (a report row's `basis`)."""
    return CostBasisFields(**basis_fields(basis))


def basis_fields(basis: CostBasis) -> dict[str, Any]:
    """The `CostBasisFields` of a type, from the one pricing answer."""
    converted = basis.in_store_currency
    return {
        "billing_currency": basis.billing.currency,
        "billing_currency_source": basis.billing.source,
        "billing_currency_read_at": basis.billing.read_at,
        "rate_card_currency": basis.rate_card_currency,
        "rate_card_date": basis.rate_card_date,
        "stale_since": basis.stale_since,
        "stale_figures": [
            StaleFigure(
                country=s.country, category=s.category, since=s.since, upper_bound=s.upper_bound
            )
            for s in basis.stale
        ],
        "cost_in_store_currency": ConvertedCost(
            amount=str(converted.amount),
            currency=converted.currency,
            exchange_rate=ExchangeRate.of(converted.rate),
        )
        if converted
        else None,
        "volume_tiers": [
            VolumeTier(
                category=t.category,
                region=t.region,
                effective_month=t.effective_month,
                tier=t.tier,
                above_first_tier=t.above_first_tier,
                updated_at=t.updated_at,
            )
            for t in basis.volume_tiers
        ],
    }
