"""Rewrites a valid rule into an equivalent one that costs the database less to evaluate.

Why: a rule is evaluated once per contact, and each condition that reads another table (tags,
purchases, replies, the consent ledger) is a probe per contact. A merchant's "bought any of these
40 categories" written as 40 conditions made 40 probes per contact: on 1M contacts a rule of 200
such conditions took 3.4 s to count and 8.8 s to preview (issue 17, point 8). The same question
asked once, as one probe with a list of values, takes one probe. So, inside each group:

- nested groups of the same kind are flattened (`any[any[a, b], c]` is `any[a, b, c]`), a group
  of one is its member, `not not x` is `x`, and identical conditions count once;
- siblings on the same field merge: in `any`, "has tag a" or "has tag b" is "has one of a, b",
  bought product/category and button answers likewise, country and locale lists join, and
  bounds keep the weakest (`orders > 2` or `orders > 5` is `orders > 2`; "within 30 days" or
  "within 90 days" is "within 90 days"); in `all`, "has not a" and "has not b" is "has none of
  a, b", excluded countries join, and bounds keep the strictest;
- conditions on the contact's own columns come before those that read other tables, because
  PostgreSQL evaluates a boolean expression's arms in order and stops at the first that
  decides it.

The result uses operators the merchant never writes (`has_any` and `has_none` on tags, `_in` on
counts, purchases and answers), which `plugin.segments.compiler` compiles; it is never stored
or shown. Equivalence is checked by property tests against a plain Python reading.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

Rule = dict[str, Any]

# Fields whose condition reads another table: a probe per contact.
PROBES = frozenset(
    {
        "tags",
        "bought_product",
        "bought_category",
        "checkout_state",
        "marketing_consent_at",
        "last_reply_at",
        "button_answer",
    }
)
RECENCY = frozenset({"last_order_at", "first_order_at", "last_reply_at", "marketing_consent_at"})
BOUNDED = frozenset({"orders_count", "total_spent"})
LOWER = {"gt": 1, "gte": 0}  # the op's tie-break: at the same value, `gt` is the stricter
UPPER = {"lt": 0, "lte": 1}  # at the same value, `lt` is the stricter


def simplify(rule: Rule) -> Rule:
    """An equivalent rule with fewer, cheaper conditions (the rule must be valid)."""
    if "not" in rule:
        inner = simplify(rule["not"])
        return inner["not"] if "not" in inner else {"not": inner}
    kind = "all" if "all" in rule else "any" if "any" in rule else None
    if kind is None:
        return rule
    members: list[Rule] = []
    for member in (simplify(m) for m in rule[kind]):
        members.extend(member[kind] if kind in member else [member])  # flatten same-kind groups
    merged = _merge(members, union=kind == "any")
    if len(merged) == 1:
        return merged[0]
    return {kind: merged}


def _merge(members: list[Rule], *, union: bool) -> list[Rule]:
    leaves: dict[tuple[str, str], list[Rule]] = {}
    groups: list[Rule] = []
    seen: set[str] = set()
    for member in members:
        key = json.dumps(member, sort_keys=True, default=str)
        if key in seen:
            continue  # the same condition twice asks the same question
        seen.add(key)
        if "field" in member:
            family = _family(member["field"], member["op"])
            leaves.setdefault((member["field"], family), []).append(member)
        else:
            groups.append(member)
    out: list[Rule] = []
    for (field, family), same in leaves.items():
        combine = _COMBINE.get((family, union))
        out.extend(combine(field, same) if combine and len(same) > 1 else same)
    out.sort(key=lambda leaf: leaf["field"] in PROBES)  # own columns first (stable)
    return out + groups


LISTED = frozenset({"country", "locale"})  # fields whose `in` / `not_in` take a list already
JOINABLE_EQ = frozenset({"orders_count", "bought_product", "bought_category", "button_answer"})


def _family(field: str, op: str) -> str:
    """Conditions of one family on one field can merge; any other pair stays apart."""
    if op in LOWER:
        return "lower"
    if op in UPPER:
        return "upper"
    if field in LISTED:
        return "include" if op in ("eq", "in") else "exclude"
    if op == "eq":
        return "eq" if field in JOINABLE_EQ else "keep"  # checkout states do not join
    return op


def _values(leaf: Rule) -> list[Any]:
    value = leaf["value"]
    return list(value) if isinstance(value, list) else [value]


def _joined(op: str) -> Callable[[str, list[Rule]], list[Rule]]:
    """Siblings whose values join into one list under `op` (the internal list operator)."""

    def combine(field: str, same: list[Rule]) -> list[Rule]:
        values: list[Any] = []
        for leaf in same:
            values.extend(v for v in _values(leaf) if v not in values)
        return [{"field": field, "op": op, "value": values}]

    return combine


def _bound(*, upper: bool, weakest: bool) -> Callable[[str, list[Rule]], list[Rule]]:
    """One bound standing for several on the same field: the weakest in `any`, the strictest in
    `all`. Ordered by (value, strictness), `gt 3` above `gte 3`, `lt 3` below `lte 3`."""
    ties = UPPER if upper else LOWER

    def key(leaf: Rule) -> tuple[Decimal, int]:
        return Decimal(str(leaf["value"])), ties[leaf["op"]]

    def combine(field: str, same: list[Rule]) -> list[Rule]:
        # lower bounds: a smaller key is weaker; upper bounds: a larger key is weaker
        pick = min if weakest != upper else max
        return [pick(same, key=key)]

    return combine


def _days(*, longest: bool) -> Callable[[str, list[Rule]], list[Rule]]:
    def combine(field: str, same: list[Rule]) -> list[Rule]:
        pick = max if longest else min
        return [pick(same, key=lambda leaf: int(leaf["value"]))]

    return combine


_COMBINE: dict[tuple[str, bool], Callable[[str, list[Rule]], list[Rule]]] = {
    # in `any` (union=True)
    ("has", True): _joined("has_any"),
    ("eq", True): _joined("_in"),
    ("include", True): _joined("in"),
    ("lower", True): _bound(upper=False, weakest=True),
    ("upper", True): _bound(upper=True, weakest=True),
    ("within_days", True): _days(longest=True),  # within N widens with N
    ("not_within_days", True): _days(longest=False),  # not within N narrows with N
    # in `all` (union=False)
    ("has_not", False): _joined("has_none"),
    ("exclude", False): _joined("not_in"),
    ("lower", False): _bound(upper=False, weakest=False),
    ("upper", False): _bound(upper=True, weakest=False),
    ("within_days", False): _days(longest=False),
    ("not_within_days", False): _days(longest=True),
}
