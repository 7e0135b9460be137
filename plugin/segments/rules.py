"""The segment rule language and its validation (the admin UI's validateRule.ts, ported
exactly); `plugin.segments.compiler` turns a valid rule into SQL.

A rule is `{"all": [...]}`, `{"any": [...]}`, `{"not": rule}` or a condition
`{"field": F, "op": OP, "value": V}`. Only whitelisted fields and operators exist; every
value is a bound parameter, never text spliced into SQL. docs/segment-rules.md is the
reference; admin_ui/src/segments/ruleLanguage.ts is the same table for the builder.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from plugin.errors import InvalidPayload

MAX_DEPTH = 6
# With the depth, bounds what one rule costs the database (issue 17: each query under 2 s).
MAX_CONDITIONS = 200

COUNT_OPS = {
    "eq": "int",
    "gt": "int",
    "gte": "int",
    "lt": "int",
    "lte": "int",
    "between": "int_range",
}
MONEY_OPS = {"gt": "money", "gte": "money", "lt": "money", "lte": "money", "between": "money_range"}
RECENCY_OPS = {"within_days": "days", "not_within_days": "days", "never": "none"}

# field -> {op: value kind}; the same table as FIELD_SPECS in ruleLanguage.ts.
FIELD_SPECS: dict[str, dict[str, str]] = {
    "tags": {"has": "text", "has_not": "text"},
    "country": {"eq": "country", "neq": "country", "in": "country_list", "not_in": "country_list"},
    "locale": {"eq": "locale", "in": "locale_list"},
    "orders_count": COUNT_OPS,
    "total_spent": MONEY_OPS,
    "last_order_at": RECENCY_OPS,
    "first_order_at": RECENCY_OPS,
    "bought_product": {"eq": "text"},
    "bought_category": {"eq": "slug"},
    "checkout_state": {"eq": "checkout_state"},
    "marketing_consent_at": {"within_days": "days", "not_within_days": "days"},
    "last_reply_at": RECENCY_OPS,
    "button_answer": {"eq": "answer"},
}
CHECKOUT_STATES = ("open", "abandoned", "none")

_COUNTRY = re.compile(r"[A-Z]{2}")
_LOCALE = re.compile(r"[a-z]{2}([-_][A-Za-z]{2,4})?")
_SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
_ANSWER = re.compile(r"[^:\s][^:]*:.+")


@dataclass(frozen=True)
class RuleError:
    path: str
    code: str
    message_en: str
    message_tr: str


class InvalidRule(InvalidPayload):
    """A rule that does not validate; `errors` lists every problem with its path."""

    code = "INVALID_RULE"

    def __init__(self, errors: list[RuleError]) -> None:
        first = errors[0]
        super().__init__(f"{first.path or '(root)'}: {first.message_en}")
        self.errors = errors


def _join(base: str, key: str | int) -> str:
    return f"{base}.{key}" if base else str(key)


def _js_string(value: Any) -> str:
    """String(value) as JavaScript writes it, so messages match the UI's word for word."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(_js_string(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


# Upper bounds: a count is an INTEGER column, days must fit a timedelta, money a NUMERIC.
MAX_COUNT = 2**31 - 1
MAX_DAYS = 36_500
MAX_MONEY = 10**12


def _is_number(value: Any, ceiling: float = MAX_MONEY) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and abs(value) <= ceiling  # first: a huge int cannot become a float
        and math.isfinite(value)
    )


def _is_integer(value: Any, ceiling: int = MAX_COUNT) -> bool:
    return _is_number(value, ceiling) and float(value).is_integer()


def validate_rule(rule: Any, path: str = "") -> list[RuleError]:
    """Every problem in `rule` (empty when valid), with the UI's paths, codes and messages."""
    if _conditions_over(rule, MAX_CONDITIONS):
        return [
            RuleError(
                path,
                "too_many_conditions",
                f"A rule can hold at most {MAX_CONDITIONS} conditions.",
                f"Bir kural en fazla {MAX_CONDITIONS} koşul içerebilir.",
            )
        ]
    errors: list[RuleError] = []
    _walk(rule, path, 0, errors)
    return errors


def _conditions_over(rule: Any, limit: int) -> bool:
    """True when `rule` has more than `limit` conditions (anything that is not a group);
    iterative and stopping early, so a huge or deeply nested rule costs little to refuse."""
    count, stack = 0, [rule]
    while stack:
        node = stack.pop()
        if isinstance(node, dict) and len(node) == 1 and ("all" in node or "any" in node):
            members = node.get("all", node.get("any"))
            stack.extend(members if isinstance(members, list) else [members])
        elif isinstance(node, dict) and len(node) == 1 and "not" in node:
            stack.append(node["not"])
        else:
            count += 1
            if count > limit:
                return True
    return False


