"""What a sent template message said: the template's text filled with the values that went to
Meta (the outbox row keeps the Cloud API `components` it sent), so the merchant reads the
message as the customer read it instead of a template name.

The values are read back from the send components (the inverse of `render.build_components`)
and the text comes from the same `render_text` the template editor's preview uses. A row whose
values were blanked (erasure, retention) has no text: samples must never pass for what a
customer was sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from plugin.templates.render import (
    DateTimeText,
    Location,
    Media,
    Money,
    ParamValue,
    TemplateValues,
    render_text,
)
from plugin.templates.service import get_template


def _value(param: Mapping[str, Any]) -> ParamValue | None:
    kind = param.get("type")
    if kind == "text":
        return str(param.get("text", ""))
    if kind == "currency":
        money = param.get("currency") or {}
        amount = Decimal(int(money.get("amount_1000", 0))) / 1000
        text = str(money.get("fallback_value", ""))
        return Money(amount=amount, currency=str(money.get("code", "")), text=text)
    if kind == "date_time":
        return DateTimeText(str((param.get("date_time") or {}).get("fallback_value", "")))
    if kind == "location":
        place = param.get("location") or {}
        return Location(
            latitude=float(place.get("latitude", 0)),
            longitude=float(place.get("longitude", 0)),
            name=place.get("name"),
            address=place.get("address"),
        )
    if kind in ("image", "video", "document"):
        return Media(link=str((param.get(kind) or {}).get("link", "")))
    return None


def values_of(components: list[Mapping[str, Any]]) -> TemplateValues:
    """The values a send's components carry: header and body by position, buttons by index
    (a quick reply's payload, a URL button's suffix, a copy-code's code)."""
    header: list[ParamValue] = []
    body: list[ParamValue] = []
    buttons: dict[int, str] = {}
    for component in components:
        params = [p for p in component.get("parameters") or [] if isinstance(p, Mapping)]
        values = [v for v in map(_value, params) if v is not None]
        if component.get("type") == "header":
            header = values
        elif component.get("type") == "body":
            body = values
        elif component.get("type") == "button" and params:
            first = params[0]
            given = first.get("payload") or first.get("text") or first.get("coupon_code")
            if given is not None:
                buttons[int(component.get("index", 0))] = str(given)
    return TemplateValues(header=tuple(header), body=tuple(body), buttons=buttons)


class SentTexts:
    """Texts of sent template messages of one store, each template read once per instance."""

    def __init__(self, session: Session, store_id: int) -> None:
        self.session = session
        self.store_id = store_id
        self._templates: dict[tuple[str, str], Any] = {}

    def text(
        self, name: str | None, language: str | None, parameters: Mapping[str, Any] | None
    ) -> str | None:
        """The message as the customer's phone showed it (header, body and footer), or None
        when the row's values are gone or its template is unknown here."""
        components = (parameters or {}).get("components")
        if not name or not isinstance(components, list):
            return None
        key = (name, language or "")
        if key not in self._templates:
            self._templates[key] = get_template(
                self.session, store_id=self.store_id, name=name, language=language or ""
            )
        template = self._templates[key]
        if template is None:
            return None
        rendered = render_text(template, values_of(components))
        header = rendered.header.text if rendered.header and rendered.header.text else None
        parts = [header, rendered.body, rendered.footer]
        return "\n\n".join(p for p in parts if p) or None
