"""A campaign's cost before launch, on the recipients expected to be delivered.

The estimate groups the audience by pricing key (plugin.pricing.country) and prices each group
with the same `rate_for` analytics uses for what was delivered, so with every message
delivered the two agree category by category. Recipients the delivery engine cannot address
are left out (no usable number and no business-scoped user id: `reachable`, the SQL form of
plugin.delivery.policy.send_address), and for marketing so are username-only customers the
policy holds back (Turkish ones until they share a number, United States ones always:
plugin.delivery.policy.address_problem).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from plugin.contacts.models import Contact, PhoneStatus
from plugin.pricing.country import country_of
from plugin.pricing.ratecards import rate_for
from plugin.stores.models import StoreSettings

# Username-only recipients that get no marketing (policy.address_problem's BSUID branch).
NO_MARKETING_BY_USER_ID = {"TR", "US"}


def reachable() -> ColumnElement[bool]:
    """A contact the engine can address: a usable number, else a business-scoped user id."""
    usable_phone = sa.and_(
        Contact.phone_e164.is_not(None),  # type: ignore[union-attr]
        Contact.phone_status != PhoneStatus.INVALID,  # type: ignore[arg-type]
    )
    return sa.or_(usable_phone, Contact.bsuid.is_not(None))  # type: ignore[union-attr]


def delivered_share(key: str | None, category: str) -> bool:
    """Whether a group of this pricing key is expected to be delivered for `category`."""
    if category.lower().startswith("marketing") and key and not key.startswith("+"):
        return country_of(key) not in NO_MARKETING_BY_USER_ID
    return True


def expected_groups(
    groups: Iterable[tuple[str | None, int]], category: str
) -> list[tuple[str | None, int]]:
    """The (pricing key, recipients) groups expected to be delivered for `category`."""
    return [(key, n) for key, n in groups if n and delivered_share(key, category)]


def price_audience(
    settings: StoreSettings,
    category: str,
    groups: Iterable[tuple[str | None, int]],
    send_share: Decimal,
) -> dict[str, Decimal]:
    """Cost per recipient country of sending `category` to `expected_groups`."""
    out: dict[str, Decimal] = {}
    for key, count in groups:
        country = country_of(key) or settings.default_region
        rate = rate_for(settings.rate_table, country=country, category=category)
        out[country] = out.get(country, Decimal("0")) + Decimal(count) * send_share * rate
    return out


def by_country(rows: Sequence[Any]) -> dict[str, dict[str, int]]:
    """Audience and consented counts per recipient country (from the calling code)."""
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        country = country_of(r.key) or ""
        row = out.setdefault(country, {"audience": 0, "consented": 0})
        row["audience"] += r.n
        row["consented"] += r.consented
    return out
