"""The segment rule compiler: a validated rule becomes one SQLAlchemy Core condition over
`contact`, every value a bound parameter. The language and its validation live in
`plugin.segments.rules`; each field here has its entry in `rules.FIELD_SPECS`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from plugin.consent import state as consent_state
from plugin.contacts.models import Contact
from plugin.delivery.models import InboundMessage
from plugin.flows.models import CheckoutState, TrackedCheckout
from plugin.segments.models import ContactPurchase, ContactTag
from plugin.segments.rules import FIELD_SPECS, InvalidRule, validate_rule
from plugin.segments.simplify import simplify


@dataclass(frozen=True)
class RuleContext:
    """What a rule is evaluated against: the store, its currency and one fixed `now`."""

    store_id: int
    currency: str
    now: datetime
    abandoned_idle: timedelta = timedelta(hours=1)


def normalise_tag(tag: str) -> str:
    """Tags compare case-insensitively with single spaces ("VIP  list" == "vip list")."""
    return " ".join(tag.replace("İ", "i").split()).lower()[:100]


def normalise_locale(locale: str) -> str:
    return locale.replace("_", "-").lower()


def total_spent_expr(currency: str) -> ColumnElement[Any]:
    """The contact's lifetime spend in `currency` (0 when none), from Contact.total_spent."""
    spent: Any = Contact.total_spent
    return sa.func.coalesce(sa.cast(spent[currency].as_string(), sa.Numeric(14, 2)), 0)


def compile_rule(rule: Any, ctx: RuleContext) -> ColumnElement[bool]:
    """The rule as one boolean SQL expression over `contact` (raises InvalidRule first).

    Every condition is two-valued (never NULL), so `not` means what the merchant expects. The
    rule is simplified first (`plugin.segments.simplify`): the same answer, fewer probes.
    """
    errors = validate_rule(rule)
    if errors:
        raise InvalidRule(errors)
    return _compile(simplify(rule), ctx)


def _compile(rule: dict[str, Any], ctx: RuleContext) -> ColumnElement[bool]:
    if "all" in rule:
        return sa.and_(*(_compile(m, ctx) for m in rule["all"]))
    if "any" in rule:
        return sa.or_(*(_compile(m, ctx) for m in rule["any"]))
    if "not" in rule:
        return sa.not_(_compile(rule["not"], ctx))
    return _CONDITIONS[rule["field"]](rule["op"], rule.get("value"), ctx)


def _compare(expr: Any, op: str, value: Any) -> ColumnElement[bool]:
    """`expr` is a column or an expression and `value` JSON, both Any: mypy sees the results as
    Any, hence the ignores."""
    if op == "eq":
        return expr == value  # type: ignore[no-any-return]
    if op == "_in":  # several `eq` merged by plugin.segments.simplify
        return expr.in_(value)  # type: ignore[no-any-return]
    if op == "gt":
        return expr > value  # type: ignore[no-any-return]
    if op == "gte":
        return expr >= value  # type: ignore[no-any-return]
    if op == "lt":
        return expr < value  # type: ignore[no-any-return]
    if op == "lte":
        return expr <= value  # type: ignore[no-any-return]
    if op == "between":
        return expr.between(value[0], value[1])  # type: ignore[no-any-return]
    raise AssertionError(op)


def _recency(
    column: Mapped[datetime | None], op: str, value: Any, ctx: RuleContext
) -> ColumnElement[bool]:
    if op == "never":
        return column.is_(None)
    within = sa.and_(column.is_not(None), column >= ctx.now - timedelta(days=int(value)))
    return within if op == "within_days" else sa.not_(within)


def _tags(op: str, value: Any, ctx: RuleContext) -> ColumnElement[bool]:
    """`has` / `has_not` one tag; `has_any` / `has_none` a list (merged by simplify)."""
    tags = [normalise_tag(v) for v in (value if isinstance(value, list) else [value])]
    has = sa.exists().where(
        col(ContactTag.store_id) == ctx.store_id,
        col(ContactTag.tag).in_(tags) if len(tags) > 1 else col(ContactTag.tag) == tags[0],
        col(ContactTag.contact_id) == Contact.id,
    )
    return has if op in ("has", "has_any") else sa.not_(has)


def _country(op: str, value: Any, ctx: RuleContext) -> ColumnElement[bool]:
    col: Any = Contact.country
    if op == "eq":
        return sa.and_(col.is_not(None), col == value)
    if op == "in":
        return sa.and_(col.is_not(None), col.in_(list(value)))
    if op == "neq":
        return sa.or_(col.is_(None), col != value)
    return sa.or_(col.is_(None), col.not_in(list(value)))


