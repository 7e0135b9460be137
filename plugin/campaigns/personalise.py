"""Campaign personalisation: a variant's body parameters from contact fields.

Two forms of one mapping: `build_components` (Python; the test send, and the function to
point at plugin/templates/render.py's `build_components` when that lands) and
`sql_components` (the same JSON built inside the INSERT … SELECT that fans a campaign out,
so a million rows never pass through Python). A test holds the two equal.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from plugin.contacts.models import Contact

# variant "body_fields" may name these contact columns, in {{1}}, {{2}}, … order
PERSONAL_FIELDS = ("first_name", "last_name")
DEFAULT_FALLBACKS = {"tr": "Değerli müşterimiz", "en": "there"}


def fallback_for(variant: dict[str, Any], field: str) -> str:
    """What replaces an empty field (Meta refuses empty parameters)."""
    given = (variant.get("fallbacks") or {}).get(field)
    if given:
        return str(given)
    language = str(variant.get("template_language") or "tr").split("_")[0].lower()
    return DEFAULT_FALLBACKS.get(language, DEFAULT_FALLBACKS["en"])


def build_components(
    variant: dict[str, Any], values: dict[str, str | None]
) -> list[dict[str, Any]]:
    """Cloud API `components` for one contact: body parameters in `body_fields` order."""
    fields = list(variant.get("body_fields") or [])
    if not fields:
        return []
    parameters = []
    for field in fields:
        text = (values.get(field) or "").strip()
        parameters.append({"type": "text", "text": text or fallback_for(variant, field)})
    return [{"type": "body", "parameters": parameters}]


def _text(value: str) -> Any:
    return sa.cast(sa.literal(value), sa.Text)


def sql_components(variant: dict[str, Any], dialect: str) -> ColumnElement[Any]:
    """`build_components` as one SQL expression over `contact` (PostgreSQL jsonb / SQLite json)."""
    array, obj = (
        (sa.func.jsonb_build_array, sa.func.jsonb_build_object)
        if dialect == "postgresql"
        else (sa.func.json_array, sa.func.json_object)
    )
    fields = list(variant.get("body_fields") or [])
    if not fields:
        empty: ColumnElement[Any] = array()
        return empty
    parameters = []
    for field in fields:
        column = getattr(Contact, field)
        value = sa.func.coalesce(
            sa.func.nullif(sa.func.trim(column), ""), _text(fallback_for(variant, field))
        )
        parameters.append(obj(_text("type"), _text("text"), _text("text"), value))
    result: ColumnElement[Any] = array(
        obj(_text("type"), _text("body"), _text("parameters"), array(*parameters))
    )
    return result
