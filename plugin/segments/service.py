"""Segments: who is in an audience (built-in or rule), previews, saved segments, the orders
each contact placed, and RFM scores.

Every audience is one SELECT over `contact`: the store's reachable contacts (a valid phone,
not erased) AND a built-in definition or a compiled rule. Services never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from plugin import broker, clock
from plugin.contacts.models import Contact, PhoneStatus
from plugin.errors import InvalidPayload
from plugin.saleor.payloads import Order
from plugin.segments.builtin import builtin_condition, spend_in_window, thresholds_for
from plugin.segments.models import ContactOrder, ContactPurchase, ContactRfm, ContactTag, Segment
from plugin.segments.rules import RuleContext, compile_rule, validate_rule
from plugin.settings import get_settings as get_app_settings
from plugin.stores import service as stores_service
from plugin.stores.models import StoreSettings
from plugin.stores.plans import Feature, require_feature

SAMPLE_SIZE = 20
NOT_COUNTED_ORDER_STATUSES = {"DRAFT", "CANCELED", "CANCELLED", "EXPIRED"}
RFM_REFRESH_EVERY = timedelta(hours=24)


@dataclass(frozen=True)
class Audience:
    """Who a campaign or a preview targets: exactly one of the three."""

    builtin: str | None = None
    segment_id: int | None = None
    rule: dict[str, Any] | None = None

    def check(self) -> None:
        if sum(x is not None for x in (self.builtin, self.segment_id, self.rule)) != 1:
            raise InvalidPayload(
                "choose one audience: a built-in segment, a saved segment or a rule",
                code="INVALID_AUDIENCE",
            )


def context_for(settings: StoreSettings) -> RuleContext:
    t = thresholds_for(settings)
    return RuleContext(
        store_id=settings.store_id,
        currency=settings.default_currency,
        now=clock.now(),
        abandoned_idle=timedelta(minutes=t.abandoned_idle_minutes),
    )


STAFF_TAG = "ulak:staff"  # staff numbers that received test sends: never in an audience


def reachable(store_id: int) -> ColumnElement[bool]:
    """The universe of every segment: the store's contacts with a valid phone or a
    business-scoped user id (a username user, sent to by `recipient`), not erased, not a staff
    test number, not resting from marketing after Meta's per-user limit (131049)."""
    erased: Any = Contact.erased_at
    contact_id: Any = Contact.id
    bsuid: Any = Contact.bsuid
    limited: Any = Contact.marketing_limited_at
    rest_since = clock.now() - timedelta(days=get_app_settings().marketing_limit_rest_days)
    staff = sa.select(ContactTag.contact_id).where(
        ContactTag.store_id == store_id, ContactTag.tag == STAFF_TAG
    )
    return sa.and_(
        Contact.store_id == store_id,
        sa.or_(Contact.phone_status == PhoneStatus.VALID.value, bsuid.is_not(None)),
        erased.is_(None),
        sa.or_(limited.is_(None), limited < rest_since),
        contact_id.not_in(staff),
    )


def audience_condition(
    session: Session, *, settings: StoreSettings, audience: Audience, ctx: RuleContext | None = None
) -> ColumnElement[bool]:
    """The audience as a WHERE over `contact`, after the plan check (own segments: Silver)."""
    audience.check()
    ctx = ctx or context_for(settings)
    if audience.builtin is not None:
        require_feature(settings, Feature.BUILTIN_SEGMENTS)
        condition = builtin_condition(audience.builtin, ctx, thresholds_for(settings))
    else:
        require_feature(settings, Feature.OWN_SEGMENTS)
        rule = audience.rule
        if audience.segment_id is not None:
            segment = get_segment(
                session, store_id=settings.store_id, segment_id=audience.segment_id
            )
            rule = segment.rule
        condition = compile_rule(rule, ctx)
    return sa.and_(reachable(settings.store_id), condition)


def count_audience(session: Session, *, store_id: int, audience: Audience) -> int:
    settings = stores_service.get_settings(session, store_id)
    where = audience_condition(session, settings=settings, audience=audience)
    return int(
        session.execute(sa.select(sa.func.count()).select_from(Contact).where(where)).scalar_one()
    )


def mask_phone(phone: str | None) -> str | None:
    """+905551112233 -> +90555•••2233: enough for a merchant to recognise, not to copy."""
    if not phone:
        return None
    return phone[:6] + "•••" + phone[-4:] if len(phone) > 10 else "•••" + phone[-2:]


