"""Campaign personalisation: every component of a variant's template, for every recipient.

`prepare` runs the one message builder (plugin.templates.builder) once per variant, at the test
send and at launch, with each personal field as a marker: the result is the variant's
`document`, the whole Cloud API `components` (header, body, URL-button suffixes, quick-reply
payloads such as ULAK_STOP and TAG:…, coupon codes). A template the variant cannot fill is
refused there, naming the component in English and Turkish. Two forms then fill the markers:
`build_components` (Python; the test send) and `sql_parameters` (the same JSON built inside the
INSERT … SELECT that fans a campaign out, so a million rows never pass through Python). A test
holds the two equal.

Tracked URL buttons: when the template's button address is the app's `<APP_URL>/r/{{1}}`, the
variant's destination becomes ONE link row for the variant, and the suffix a marker that the
sender signs with each row's id (plugin.templates.tracking): no link row per recipient.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from plugin.analytics.links import LinkRefused, create_shared_link
from plugin.contacts.models import Contact
from plugin.errors import UlakError
from plugin.saleor.models import Store
from plugin.stores import service as stores_service
from plugin.stores.models import StoreSettings
from plugin.stores.pickup import pickup_point
from plugin.templates import builder, tracking
from plugin.templates.models import MessageTemplate
from plugin.templates.render import RenderedMessage

# variant "body_fields" may name these contact columns, in {{1}}, {{2}}, … order
PERSONAL_FIELDS = ("first_name", "last_name")
DEFAULT_FALLBACKS = {"tr": "Değerli müşterimiz", "en": "there"}
_MARK = "@@ulak:{}@@"


class VariantUnfillable(UlakError):
    """A variant's template has a component the campaign cannot fill (refused at launch)."""

    def __init__(self, variant: str, message_en: str, message_tr: str) -> None:
        en = f"Variant {variant}: {message_en}"
        tr = f"{variant} varyantı: {message_tr}"
        super().__init__(en, code="TEMPLATE_NOT_FILLABLE", status_code=400)
        self.message_en = en
        self.message_tr = tr


@dataclass(frozen=True, slots=True)
class Shop:
    """The store a variant is built for: what its templates may name (store name, pickup
    point, time zone) and where its tracked links are written."""

    session: Session
    store_id: int
    settings: StoreSettings
    name: str | None

    @classmethod
    def load(cls, session: Session, store_id: int) -> Shop:
        store = session.get(Store, store_id)
        settings = stores_service.get_settings(session, store_id)
        return cls(session, store_id, settings, store.name if store is not None else None)


def marker(field: str) -> str:
    return _MARK.format(field)


def fallback_for(variant: dict[str, Any], field: str) -> str:
    """What replaces an empty field (Meta refuses empty parameters)."""
    given = (variant.get("fallbacks") or {}).get(field)
    if given:
        return str(given)
    language = str(variant.get("template_language") or "tr").split("_")[0].lower()
    return DEFAULT_FALLBACKS.get(language, DEFAULT_FALLBACKS["en"])


def _button_ref(
    session: Session,
    store_id: int,
    variant: dict[str, Any],
    index: int,
    given: Any,
    track: bool = True,
) -> tuple[Any, int | None]:
    """A variant's button value as a mapping reference (and the link row it made; none
    without `track`, where a tracked button carries its destination as the suffix)."""
    buttons = builder.buttons_of_components(variant["_components"])
    button = buttons[index] if 0 <= index < len(buttons) else {}
    if isinstance(given, Mapping) and "tag" in given:
        return {"payload": f"TAG:{given['tag']}"}, None
    if isinstance(given, Mapping) and "code" in given:
        return {"text": str(given["code"])}, None
    if isinstance(given, Mapping) and "url" in given and button.get("type") == "URL":
        destination = str(given["url"]).strip()
        template_url = str(button.get("url", ""))
        if builder.is_tracked_url(template_url):
            if not track:
                return {"text": destination}, None
            try:
                link_id = create_shared_link(session, store_id=store_id, url=destination)
            except LinkRefused as exc:
                raise VariantUnfillable(
                    variant["key"],
                    f"button {index + 1} points at {destination}, a host the store has not set "
                    "(storefront URL or link hosts).",
                    f"{index + 1}. düğme {destination} adresine gidiyor; bu alan adı mağaza "
                    "ayarlarında yok (mağaza adresi ya da bağlantı alan adları).",
                ) from exc
            return {"text": tracking.marker(link_id)}, link_id
        prefix = template_url.split("{{", 1)[0]
        if destination.startswith(prefix) and destination != prefix:
            return {"text": destination[len(prefix) :]}, None  # not tracked: a plain suffix
        raise VariantUnfillable(
            variant["key"],
            f"button {index + 1}'s address must start with {prefix}.",
            f"{index + 1}. düğmenin adresi {prefix} ile başlamalı.",
        )
    return given, None


def _inputs(
    shop: Shop,
    variant: dict[str, Any],
    template: MessageTemplate,
    fields: Mapping[str, str],
    *,
    track: bool = True,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, int]]:
    """What the builder gets for a variant: the override, the context (each personal field as
    `fields` gives it) and the link rows made for tracked buttons."""
    parts = {**variant, "_components": template.components}
    links: dict[str, int] = {}
    buttons: dict[str, Any] = {}
    for key, given in (variant.get("buttons") or {}).items():
        ref, link_id = _button_ref(shop.session, shop.store_id, parts, int(key), given, track)
        buttons[str(key)] = ref
        if link_id is not None:
            links[str(key)] = link_id
    override: dict[str, Any] = {"buttons": buttons}
    if variant.get("header"):
        override["header"] = list(variant["header"])
    body_fields = list(variant.get("body_fields") or [])
    if body_fields:
        override["body"] = [{"text": fields[f]} for f in body_fields]
    context = {
        **{f: fields[f] for f in PERSONAL_FIELDS},
        "store_name": shop.name,
        "pickup_point": pickup_point(shop.settings),
        "locale": variant.get("template_language"),
        "timezone": shop.settings.timezone,
    }
    return override, context, links


