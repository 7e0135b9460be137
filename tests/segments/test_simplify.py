"""Simplified rules ask the database less and answer the same: wide groups of one field (the
shape that made a 200-condition rule cost seconds on 1M contacts) against the plain Python
reading of docs/segment-rules.md."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from plugin import clock
from plugin.contacts.models import Contact
from plugin.segments import service
from plugin.segments.compiler import RuleContext, compile_rule
from plugin.segments.rules import MAX_CONDITIONS, validate_rule
from plugin.segments.simplify import simplify
from tests.segments.test_rules import CONDITIONS, build_world, evaluate


def _leaf(field: str) -> st.SearchStrategy[dict[str, Any]]:
    return CONDITIONS[field].map(lambda c: {"field": field, **c})


# groups of one field's conditions, several fields side by side, nested: the merges' shapes
one_field_group = st.sampled_from(sorted(CONDITIONS)).flatmap(
    lambda f: st.builds(
        lambda kind, members: {kind: members},
        st.sampled_from(["all", "any"]),
        st.lists(_leaf(f), min_size=2, max_size=6),
    )
)
wide_rules = st.recursive(
    one_field_group,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda m: {"all": m}),
        st.lists(inner, min_size=1, max_size=3).map(lambda m: {"any": m}),
        inner.map(lambda r: {"not": r}),
    ),
    max_leaves=3,
)


def _conditions(rule: dict[str, Any]) -> int:
    if "field" in rule:
        return 1
    members = rule.get("all") or rule.get("any") or [rule["not"]]
    return sum(_conditions(m) for m in members)


@pytest.mark.sqlite
def test_merged_conditions_choose_exactly_the_contacts_the_rule_describes(
    session: Session,
) -> None:
    # given
    now = clock.now()
    store_id, people = build_world(session, now)
    ctx = RuleContext(store_id=store_id, currency="TRY", now=now)
    merged = []

    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(rule=wide_rules)
    def check(rule: dict[str, Any]) -> None:
        if validate_rule(rule):
            return  # nested too deep: refused before any SQL, tested elsewhere
        # when
        where = sa.and_(service.reachable(store_id), compile_rule(rule, ctx))
        got = set(session.execute(sa.select(Contact.id).where(where)).scalars())
        # then
        assert got == {p.id for p in people if evaluate(rule, p, now)}, rule
        merged.append(_conditions(simplify(rule)) < _conditions(rule))

    check()
    assert sum(merged) > 50  # the merges were exercised, not skipped


def test_a_wide_any_of_categories_becomes_one_probe_with_every_value() -> None:
    rule = {
        "any": [
            {"field": "bought_category", "op": "eq", "value": f"cat-{i}"}
            for i in range(MAX_CONDITIONS)
        ]
    }
    assert simplify(rule) == {
        "field": "bought_category",
        "op": "_in",
        "value": [f"cat-{i}" for i in range(MAX_CONDITIONS)],
    }


def test_bounds_keep_the_weakest_in_any_and_the_strictest_in_all() -> None:
    def orders(op: str, n: int) -> dict[str, Any]:
        return {"field": "orders_count", "op": op, "value": n}

    assert simplify({"any": [orders("gt", 5), orders("gte", 3), orders("gt", 2)]}) == orders(
        "gt", 2
    )
    assert simplify({"all": [orders("gt", 5), orders("gte", 6), orders("lt", 9)]}) == {
        "all": [orders("gte", 6), orders("lt", 9)]
    }


def test_own_columns_are_asked_before_other_tables_and_nesting_flattens() -> None:
    tag = {"field": "tags", "op": "has", "value": "vip"}
    country = {"field": "country", "op": "eq", "value": "TR"}
    assert simplify({"any": [tag, {"any": [country, {"not": {"not": tag}}]}]}) == {
        "any": [country, tag]
    }