def _locale_match(value: str) -> ColumnElement[bool]:
    col: Any = Contact.locale
    loc = sa.func.lower(sa.func.replace(col, "_", "-"))
    wanted = normalise_locale(value)
    match = loc == wanted
    if "-" not in wanted:
        match = sa.or_(match, sa.func.substr(loc, 1, len(wanted) + 1) == wanted + "-")
    return sa.and_(col.is_not(None), match)


def _locale(op: str, value: Any, ctx: RuleContext) -> ColumnElement[bool]:
    values = [value] if op == "eq" else list(value)
    return sa.or_(*(_locale_match(v) for v in values))


def _orders_count(op: str, value: Any, ctx: RuleContext) -> ColumnElement[bool]:
    bound = [int(v) for v in value] if op in ("between", "_in") else int(value)
    return _compare(Contact.orders_count, op, bound)


def _money(value: Any) -> Decimal:
    return Decimal(str(value))


def _total_spent(op: str, value: Any, ctx: RuleContext) -> ColumnElement[bool]:
    bound = [_money(v) for v in value] if op == "between" else _money(value)
    return _compare(total_spent_expr(ctx.currency), op, bound)


def _purchase(kind: str) -> Callable[[str, Any, RuleContext], ColumnElement[bool]]:
    def condition(op: str, value: Any, ctx: RuleContext) -> ColumnElement[bool]:
        values = [
            v.strip() if kind == "product" else v for v in (value if op == "_in" else [value])
        ]
        return sa.exists().where(
            col(ContactPurchase.store_id) == ctx.store_id,
            col(ContactPurchase.kind) == kind,
            col(ContactPurchase.value).in_(values)
            if len(values) > 1
            else col(ContactPurchase.value) == values[0],
            col(ContactPurchase.contact_id) == Contact.id,
        )

    return condition


def open_checkout_exists(ctx: RuleContext, *, abandoned: bool) -> ColumnElement[bool]:
    """An open checkout with lines; `abandoned`: idle past the threshold, no order since."""
    tc: Any = TrackedCheckout
    where = [
        tc.store_id == ctx.store_id,
        tc.contact_id == Contact.id,
        tc.state == CheckoutState.OPEN.value,
        tc.lines_count > 0,
    ]
    if abandoned:
        last_order: Any = Contact.last_order_at
        where += [
            tc.last_change.is_not(None),
            tc.last_change <= ctx.now - ctx.abandoned_idle,
            sa.or_(last_order.is_(None), last_order < tc.last_change),
        ]
    return sa.exists().where(*where)


def _checkout_state(op: str, value: Any, ctx: RuleContext) -> ColumnElement[bool]:
    if value == "none":
        return sa.not_(open_checkout_exists(ctx, abandoned=False))
    return open_checkout_exists(ctx, abandoned=value == "abandoned")


def _marketing_consent_at(op: str, value: Any, ctx: RuleContext) -> ColumnElement[bool]:
    """Consented now (the one read model) with the deciding grant in the last N days."""
    since = ctx.now - timedelta(days=int(value))
    granted = consent_state.granted_since(since, store_id=ctx.store_id)
    return granted if op == "within_days" else sa.not_(granted)


def _last_reply_at(op: str, value: Any, ctx: RuleContext) -> ColumnElement[bool]:
    im: Any = InboundMessage
    where = [im.contact_id == Contact.id]
    if op != "never":
        where.append(im.received_at >= ctx.now - timedelta(days=int(value)))
    replied = sa.exists().where(*where)
    return replied if op == "within_days" else sa.not_(replied)


def _button_answer(op: str, value: Any, ctx: RuleContext) -> ColumnElement[bool]:
    im: Any = InboundMessage
    answers = value if op == "_in" else [value]
    payloads = [p for a in answers for p in (a, f"TAG:{a}")]
    return sa.exists().where(im.contact_id == Contact.id, im.button_payload.in_(payloads))


_CONDITIONS: dict[str, Callable[[str, Any, RuleContext], ColumnElement[bool]]] = {
    "tags": _tags,
    "country": _country,
    "locale": _locale,
    "orders_count": _orders_count,
    "total_spent": _total_spent,
    "last_order_at": lambda op, v, ctx: _recency(col(Contact.last_order_at), op, v, ctx),
    "first_order_at": lambda op, v, ctx: _recency(col(Contact.first_order_at), op, v, ctx),
    "bought_product": _purchase("product"),
    "bought_category": _purchase("category"),
    "checkout_state": _checkout_state,
    "marketing_consent_at": _marketing_consent_at,
    "last_reply_at": _last_reply_at,
    "button_answer": _button_answer,
}
assert set(_CONDITIONS) == set(FIELD_SPECS)