def prepare(shop: Shop, variant: dict[str, Any], template: MessageTemplate) -> dict[str, Any]:
    """The variant with its `document` (components with personal-field markers) and `links`;
    raises `VariantUnfillable` naming every component it cannot fill."""
    out = {k: v for k, v in variant.items() if k not in ("document", "links")}
    markers = {f: marker(f) for f in PERSONAL_FIELDS}
    override, context, links = _inputs(shop, out, template, markers)
    with _unfillable(variant):
        out["document"] = builder.build(template, context, override)
    out["links"] = links
    return out


def render(
    shop: Shop,
    variant: dict[str, Any],
    template: MessageTemplate,
    values: Mapping[str, str | None],
) -> RenderedMessage:
    """The variant as one contact with `values` sees it: the same inputs `prepare` gives the
    builder, the fields filled as `build_components` fills them (an empty one takes its
    fallback), a tracked button showing its destination. Writes nothing (no link rows)."""
    filled = {f: (values.get(f) or "").strip() or fallback_for(variant, f) for f in PERSONAL_FIELDS}
    override, context, _links = _inputs(shop, variant, template, filled, track=False)
    with _unfillable(variant):
        message = builder.render(template, context, override)
    tracked = {
        i
        for i, b in enumerate(builder.buttons_of(template))
        if b.get("type") == "URL" and builder.is_tracked_url(str(b.get("url", "")))
    }
    destinations = {
        int(k): str(v["url"]).strip()
        for k, v in (variant.get("buttons") or {}).items()
        if isinstance(v, Mapping) and "url" in v and int(k) in tracked
    }
    buttons = tuple(
        replace(b, url=destinations[i]) if i in destinations else b
        for i, b in enumerate(message.buttons)
    )
    return replace(message, buttons=buttons)


@contextmanager
def _unfillable(variant: dict[str, Any]) -> Iterator[None]:
    """The builder's refusal, named for the variant (English and Turkish)."""
    try:
        yield
    except builder.Unfilled as exc:
        raise VariantUnfillable(variant["key"], exc.message_en, exc.message_tr) from exc


def _legacy_document(variant: dict[str, Any]) -> list[dict[str, Any]]:
    """A variant saved before `prepare` existed: body parameters in `body_fields` order."""
    fields = list(variant.get("body_fields") or [])
    if not fields:
        return []
    return [{"type": "body", "parameters": [{"type": "text", "text": marker(f)} for f in fields]}]


def document_of(variant: dict[str, Any]) -> list[dict[str, Any]]:
    document = variant.get("document")
    return list(document) if isinstance(document, list) else _legacy_document(variant)


def _marks(
    node: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, field) of every personal-field marker in a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _marks(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _marks(value, (*path, i))
    elif isinstance(node, str):
        for field in PERSONAL_FIELDS:
            if node == marker(field):
                yield path, field


def _fill(node: Any, values: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        return {k: _fill(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v, values) for v in node]
    if isinstance(node, str):
        for field in PERSONAL_FIELDS:
            if node == marker(field):
                return values[field]
    return node


def build_components(
    variant: dict[str, Any], values: dict[str, str | None]
) -> list[dict[str, Any]]:
    """Cloud API `components` for one contact: the variant's document with its fields."""
    filled = {f: (values.get(f) or "").strip() or fallback_for(variant, f) for f in PERSONAL_FIELDS}
    result: list[dict[str, Any]] = _fill(document_of(variant), filled)
    return result


def sql_parameters(
    variant: dict[str, Any], dialect: str, columns: Mapping[str, Any] | None = None
) -> ColumnElement[Any]:
    """The outbox row's `parameters`, `{"components": build_components(...)}`, as one SQL
    expression (PostgreSQL jsonb / SQLite json text) over `contact`, or over `columns` (field
    name -> column) when the fields come from elsewhere.

    The variant's document is a constant with each personal field set at its path: one
    `jsonb_set` per field instead of building five JSON objects per row (a third of the cost
    at a million rows)."""
    doc = {"components": document_of(variant)}
    marks = list(_marks(doc))
    constant = json.dumps(_fill(doc, {f: "-" for f in PERSONAL_FIELDS}), ensure_ascii=False)
    result: ColumnElement[Any] = (
        sa.cast(sa.literal(constant), JSONB) if dialect == "postgresql" else sa.func.json(constant)
    )
    for path, field in marks:
        column = columns[field] if columns is not None else getattr(Contact, field)
        value = sa.func.coalesce(
            sa.func.nullif(sa.func.trim(column), ""),
            sa.cast(sa.literal(fallback_for(variant, field)), sa.Text),
        )
        if dialect == "postgresql":
            at = sa.cast(sa.literal([str(p) for p in path]), ARRAY(sa.Text))
            result = sa.func.jsonb_set(result, at, sa.func.to_jsonb(value), type_=JSONB)
        else:
            where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
            result = sa.func.json_set(result, where, value)
    return result
