"""The orders each contact placed (one row per Saleor order, with its products and
categories) and the RFM scores refreshed from them daily; the built-in segments and rules read
both. Services never commit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from plugin import broker, clock, db_compose
from plugin.contacts import order_rows
from plugin.contacts.figures import forget_orders, order_added
from plugin.saleor.payloads import Order
from plugin.segments.builtin import spend_in_window, thresholds_for
from plugin.segments.models import ContactOrder, ContactPurchase, ContactRfm
from plugin.segments.service import context_for
from plugin.stores import service as stores_service
from plugin.stores.models import StoreSettings

NOT_COUNTED_ORDER_STATUSES = {"DRAFT", "CANCELED", "CANCELLED", "EXPIRED"}
RFM_REFRESH_EVERY = timedelta(hours=24)


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
    values: dict[str, Any] = {  # ContactOrder's columns, of several types
        "contact_id": contact_id,
        "total": Decimal(total).quantize(Decimal("0.01")),
        "currency": currency,
        "status": status,
        "counts": counts,
        "product_ids": products,
        "skus": skus,
        "category_slugs": categories,
    }
    if order_rows.deferring_now(session):
        return _record_in_memory(session, store_id, contact_id, order, values)
    order_rows.forget(session, store_id=store_id, order_id=order.id)
    existing = session.exec(
        select(ContactOrder)
        .where(ContactOrder.store_id == store_id, ContactOrder.order_id == order.id)
        # count_order writes the same row with Core statements: read what is there now, not
        # what an earlier event of the same batch left in the session
        .execution_options(populate_existing=True)
    ).first()
    forget_orders(session, contact_id, existing.contact_id if existing is not None else None)
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
    items_changed = _changed_items(existing, values)
    if items_changed is None:
        return existing
    for key, value in values.items():
        setattr(existing, key, value)
    session.add(existing)
    session.flush()
    if items_changed:
        session.execute(
            sa.delete(ContactPurchase).where(col(ContactPurchase.order_ref) == existing.id)
        )
        _write_purchases(session, existing)
    return existing


def _changed_items(existing: ContactOrder, values: dict[str, Any]) -> bool | None:
    """None when the row says all of `values` already; else whether its purchases change."""
    if all(getattr(existing, k) == v for k, v in values.items()):
        return None
    item_keys = ("contact_id", "counts", "product_ids", "skus", "category_slugs")
    return any(getattr(existing, k) != values[k] for k in item_keys)


def _record_in_memory(
    session: Session, store_id: int, contact_id: int, order: Order, values: dict[str, Any]
) -> ContactOrder:
    """`record_order` on the batch's rows (order_rows): the same decisions on the objects;
    the purchases they replace are written when the run ends (`_Replaced`)."""
    existing = order_rows.get(session, store_id=store_id, order_id=order.id)
    if existing is None:
        row = ContactOrder(
            store_id=store_id, order_id=order.id, created_at=order.created or clock.now(), **values
        )
        order_rows.add(session, row)
        order_added(session, contact_id, row.created_at)
        _replace_purchases(session, row)
        return row
    items_changed = _changed_items(existing, values)
    if items_changed is None:
        return existing
    if existing.contact_id != contact_id:
        forget_orders(session, contact_id, existing.contact_id)
    for key, value in values.items():
        setattr(existing, key, value)
    if items_changed:
        _replace_purchases(session, existing)
    return existing


class _Replaced:
    """A run's replaced purchases (plugin.db_compose `later`): those of each order row as its
    last change left them, written when the run ends in one DELETE and one INSERT instead of
    two statements per changed order."""

    def __init__(self) -> None:
        self.rows: dict[int, tuple[ContactOrder, list[dict[str, Any]]]] = {}
        self.stored: set[int] = set()  # rows whose stored purchases go first

    def write(self, session: Session) -> None:
        if not self.rows:
            return
        order_rows.write(session)  # the new rows get their ids
        entries = list(self.rows.items())
        self.rows.clear()
        stale = sorted(order.id for key, (order, _) in entries if key in self.stored and order.id)
        self.stored.clear()
        table = ContactPurchase.__table__  # type: ignore[attr-defined]
        db_compose.delete(session, table, "order_ref", stale)
        params = [{**p, "order_ref": order.id} for _, (order, rows) in entries for p in rows]
        db_compose.insert(session, table, params)


def _replace_purchases(session: Session, order: ContactOrder) -> None:
    """The order's purchases become what the row says now (in a run, kept for its end)."""
    replaced = db_compose.later(session, _Replaced)
    if replaced is None:
        order_rows.write(session)
        session.execute(
            sa.delete(ContactPurchase).where(col(ContactPurchase.order_ref) == order.id)
        )
        _write_purchases(session, order)
        return
    if order.id is not None:
        replaced.stored.add(id(order))
    replaced.rows[id(order)] = (order, _purchases(order))


def _purchases(order: ContactOrder) -> list[dict[str, Any]]:
    """The contact_purchase rows an order row stands for (none when it does not count)."""
    rows = [("product", v) for v in sorted(set(order.product_ids) | set(order.skus))] + [
        ("category", v) for v in order.category_slugs
    ]
    if not rows or not order.counts:
        return []
    return [
        {
            "store_id": order.store_id,
            "contact_id": order.contact_id,
            "kind": kind,
            "value": value[:255],
        }
        for kind, value in rows
    ]


def _write_purchases(session: Session, order: ContactOrder) -> None:
    rows = _purchases(order)
    if rows:
        session.execute(sa.insert(ContactPurchase), [{**r, "order_ref": order.id} for r in rows])


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
        sa.literal(now, ContactRfm.__table__.c.computed_at.type).label("computed_at"),  # type: ignore[attr-defined]  # SQLModel leaves __table__ undeclared
    ).select_from(per_contact.outerjoin(spend, spend.c.contact_id == per_contact.c.contact_id))
    session.execute(sa.delete(ContactRfm).where(col(ContactRfm.store_id) == store_id))
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
    # an INSERT's result is a CursorResult (it has rowcount); Session.execute is typed Result
    result = cast(
        "CursorResult[Any]",
        session.execute(
            sa.insert(ContactRfm).from_select(columns, scored),
            execution_options={"preserve_rowcount": True},
        ),
    )
    stores_service.set_extra_key(session, store_id, "rfm_refreshed_at", now.isoformat())
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
        # mark first so the next tick does not enqueue again while the refresh runs (one key:
        # a merchant's save that committed since this read keeps its own keys)
        stores_service.set_extra_key(
            session, settings.store_id, "rfm_refreshed_at", now.isoformat()
        )
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
