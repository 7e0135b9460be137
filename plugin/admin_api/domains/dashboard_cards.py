"""The dashboard's headline cards and what is set up (for its empty states' next action).

The figures are analytics' (plugin/analytics/headline.py, over the same totals as every
report); the setup facts are read from their owners: the default WhatsApp number, the flows'
configs, the store's campaigns. Only yes/no and counts, so any staff user may see them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import strawberry

from plugin.admin_api.context import Info
from plugin.admin_api.domains.contacts import Money
from plugin.admin_api.domains.cost_basis import CostBasisFields, basis_fields
from plugin.admin_api.domains.figures import Engagement
from plugin.analytics.aggregate import engagement
from plugin.analytics.headline import Headline
from plugin.campaigns.models import Campaign
from plugin.flows.config import all_configs
from plugin.flows.models import ORDER_UPDATE_FLOWS, FlowKey
from plugin.pricing.basis import CostBasis, cost_basis, home_market_pairs
from plugin.stores.service import get_settings
from plugin.whatsapp.accounts import AccountStatus, default_account


@strawberry.type(
    description="Is it working and is it paying: the range's totals. Rates are fractions "
    "0–1 and money decimal text; revenue is in each order's currency, cost in the rate card's "
    "currency (`costCurrency`: USD, whatever Meta bills in: `billingCurrency`); in the store's "
    "currency only at the merchant's dated rate (`costInStoreCurrency`)."
)
class DashboardHeadline(Engagement, CostBasisFields):
    failed: int
    orders: int = strawberry.field(description="Orders attributed to a message (not cancelled).")
    delivered_rate: str | None = strawberry.field(description="delivered / sent; null: none sent")
    read_rate: str | None = strawberry.field(description="read / delivered")
    revenue: list[Money] = strawberry.field(description="Net attributed revenue per currency.")
    revenue_currency: str = strawberry.field(description="The store's currency.")
    cost: str
    cost_currency: str
    return_on_spend: str | None = strawberry.field(
        description="Revenue in `revenueCurrency` per 1 of `costCurrency` spent; null: no cost."
    )

    @classmethod
    def of(cls, h: Headline, basis: CostBasis) -> DashboardHeadline:
        shared: dict[str, Any] = {**engagement(h), **basis_fields(basis)}
        return cls(
            **shared,
            failed=h.failed,
            orders=h.orders,
            delivered_rate=_text(h.delivered_rate),
            read_rate=_text(h.read_rate),
            revenue=[Money(currency=c, amount=str(a)) for c, a in h.revenue.items()],
            revenue_currency=h.revenue_currency,
            cost=str(h.cost),
            cost_currency=h.cost_currency,
            return_on_spend=_text(h.return_on_spend),
        )


def range_bases(info: Info, end: date) -> Callable[[Decimal], CostBasis]:
    """What a range's costs rest on: read against the store's home market (the rollups keep no
    country) on the range's last day; one reading of the store for every row's cost."""
    ctx = info.context
    settings = get_settings(ctx.session, ctx.store_id)
    account, pairs = default_account(ctx.session, ctx.store_id), home_market_pairs(settings)
    return lambda cost: cost_basis(settings, cost=cost, pairs=pairs, on=end, account=account)


def range_basis(info: Info, cost: Decimal, end: date) -> CostBasis:
    return range_bases(info, end)(cost)


def _text(value: object | None) -> str | None:
    return None if value is None else str(value)


@strawberry.type(description="What is set up: the dashboard's empty states offer the next step.")
class DashboardSetup:
    whatsapp_connected: bool = strawberry.field(description="A number that can send.")
    order_updates_on: bool = strawberry.field(description="At least one order update is on.")
    cart_recovery_on: bool
    campaigns: int = strawberry.field(description="Campaigns of the store, drafts included.")


def setup(info: Info) -> DashboardSetup:
    ctx = info.context
    account = default_account(ctx.session, ctx.store_id)
    enabled = {c.flow_key for c in all_configs(ctx.session, store_id=ctx.store_id) if c.enabled}
    campaigns = ctx.session.execute(
        ctx.scoped(sa.select(sa.func.count()).select_from(Campaign), Campaign)
    ).scalar_one()
    return DashboardSetup(
        whatsapp_connected=account is not None and account.status == AccountStatus.ACTIVE,
        order_updates_on=any(k in enabled for k in ORDER_UPDATE_FLOWS),
        cart_recovery_on=FlowKey.CART_RECOVERY in enabled,
        campaigns=int(campaigns),
    )
