"""The dashboard's headline: is it working (sent, delivered %, read %, replies, clicks,
opt-outs) and is it paying (attributed orders and revenue, Meta's cost in its billing currency,
return on spend).

Every figure is `service.totals` of the range — the same rollups and raw rows as the funnels,
performance and cost reports — so a headline never disagrees with the tables under it. Skipped
messages are split by the reasons table's `reached` flag: a recovery step cancelled because the
cart was ordered is a good outcome, not a problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from plugin.analytics.aggregate import engagement
from plugin.analytics.service import ratio, totals
from plugin.delivery import reasons
from plugin.pricing.ratecards import CARD_CURRENCY
from plugin.stores.service import get_settings


@dataclass(frozen=True)
class Headline:
    sent: int
    delivered: int
    read: int
    clicked: int
    replied: int
    opted_out: int
    failed: int
    orders: int
    delivered_rate: Decimal | None  # delivered / sent
    read_rate: Decimal | None  # read / delivered (Meta counts reads of delivered messages)
    revenue: dict[str, Decimal]  # currency -> net attributed revenue
    revenue_currency: str  # the store's currency: the one return on spend is counted in
    cost: Decimal  # Meta's charges at the rate card's prices, in its currency (USD)
    cost_currency: str
    return_on_spend: Decimal | None  # revenue (revenue_currency) per 1 of cost (cost_currency)
    reached: dict[str, int] = field(default_factory=dict)  # skipped: the goal came first
    problems: dict[str, int] = field(default_factory=dict)  # skipped for any other reason
    failed_reasons: dict[str, int] = field(default_factory=dict)


def headline(session: Session, *, store_id: int, start: date, end: date) -> Headline:
    """The range's totals as the dashboard's cards."""
    settings = get_settings(session, store_id)
    total = totals(session, store_id=store_id, start=start, end=end)
    revenue = {k: Decimal(v).quantize(Decimal("0.01")) for k, v in sorted(total.revenue.items())}
    own = revenue.get(settings.default_currency, Decimal("0"))
    skipped = total.skipped_reasons.most_common()
    cost = total.cost.quantize(Decimal("0.0001"))
    return Headline(
        **engagement(total),
        failed=total.failed,
        orders=total.orders,
        delivered_rate=ratio(total.delivered, total.sent),
        read_rate=ratio(total.read, total.delivered),
        revenue=revenue,
        revenue_currency=settings.default_currency,
        cost=cost,
        cost_currency=CARD_CURRENCY,
        return_on_spend=ratio(own, cost) if cost else None,
        reached={k: n for k, n in skipped if reasons.reason(k).reached},
        problems={k: n for k, n in skipped if not reasons.reason(k).reached},
        failed_reasons=dict(total.failed_reasons.most_common()),
    )