def preview_audience(session: Session, *, store_id: int, audience: Audience) -> dict[str, Any]:
    """The count and the first 20 contacts of an audience (what the builder shows)."""
    settings = stores_service.get_settings(session, store_id)
    where = audience_condition(session, settings=settings, audience=audience)
    count = int(
        session.execute(sa.select(sa.func.count()).select_from(Contact).where(where)).scalar_one()
    )
    c: Any = Contact
    rows = session.execute(
        sa.select(
            c.id,
            c.first_name,
            c.last_name,
            c.phone_e164,
            c.country,
            c.locale,
            c.orders_count,
            c.last_order_at,
        )
        .where(where)
        .order_by(c.id)
        .limit(SAMPLE_SIZE)
    ).all()
    sample = [
        {
            "id": r.id,
            "first_name": r.first_name,
            "last_name": r.last_name,
            "phone": mask_phone(r.phone_e164),
            "country": r.country,
            "locale": r.locale,
            "orders_count": r.orders_count,
            "last_order_at": r.last_order_at,
        }
        for r in rows
    ]
    return {"count": count, "sample": sample}


# --- saved segments --------------------------------------------------------------------------


def get_segment(session: Session, *, store_id: int, segment_id: int) -> Segment:
    """The store's segment; another store's id is "not found", and its row is never loaded
    (the admin request's store guard would turn that into an error telling the id exists)."""
    segment = session.exec(
        select(Segment).where(Segment.id == segment_id, Segment.store_id == store_id)
    ).first()
    if segment is None:
        raise InvalidPayload("segment not found", code="NOT_FOUND", status_code=404)
    return segment


def list_segments(session: Session, *, store_id: int) -> list[Segment]:
    return list(
        session.exec(select(Segment).where(Segment.store_id == store_id).order_by(Segment.name))
    )


def save_segment(
    session: Session,
    *,
    store_id: int,
    name: str,
    rule: dict[str, Any],
    segment_id: int | None = None,
) -> Segment:
    """Create or update a merchant's segment (Silver), refusing an invalid rule with its errors."""
    require_feature(stores_service.get_settings(session, store_id), Feature.OWN_SEGMENTS)
    from plugin.segments.rules import InvalidRule

    errors = validate_rule(rule)
    if errors:
        raise InvalidRule(errors)
    name = name.strip()
    if not name:
        raise InvalidPayload("a segment needs a name", code="INVALID_NAME")
    if segment_id is None:
        segment = Segment(store_id=store_id, name=name, rule=rule)
        session.add(segment)
    else:
        segment = get_segment(session, store_id=store_id, segment_id=segment_id)
        segment.name, segment.rule, segment.updated_at = name, rule, clock.now()
    session.flush()
    return segment


def delete_segment(session: Session, *, store_id: int, segment_id: int) -> None:
    session.delete(get_segment(session, store_id=store_id, segment_id=segment_id))
    session.flush()


# --- orders ----------------------------------------------------------------------------------


def _order_items(order: Order) -> tuple[list[str], list[str], list[str]]:
    products: set[str] = set()
    skus: set[str] = set()
    categories: set[str] = set()
    for line in order.lines:
        if line.product_sku:
            skus.add(line.product_sku)
        variant = line.variant
        if variant is None:
            continue
        if variant.sku:
            skus.add(variant.sku)
        if variant.product is not None:
            if variant.product.id:
                products.add(variant.product.id)
            if variant.product.category is not None and variant.product.category.slug:
                categories.add(variant.product.category.slug)
    return sorted(products), sorted(skus), sorted(categories)


def record_order(session: Session, *, store_id: int, contact_id: int, order: Order) -> ContactOrder:
    """Remember an order for segments (12-month spend, bought product/category, RFM).

    Idempotent per order id and cheap on repeats: one indexed read, and writes only when
    the total, status, contact or lines changed (order events arrive many times per order).
    """
    total = order.total.gross.amount if order.total else Decimal("0")
    currency = order.total.gross.currency if order.total else ""
    status = (order.status or "").upper()
    counts = status not in NOT_COUNTED_ORDER_STATUSES
    products, skus, categories = _order_items(order)
    values = {
        "contact_id": contact_id,
        "total": Decimal(total).quantize(Decimal("0.01")),
        "currency": currency,
        "status": status,
        "counts": counts,
        "product_ids": products,
        "skus": skus,
        "category_slugs": categories,
    }
    existing = session.exec(
        select(ContactOrder).where(
            ContactOrder.store_id == store_id, ContactOrder.order_id == order.id
        )
    ).first()
    if existing is None:
        row = ContactOrder(
            store_id=store_id, order_id=order.id, created_at=order.created or clock.now(), **values
        )
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:  # the same order recorded concurrently: update that one
            existing = session.exec(
                select(ContactOrder).where(
                    ContactOrder.store_id == store_id, ContactOrder.order_id == order.id
                )
            ).one()
        else:
            _write_purchases(session, row)
            return row
    if all(getattr(existing, k) == v for k, v in values.items()):
        return existing
    item_keys = ("contact_id", "counts", "product_ids", "skus", "category_slugs")
    items_changed = any(getattr(existing, k) != values[k] for k in item_keys)
    for key, value in values.items():
        setattr(existing, key, value)
    session.add(existing)
    session.flush()
    if items_changed:
        session.execute(sa.delete(ContactPurchase).where(ContactPurchase.order_ref == existing.id))  # type: ignore[arg-type]
        _write_purchases(session, existing)
    return existing