def _walk(rule: Any, path: str, depth: int, errors: list[RuleError]) -> None:
    def add(p: str, code: str, en: str, tr: str) -> None:
        errors.append(RuleError(p, code, en, tr))

    if depth > MAX_DEPTH:
        add(
            path,
            "too_deep",
            f"Rules can be nested at most {MAX_DEPTH} levels deep.",
            f"Kurallar en fazla {MAX_DEPTH} seviye iç içe olabilir.",
        )
        return
    if not isinstance(rule, dict):
        add(
            path,
            "invalid_rule",
            "Expected a group or a condition.",
            "Bir grup ya da koşul bekleniyordu.",
        )
        return
    keys = list(rule)
    if len(keys) == 1 and keys[0] in ("all", "any"):
        key = keys[0]
        members = rule[key]
        if not isinstance(members, list):
            add(
                _join(path, key),
                "invalid_rule",
                "A group holds a list of rules.",
                "Bir grup, kurallardan oluşan bir liste içerir.",
            )
            return
        if not members:
            add(
                _join(path, key),
                "empty_group",
                "Add at least one condition to this group.",
                "Bu gruba en az bir koşul ekleyin.",
            )
        for i, member in enumerate(members):
            _walk(member, _join(_join(path, key), i), depth + 1, errors)
        return
    if len(keys) == 1 and keys[0] == "not":
        _walk(rule["not"], _join(path, "not"), depth + 1, errors)
        return
    if (
        "field" not in rule
        or "op" not in rule
        or any(k not in ("field", "op", "value") for k in keys)
    ):
        add(
            path,
            "invalid_rule",
            'Expected {"all": […]}, {"any": […]}, {"not": …} or {"field", "op", "value"}.',
            'Beklenen: {"all": […]}, {"any": […]}, {"not": …} ya da {"field", "op", "value"}.',
        )
        return
    field = rule["field"]
    if not isinstance(field, str) or field not in FIELD_SPECS:
        add(
            _join(path, "field"),
            "unknown_field",
            f'Unknown field "{_js_string(field)}".',
            f'Bilinmeyen alan "{_js_string(field)}".',
        )
        return
    op = rule["op"]
    kind = FIELD_SPECS[field].get(op) if isinstance(op, str) else None
    if kind is None:
        add(
            _join(path, "op"),
            "unknown_op",
            f'"{_js_string(op)}" cannot be used with {field}.',
            f'"{_js_string(op)}", {field} alanıyla kullanılamaz.',
        )
        return
    _check_value(kind, rule.get("value"), _join(path, "value"), add)


def _check_value(
    kind: str, value: Any, path: str, add: Callable[[str, str, str, str], None]
) -> None:
    def invalid(en: str, tr: str) -> None:
        add(path, "invalid_value", en, tr)

    missing = value is None or value == "" or (isinstance(value, list) and not value)
    if kind == "none":
        if not missing:
            add(
                path,
                "value_not_allowed",
                "This operator takes no value.",
                "Bu operatör değer almaz.",
            )
        return
    if missing:
        add(path, "value_required", "Enter a value.", "Bir değer girin.")
        return
    if kind == "text":
        if not isinstance(value, str) or not value.strip() or "\x00" in value:
            invalid("Enter some text.", "Bir metin girin.")
    elif kind == "slug":
        if not isinstance(value, str) or not _SLUG.fullmatch(value):
            invalid(
                "Use the category's slug, e.g. summer-shoes.",
                "Kategorinin slug değerini kullanın, örneğin yaz-ayakkabilari.",
            )
    elif kind == "answer":
        if not isinstance(value, str) or not _ANSWER.fullmatch(value):
            invalid('Write it as "question_key:answer".', '"soru_anahtari:yanıt" biçiminde yazın.')
    elif kind == "country":
        if not isinstance(value, str) or not _COUNTRY.fullmatch(value):
            invalid(
                "Use a two-letter country code, e.g. TR.",
                "İki harfli ülke kodu kullanın, örneğin TR.",
            )
    elif kind == "country_list":
        if not isinstance(value, list) or any(
            not isinstance(v, str) or not _COUNTRY.fullmatch(v) for v in value
        ):
            invalid(
                "Use two-letter country codes, e.g. TR, DE.",
                "İki harfli ülke kodları kullanın, örneğin TR, DE.",
            )
    elif kind == "locale":
        if not isinstance(value, str) or not _LOCALE.fullmatch(value):
            invalid(
                "Use a language code, e.g. tr or en.", "Bir dil kodu kullanın, örneğin tr ya da en."
            )
    elif kind == "locale_list":
        if not isinstance(value, list) or any(
            not isinstance(v, str) or not _LOCALE.fullmatch(v) for v in value
        ):
            invalid("Use language codes, e.g. tr, en.", "Dil kodları kullanın, örneğin tr, en.")
    elif kind == "int":
        if not _is_integer(value) or value < 0:
            invalid("Enter a whole number, 0 or more.", "0 ya da daha büyük bir tam sayı girin.")
    elif kind == "days":
        if not _is_integer(value, MAX_DAYS) or value < 1:
            invalid("Enter a number of days, 1 or more.", "1 ya da daha fazla gün sayısı girin.")
    elif kind == "money":
        if not _is_number(value) or value < 0:
            invalid("Enter an amount, 0 or more.", "0 ya da daha büyük bir tutar girin.")
    elif kind in ("int_range", "money_range"):

        def ok(v: Any) -> bool:
            return _is_number(v) and v >= 0 and (kind == "money_range" or _is_integer(v))

        if not isinstance(value, list) or len(value) != 2 or not ok(value[0]) or not ok(value[1]):
            invalid("Enter both ends of the range.", "Aralığın iki ucunu da girin.")
        elif value[0] > value[1]:
            invalid(
                "The first number must not be larger than the second.",
                "İlk sayı ikinciden büyük olamaz.",
            )
    elif kind == "checkout_state":
        if not isinstance(value, str) or value not in CHECKOUT_STATES:
            invalid("Choose open, abandoned or none.", "Açık, terk edilmiş ya da yok seçin.")
