"""The rule compiler against a plain Python reading of docs/segment-rules.md, and the
validator against the admin UI's own cases (validateRule.test.ts)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from plugin import clock
from plugin.consent.models import ConsentAction
from plugin.contacts.models import Contact
from plugin.flows.models import CheckoutState
from plugin.saleor.payloads import Order
from plugin.segments import orders as segment_orders
from plugin.segments import service
from plugin.segments.compiler import RuleContext, compile_rule, normalise_tag
from plugin.segments.rules import MAX_DEPTH, InvalidRule, validate_rule
from plugin.segments.service import Audience
from plugin.segments.tags import TagSource, record_tags
from plugin.stores.models import Plan
from plugin.stores.plans import PlanLimitError
from tests.segments.factories import (
    grant_marketing,
    make_checkout,
    make_contact,
    make_inbound,
    make_store,
    order_payload,
)

TAGS = ["vip", "colour:blue", "b2b", "VIP ", "nobody"]
COUNTRIES = ["TR", "DE", "US"]
LOCALES = ["tr", "en", "tr-TR", "en_US", "de"]
PRODUCTS = ["P1", "SKU-2", "P9"]
CATEGORIES = ["shoes", "bags", "hats"]
ANSWERS = ["colour:blue", "colour:red", "size:M"]
DAYS = [1, 7, 30, 90, 365]


@dataclass
class Person:
    id: int
    country: str | None
    locale: str | None
    orders_count: int
    spent: Decimal
    first_order_at: datetime | None
    last_order_at: datetime | None
    tags: set[str] = field(default_factory=set)
    bought: set[tuple[str, str]] = field(default_factory=set)
    checkouts: list[tuple[str, int, datetime]] = field(default_factory=list)
    consent: list[tuple[datetime, bool]] = field(default_factory=list)  # (at, is a revoke)
    replies: list[datetime] = field(default_factory=list)
    payloads: set[str] = field(default_factory=set)


def build_world(session: Session, now: datetime) -> tuple[int, list[Person]]:
    """Thirty contacts with every field varied, seeded so a failure reproduces."""
    rnd = random.Random(7)
    store = make_store(session)
    make_contact(
        make_store(session) and session, make_store(session), country="TR"
    )  # another store's
    people = []

    def ago(days: float) -> datetime:
        return now - timedelta(days=days)

    for i in range(30):
        orders = rnd.choice([0, 0, 1, 2, 3, 5])
        last = ago(rnd.choice([0.5, 6.5, 29.5, 89.5, 200.5, 400.5])) if orders else None
        first = (last - timedelta(days=rnd.choice([0, 10, 100]))) if last else None
        spent = (
            Decimal(rnd.choice(["0", "49.99", "100.50", "250", "1000"])) if orders else Decimal("0")
        )
        country = rnd.choice([*COUNTRIES, None])
        locale = rnd.choice([*LOCALES, "TR_tr", None])
        totals = {"TRY": str(spent)} if spent else rnd.choice([{}, {"USD": "999"}])
        contact = make_contact(
            session,
            store,
            country=country,
            locale=locale,
            orders_count=orders,
            total_spent=totals,
            first_order_at=first,
            last_order_at=last,
        )
        assert contact.id is not None
        p = Person(contact.id, country, locale, orders, Decimal(spent), first, last)
        for tag in rnd.sample(["vip", "colour:blue", "b2b"], rnd.choice([0, 1, 2])):
            record_tags(
                session,
                store_id=store.id,
                contact_id=contact.id,
                tags=[tag],
                source=TagSource.MANUAL,
            )
            p.tags.add(tag)
        if orders:
            product = rnd.choice(["P1", "P2"])
            sku = rnd.choice(["SKU-2", "SKU-3"])
            category = rnd.choice(["shoes", "bags"])
            line = {
                "id": "l",
                "productSku": sku,
                "variant": {"sku": sku, "product": {"id": product, "category": {"slug": category}}},
            }
            segment_orders.record_order(
                session,
                store_id=store.id,
                contact_id=contact.id,
                order=Order.model_validate(order_payload(f"w-{i}", lines=[line], created=last)),
            )
            p.bought |= {("product", product), ("product", sku), ("category", category)}
        for _ in range(rnd.choice([0, 0, 1, 2])):
            state = rnd.choice([CheckoutState.OPEN, CheckoutState.OPEN, CheckoutState.ORDERED])
            lines = rnd.choice([0, 2])
            change = ago(rnd.choice([0.01, 0.5, 3.5]))
            make_checkout(session, contact, state=state, lines_count=lines, last_change=change)
            p.checkouts.append((state.value, lines, change))
        for _ in range(rnd.choice([0, 1, 2])):
            at = ago(rnd.choice([3.5, 45.5, 120.5]))
            action = rnd.choice([ConsentAction.GRANTED, ConsentAction.REVOKED])
            grant_marketing(session, contact, at=at, action=action)
            p.consent.append((at, action == ConsentAction.REVOKED))
        for _ in range(rnd.choice([0, 1, 2])):
            at = ago(rnd.choice([0.5, 10.5, 100.5]))
            payload = rnd.choice([None, "TAG:colour:blue", "size:M", "STOP"])
            make_inbound(session, contact, at=at, payload=payload)
            p.replies.append(at)
            if payload:
                p.payloads.add(payload)
        people.append(p)
    session.commit()
    assert store.id is not None
    return store.id, people


def within(at: datetime | None, days: int, now: datetime) -> bool:
    return at is not None and at >= now - timedelta(days=days)


def locale_match(locale: str | None, wanted: str) -> bool:
    if locale is None:
        return False
    loc, want = locale.replace("_", "-").lower(), wanted.replace("_", "-").lower()
    return loc == want or ("-" not in want and loc.startswith(want + "-"))


def compare(x: Any, op: str, v: Any) -> bool:
    if op == "between":
        return v[0] <= x <= v[1]
    return {"eq": x == v, "gt": x > v, "gte": x >= v, "lt": x < v, "lte": x <= v}[op]


def evaluate(rule: dict[str, Any], p: Person, now: datetime) -> bool:
    """The rule language read literally, one contact at a time."""
    if "all" in rule:
        return all(evaluate(r, p, now) for r in rule["all"])
    if "any" in rule:
        return any(evaluate(r, p, now) for r in rule["any"])
    if "not" in rule:
        return not evaluate(rule["not"], p, now)
    f, op, v = rule["field"], rule["op"], rule.get("value")
    if f == "tags":
        return (normalise_tag(v) in p.tags) == (op == "has")
    if f == "country":
        inside = p.country is not None and (
            p.country == v if op in ("eq", "neq") else p.country in v
        )
        return inside if op in ("eq", "in") else not inside
    if f == "locale":
        return any(locale_match(p.locale, w) for w in ([v] if op == "eq" else v))
    if f == "orders_count":
        return compare(p.orders_count, op, v)
    if f == "total_spent":
        bound = [Decimal(str(x)) for x in v] if op == "between" else Decimal(str(v))
        return compare(p.spent, op, bound)
    if f in ("last_order_at", "first_order_at"):
        at = p.last_order_at if f == "last_order_at" else p.first_order_at
        if op == "never":
            return at is None
        return within(at, v, now) == (op == "within_days")
    if f == "bought_product":
        return ("product", v.strip()) in p.bought
    if f == "bought_category":
        return ("category", v) in p.bought
    if f == "checkout_state":
        open_ = [c for c in p.checkouts if c[0] == "open" and c[1] > 0]
        if v == "none":
            return not open_
        if v == "open":
            return bool(open_)
        return any(
            change <= now - timedelta(hours=1)
            and (p.last_order_at is None or p.last_order_at < change)
            for _, _, change in open_
        )
    if f == "marketing_consent_at":
        # consented now: the latest fact (a revoke wins a tie) is a grant, and in the window
        latest = max(p.consent, default=None)
        consented = latest is not None and not latest[1] and within(latest[0], v, now)
        return consented == (op == "within_days")
    if f == "last_reply_at":
        if op == "never":
            return not p.replies
        return any(within(at, v, now) for at in p.replies) == (op == "within_days")
    if f == "button_answer":
        return v in p.payloads or f"TAG:{v}" in p.payloads
    raise AssertionError(f)


def _sorted_pair(values: list[Any]) -> st.SearchStrategy[list[Any]]:
    return st.tuples(st.sampled_from(values), st.sampled_from(values)).map(lambda t: sorted(t))


RECENCY = st.one_of(
    st.builds(
        lambda op, d: {"op": op, "value": d},
        st.sampled_from(["within_days", "not_within_days"]),
        st.sampled_from(DAYS),
    ),
    st.just({"op": "never"}),
)
CONDITIONS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "tags": st.builds(
        lambda op, v: {"op": op, "value": v},
        st.sampled_from(["has", "has_not"]),
        st.sampled_from(TAGS),
    ),
    "country": st.one_of(
        st.builds(
            lambda op, v: {"op": op, "value": v},
            st.sampled_from(["eq", "neq"]),
            st.sampled_from(COUNTRIES),
        ),
        st.builds(
            lambda op, v: {"op": op, "value": v},
            st.sampled_from(["in", "not_in"]),
            st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=3),
        ),
    ),
    "locale": st.one_of(
        st.builds(lambda v: {"op": "eq", "value": v}, st.sampled_from(LOCALES)),
        st.builds(
            lambda v: {"op": "in", "value": v},
            st.lists(st.sampled_from(LOCALES), min_size=1, max_size=3),
        ),
    ),
    "orders_count": st.one_of(
        st.builds(
            lambda op, v: {"op": op, "value": v},
            st.sampled_from(["eq", "gt", "gte", "lt", "lte"]),
            st.integers(0, 6),
        ),
        st.builds(lambda v: {"op": "between", "value": v}, _sorted_pair(list(range(7)))),
    ),
    "total_spent": st.one_of(
        st.builds(
            lambda op, v: {"op": op, "value": v},
            st.sampled_from(["gt", "gte", "lt", "lte"]),
            st.sampled_from([0, 49.99, 100.5, 250, 999.5]),
        ),
        st.builds(
            lambda v: {"op": "between", "value": v}, _sorted_pair([0, 49.99, 100.5, 250, 1000])
        ),
    ),
    "last_order_at": RECENCY,
    "first_order_at": RECENCY,
    "bought_product": st.builds(lambda v: {"op": "eq", "value": v}, st.sampled_from(PRODUCTS)),
    "bought_category": st.builds(lambda v: {"op": "eq", "value": v}, st.sampled_from(CATEGORIES)),
    "checkout_state": st.builds(
        lambda v: {"op": "eq", "value": v}, st.sampled_from(["open", "abandoned", "none"])
    ),
    "marketing_consent_at": st.builds(
        lambda op, d: {"op": op, "value": d},
        st.sampled_from(["within_days", "not_within_days"]),
        st.sampled_from(DAYS),
    ),
    "last_reply_at": RECENCY,
    "button_answer": st.builds(lambda v: {"op": "eq", "value": v}, st.sampled_from(ANSWERS)),
}
condition = st.one_of(*(s.map(lambda c, f=f: {"field": f, **c}) for f, s in CONDITIONS.items()))


def _depth(rule: dict[str, Any]) -> int:
    members = rule.get("all") or rule.get("any") or ([rule["not"]] if "not" in rule else [])
    return 1 + max((_depth(m) for m in members), default=-1)


rules = st.recursive(
    condition,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4).map(lambda m: {"all": m}),
        st.lists(inner, min_size=1, max_size=4).map(lambda m: {"any": m}),
        inner.map(lambda r: {"not": r}),
    ),
    max_leaves=8,
).filter(lambda r: _depth(r) <= MAX_DEPTH)  # `not` adds depth but no leaf


@pytest.mark.sqlite
def test_random_valid_rules_compile_and_agree_with_a_plain_python_reading(session: Session) -> None:
    # given
    now = clock.now()
    store_id, people = build_world(session, now)
    ctx = RuleContext(store_id=store_id, currency="TRY", now=now)
    seen_nonempty = []

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(rule=rules)
    def check(rule: dict[str, Any]) -> None:
        # when
        assert validate_rule(rule) == []
        where = sa.and_(service.reachable(store_id), compile_rule(rule, ctx))
        got = set(session.execute(sa.select(Contact.id).where(where)).scalars())
        # then
        expected = {p.id for p in people if evaluate(rule, p, now)}
        assert got == expected, rule
        # and the count the builder and the campaign show (own columns first) says as many
        assert session.execute(service.count_select(where)).scalar_one() == len(expected), rule
        seen_nonempty.append(0 < len(expected) < len(people))

    check()
    assert sum(seen_nonempty) > 30  # the rules actually split the data


@pytest.mark.sqlite
@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"any": []}, [("any", "empty_group")]),
        ({"field": "age", "op": "gt", "value": 3}, [("field", "unknown_field")]),
        ({"field": "tags", "op": "gt", "value": "x"}, [("op", "unknown_op")]),
        ({"all": [1]}, [("all.0", "invalid_rule")]),
        ({"all": [], "any": []}, [("", "invalid_rule")]),
        ({"field": "tags", "op": "has", "value": ""}, [("value", "value_required")]),
        ({"field": "orders_count", "op": "gt", "value": 1.5}, [("value", "invalid_value")]),
        ({"field": "orders_count", "op": "between", "value": [5, 2]}, [("value", "invalid_value")]),
        ({"field": "total_spent", "op": "lt", "value": -1}, [("value", "invalid_value")]),
        ({"field": "last_reply_at", "op": "within_days", "value": 0}, [("value", "invalid_value")]),
        ({"field": "last_reply_at", "op": "never", "value": 3}, [("value", "value_not_allowed")]),
        ({"field": "checkout_state", "op": "eq", "value": "paid"}, [("value", "invalid_value")]),
        ({"field": "button_answer", "op": "eq", "value": "no-colon"}, [("value", "invalid_value")]),
        ({"field": "locale", "op": "in", "value": ["tr", "EN!"]}, [("value", "invalid_value")]),
        ({"field": "orders_count", "op": "gt", "value": True}, [("value", "invalid_value")]),
        ({"field": "total_spent", "op": "gt", "value": "100"}, [("value", "invalid_value")]),
        (
            {"field": "country", "op": "eq", "value": "TR'; DROP TABLE contact; --"},
            [("value", "invalid_value")],
        ),
        ({"field": "id; DROP TABLE contact", "op": "eq", "value": 1}, [("field", "unknown_field")]),
        ({"field": "tags", "op": "has", "value": "x", "sql": "1=1"}, [("", "invalid_rule")]),
        ("SELECT 1", [("", "invalid_rule")]),
    ],
)
def test_invalid_rules_give_the_same_paths_and_codes_as_the_admin_ui(
    rule: Any, expected: list[tuple[str, str]]
) -> None:
    # when
    errors = validate_rule(rule)
    # then
    assert [(e.path, e.code) for e in errors] == expected


@pytest.mark.sqlite
def test_errors_carry_both_languages_and_nested_paths() -> None:
    # given
    rule = {
        "all": [
            {"field": "tags", "op": "has", "value": "vip"},
            {"any": [{"not": {"field": "country", "op": "eq", "value": "tr"}}]},
        ]
    }
    # when
    errors = validate_rule(rule)
    # then
    assert [(e.path, e.code, e.message_en, e.message_tr) for e in errors] == [
        (
            "all.1.any.0.not.value",
            "invalid_value",
            "Use a two-letter country code, e.g. TR.",
            "İki harfli ülke kodu kullanın, örneğin TR.",
        )
    ]
    assert validate_rule({"any": []})[0].message_tr == "Bu gruba en az bir koşul ekleyin."


@pytest.mark.sqlite
def test_rules_nested_too_deep_are_refused() -> None:
    rule: dict[str, Any] = {"field": "tags", "op": "has", "value": "vip"}
    for _ in range(7):
        rule = {"not": rule}
    assert [(e.path, e.code) for e in validate_rule(rule)] == [(".".join(["not"] * 7), "too_deep")]


@pytest.mark.sqlite
def test_sql_in_a_value_is_only_ever_a_bound_value(session: Session) -> None:
    # given
    store = make_store(session)
    make_contact(session, store)
    ctx = RuleContext(store_id=store.id, currency="TRY", now=clock.now())
    evil = "x'); DELETE FROM contact; --"
    rule = {
        "any": [
            {"field": "tags", "op": "has", "value": evil},
            {"field": "bought_product", "op": "eq", "value": evil},
        ]
    }
    # when
    where = compile_rule(rule, ctx)
    count = session.execute(sa.select(sa.func.count()).select_from(Contact).where(where)).scalar()
    # then
    assert count == 0
    assert "DELETE" not in str(sa.select(Contact.id).where(where).compile(session.get_bind()))
    assert session.execute(sa.select(sa.func.count()).select_from(Contact)).scalar() == 1


@pytest.mark.sqlite
def test_an_invalid_rule_raises_with_every_error_and_saves_nothing(session: Session) -> None:
    # given
    store = make_store(session)
    # when
    with pytest.raises(InvalidRule) as caught:
        service.save_segment(
            session,
            store_id=store.id,
            name="bad",
            rule={"all": [{"field": "tags", "op": "has"}, {"any": []}]},
        )
    session.rollback()
    # then
    assert [(e.path, e.code) for e in caught.value.errors] == [
        ("all.0.value", "value_required"),
        ("all.1.any", "empty_group"),
    ]
    assert service.list_segments(session, store_id=store.id) == []


@pytest.mark.sqlite
def test_own_segments_need_silver_and_are_refused_on_free_in_both_languages(
    session: Session,
) -> None:
    # given
    store = make_store(session, plan=Plan.FREE)
    rule = {"field": "tags", "op": "has", "value": "vip"}
    # when
    with pytest.raises(PlanLimitError) as saving:
        service.save_segment(session, store_id=store.id, name="VIPs", rule=rule)
    with pytest.raises(PlanLimitError) as previewing:
        service.preview_audience(session, store_id=store.id, audience=Audience(rule=rule))
    # then
    assert saving.value.required == Plan.SILVER
    assert (
        saving.value.message_tr
        == "Planınız kendi segmentleriniz içermiyor. Kullanmak için Gümüş plana geçin."
    )
    assert previewing.value.feature == "own_segments"
    assert (
        service.preview_audience(session, store_id=store.id, audience=Audience(builtin="new"))[
            "count"
        ]
        == 0
    )


@pytest.mark.sqlite
def test_a_saved_segment_previews_through_its_rule(session: Session) -> None:
    # given
    store = make_store(session, plan=Plan.SILVER)
    turk = make_contact(session, store, country="TR")
    make_contact(session, store, country="DE")
    segment = service.save_segment(
        session,
        store_id=store.id,
        name="Türkiye",
        rule={"field": "country", "op": "eq", "value": "TR"},
    )
    session.commit()
    # when
    preview = service.preview_audience(
        session, store_id=store.id, audience=Audience(segment_id=segment.id)
    )
    # then
    assert preview["count"] == 1
    assert [c["id"] for c in preview["sample"]] == [turk.id]