def _write_purchases(session: Session, order: ContactOrder) -> None:
    rows = [("product", v) for v in sorted(set(order.product_ids) | set(order.skus))] + [
        ("category", v) for v in order.category_slugs
    ]
    if not rows or not order.counts:
        return
    session.execute(
        sa.insert(ContactPurchase),
        [
            {
                "store_id": order.store_id,
                "contact_id": order.contact_id,
                "order_ref": order.id,
                "kind": kind,
                "value": value[:255],
            }
            for kind, value in rows
        ],
    )


# --- RFM -------------------------------------------------------------------------------------


def refresh_rfm(session: Session, *, store_id: int) -> int:
    """Recompute every contact's RFM quintiles in two statements; returns the rows written.

    Recency ranks the last counted order, frequency the number of counted orders, monetary
    their sum in the store currency (all time). Contacts without orders have no row.
    """
    settings = stores_service.get_settings(session, store_id)
    co: Any = ContactOrder
    per_contact = (
        sa.select(
            co.contact_id.label("contact_id"),
            sa.func.max(co.created_at).label("last_at"),
            sa.func.count().label("freq"),
            sa.func.sum(
                sa.case((co.currency == settings.default_currency, co.total), else_=0)
            ).label("money"),
        )
        .where(co.store_id == store_id, co.counts.is_(True))
        .group_by(co.contact_id)
        .subquery("per_contact")
    )
    now = clock.now()
    ctx = context_for(settings)
    spend = spend_in_window(ctx, thresholds_for(settings).vip_spend_days)
    window = sa.func.coalesce(spend.c.spend, 0)
    scored = sa.select(
        per_contact.c.contact_id,
        sa.literal(store_id).label("store_id"),
        sa.func.ntile(5).over(order_by=per_contact.c.last_at.asc()).label("recency"),
        sa.func.ntile(5).over(order_by=per_contact.c.freq.asc()).label("frequency"),
        sa.func.ntile(5).over(order_by=per_contact.c.money.asc()).label("monetary"),
        window.label("spend_window"),
        sa.case((window > 0, sa.func.rank().over(order_by=window.desc()))).label("spend_rank"),
        sa.literal(now, ContactRfm.__table__.c.computed_at.type).label("computed_at"),  # type: ignore[attr-defined]
    ).select_from(per_contact.outerjoin(spend, spend.c.contact_id == per_contact.c.contact_id))
    session.execute(sa.delete(ContactRfm).where(ContactRfm.store_id == store_id))  # type: ignore[arg-type]
    columns = [
        "contact_id",
        "store_id",
        "recency",
        "frequency",
        "monetary",
        "spend_window",
        "spend_rank",
        "computed_at",
    ]
    result = session.execute(
        sa.insert(ContactRfm).from_select(columns, scored),
        execution_options={"preserve_rowcount": True},
    )
    extra = dict(settings.extra or {})
    extra["rfm_refreshed_at"] = now.isoformat()
    settings.extra = extra
    session.add(settings)
    session.flush()
    return int(result.rowcount or 0)


def refresh_rfm_due(*, session: Session) -> list[int]:
    """Tick task: enqueue a refresh for each store whose scores are older than a day."""
    from datetime import datetime

    now = clock.now()
    due: list[int] = []
    for settings in session.exec(select(StoreSettings)):
        stamp = (settings.extra or {}).get("rfm_refreshed_at")
        if stamp and now - datetime.fromisoformat(stamp) < RFM_REFRESH_EVERY:
            continue
        # mark first so the next tick does not enqueue again while the refresh runs
        settings.extra = {**(settings.extra or {}), "rfm_refreshed_at": now.isoformat()}
        session.add(settings)
        broker.enqueue_after_commit(session, "refresh_rfm", settings.store_id)
        due.append(settings.store_id)
    return due


def twelve_month_spend(session: Session, *, store_id: int, contact_id: int) -> Decimal:
    """A contact's counted spend over the last 365 days in the store currency."""
    ctx = context_for(stores_service.get_settings(session, store_id))
    spend = spend_in_window(ctx, 365)
    value = session.execute(
        sa.select(spend.c.spend).where(spend.c.contact_id == contact_id)
    ).scalar()
    return Decimal(value or 0)
