"""A template filled with values: as text for previews, and as the Cloud API send `components`.

Values are substituted in one pass, so a value is always literal: "{{1}}" typed by a customer
stays "{{1}}", HTML stays text, WhatsApp formatting (*bold*, _italic_) in the template is kept.
At send time each text parameter is made acceptable to Meta, which refuses (132018) newlines,
tabs and more than four spaces in a row inside a parameter and cuts long ones: see `clean_param`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol
from urllib.parse import quote

from pydantic import TypeAdapter

from plugin.whatsapp.payloads.outbound import TemplateComponent

_PLACEHOLDER = re.compile(r"\{\{([^{}]*)\}\}")
_WHITESPACE = re.compile(r"\s+")
_COMPONENTS: TypeAdapter[list[Any]] = TypeAdapter(list[TemplateComponent])

HEADER_PARAM_LIMIT = 60
BODY_PARAM_LIMIT = 1024
BUTTON_PARAM_LIMIT = 2000


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class Money:
    """An amount shown as `text` (formatted for the customer's locale) and sent as currency."""

    amount: Decimal
    currency: str
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class DateTimeText:
    """A date already formatted for the customer (Meta shows the fallback value as is)."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Media:
    """A media header: a public link (image, video or document)."""

    link: str
    filename: str | None = None

    def __str__(self) -> str:
        return self.link


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None

    def __str__(self) -> str:
        return self.name or f"{self.latitude},{self.longitude}"


ParamValue = str | Money | DateTimeText | Media | Location


@dataclass(frozen=True, slots=True)
class TemplateValues:
    """Values for one send: header and body by position ({{1}} is index 0), buttons by index.

    A button value is a quick reply's payload, a URL button's suffix or a copy-code's code.
    """

    header: tuple[ParamValue, ...] = ()
    body: tuple[ParamValue, ...] = ()
    buttons: Mapping[int, str] = field(default_factory=dict)


class MissingValue(ValueError):
    """A template needs a value that was not given (`where` is e.g. "body.2")."""

    def __init__(self, where: str) -> None:
        super().__init__(f"no value for {where}")
        self.where = where


class HasComponents(Protocol):
    @property
    def components(self) -> list[dict[str, Any]]: ...


# --------------------------------------------------------------------------- preview


@dataclass(frozen=True, slots=True)
class RenderedButton:
    type: str  # QUICK_REPLY | URL | PHONE_NUMBER | COPY_CODE
    text: str
    url: str | None = None
    phone_number: str | None = None
    payload: str | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class RenderedHeader:
    format: str  # TEXT | IMAGE | VIDEO | DOCUMENT | LOCATION
    text: str | None = None
    link: str | None = None
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    header: RenderedHeader | None
    body: str
    footer: str | None
    buttons: tuple[RenderedButton, ...] = ()


def _component(components: Sequence[Mapping[str, Any]], kind: str) -> Mapping[str, Any] | None:
    return next((c for c in components if c.get("type") == kind), None)


def _substitute(text: str, values: Sequence[ParamValue], samples: Sequence[str]) -> str:
    """One pass: a placeholder becomes its value (or sample); text inside values is literal."""

    def one(m: re.Match[str]) -> str:
        inner = m.group(1)
        if inner.isdigit() and int(inner) >= 1:
            i = int(inner) - 1
            if i < len(values):
                return str(values[i])
            if i < len(samples) and samples[i]:
                return samples[i]
        return m.group(0)

    return _PLACEHOLDER.sub(one, text)


def _list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if isinstance(value, str) else []


def render_text(template: HasComponents, values: TemplateValues | None = None) -> RenderedMessage:
    """What the customer's phone would show; missing values fall back to the template's samples."""
    values = values or TemplateValues()
    components = template.components
    header: RenderedHeader | None = None
    if (h := _component(components, "HEADER")) is not None:
        fmt = str(h.get("format", "TEXT"))
        example = h.get("example") or {}
        if fmt == "TEXT":
            text = _substitute(
                str(h.get("text", "")), values.header, _list(example.get("header_text"))
            )
            header = RenderedHeader(fmt, text=text)
        else:
            given = values.header[0] if values.header else None
            samples = _list(example.get("header_handle"))
            if isinstance(given, Location):
                header = RenderedHeader(fmt, location=given)
            else:
                link = given.link if isinstance(given, Media) else (samples[0] if samples else None)
                header = RenderedHeader(fmt, link=link)
    body_component = _component(components, "BODY") or {}
    body_samples = _list(((body_component.get("example") or {}).get("body_text") or [[]])[0])
    body = _substitute(str(body_component.get("text", "")), values.body, body_samples)
    footer_component = _component(components, "FOOTER")
    footer = str(footer_component.get("text", "")) if footer_component else None
    buttons: list[RenderedButton] = []
    for index, b in enumerate((_component(components, "BUTTONS") or {}).get("buttons", [])):
        kind = str(b.get("type", ""))
        given_value = values.buttons.get(index)
        samples = _list(b.get("example"))
        if kind == "URL":
            template_url = str(b.get("url", ""))
            prefix = template_url.split("{{", 1)[0]
            if given_value is None and samples and samples[0].startswith(prefix):
                url = samples[0]  # Meta's example is the whole sample address
            else:
                suffix = [url_suffix(given_value)] if given_value is not None else []
                url = _substitute(template_url, suffix, samples)
            buttons.append(RenderedButton(kind, str(b.get("text", "")), url=url))
        elif kind == "QUICK_REPLY":
            payload = given_value if given_value is not None else str(b.get("text", ""))
            buttons.append(RenderedButton(kind, str(b.get("text", "")), payload=payload))
        elif kind == "COPY_CODE":
            code = given_value if given_value is not None else (samples[0] if samples else None)
            buttons.append(RenderedButton(kind, str(b.get("text", "")), code=code))
        else:
            phone = str(b.get("phone_number", "")) or None
            buttons.append(RenderedButton(kind, str(b.get("text", "")), phone_number=phone))
    return RenderedMessage(header, body, footer, tuple(buttons))


# --------------------------------------------------------------------------- send components


def clean_param(value: str, limit: int) -> str:
    """A text parameter Meta accepts: no newlines or tabs, no runs of spaces, at most `limit`
    characters (cut with an ellipsis). The text is otherwise kept literally."""
    text = _WHITESPACE.sub(" ", value).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _text_param(value: ParamValue, where: str, limit: int) -> dict[str, Any]:
    text = clean_param(str(value), limit)
    if not text:
        raise MissingValue(where)
    return {"type": "text", "text": text}


def _body_param(value: ParamValue, where: str) -> dict[str, Any]:
    if isinstance(value, Money):
        amount_1000 = int((value.amount * 1000).to_integral_value())
        return {
            "type": "currency",
            "currency": {
                "fallback_value": clean_param(value.text, BODY_PARAM_LIMIT),
                "code": value.currency,
                "amount_1000": amount_1000,
            },
        }
    if isinstance(value, DateTimeText):
        return {
            "type": "date_time",
            "date_time": {"fallback_value": clean_param(value.text, BODY_PARAM_LIMIT)},
        }
    return _text_param(value, where, BODY_PARAM_LIMIT)


def _header_param(fmt: str, value: ParamValue | None, header_text: str) -> dict[str, Any]:
    if fmt == "TEXT":
        if value is None:
            raise MissingValue("header.1")
        room = max(1, HEADER_PARAM_LIMIT - len(_PLACEHOLDER.sub("", header_text)))
        return _text_param(value, "header.1", room)
    if fmt == "LOCATION":
        if not isinstance(value, Location):
            raise MissingValue("header.location")
        location: dict[str, Any] = {"latitude": value.latitude, "longitude": value.longitude}
        if value.name:
            location["name"] = value.name
        if value.address:
            location["address"] = value.address
        return {"type": "location", "location": location}
    kind = fmt.lower()
    if isinstance(value, Media):
        media: dict[str, Any] = {"link": value.link}
    elif isinstance(value, str) and value:
        media = {"link": value}
    else:
        raise MissingValue(f"header.{kind}")
    if kind == "document":
        filename = value.filename if isinstance(value, Media) else None
        if filename:
            media["filename"] = filename
    return {"type": kind, kind: media}


def url_suffix(value: str) -> str:
    """A URL button's variable part, percent-encoded: it can add a path, never change the host
    or smuggle a query string or fragment."""
    return quote(clean_param(value, BUTTON_PARAM_LIMIT), safe="-._~/")


def build_components(template: HasComponents, values: TemplateValues) -> list[dict[str, Any]]:
    """The `template.components` of a Cloud API send, in Meta's documented shapes.

    Raises `MissingValue` when the template needs a value that `values` lacks (a quick reply
    without a payload is fine: Meta then returns the button's text).
    """
    components = template.components
    out: list[dict[str, Any]] = []
    if (h := _component(components, "HEADER")) is not None:
        fmt = str(h.get("format", "TEXT"))
        text = str(h.get("text", ""))
        if fmt != "TEXT" or _PLACEHOLDER.search(text):
            value = values.header[0] if values.header else None
            out.append({"type": "header", "parameters": [_header_param(fmt, value, text)]})
    body = _component(components, "BODY") or {}
    count = len({m for m in _PLACEHOLDER.findall(str(body.get("text", "")))})
    if count:
        params = []
        for i in range(count):
            if i >= len(values.body):
                raise MissingValue(f"body.{i + 1}")
            params.append(_body_param(values.body[i], f"body.{i + 1}"))
        out.append({"type": "body", "parameters": params})
    for index, b in enumerate((_component(components, "BUTTONS") or {}).get("buttons", [])):
        kind = str(b.get("type", ""))
        given = values.buttons.get(index)
        if kind == "QUICK_REPLY" and given:
            param: dict[str, Any] = {"type": "payload", "payload": given}
            out.append(_button("quick_reply", index, param))
        elif kind == "URL" and _PLACEHOLDER.search(str(b.get("url", ""))):
            if not given:
                raise MissingValue(f"buttons.{index}")
            out.append(_button("url", index, {"type": "text", "text": url_suffix(given)}))
        elif kind == "COPY_CODE":
            if not given:
                raise MissingValue(f"buttons.{index}")
            code = clean_param(given, 15)  # Meta: coupon codes are at most 15 characters
            out.append(_button("copy_code", index, {"type": "coupon_code", "coupon_code": code}))
    _COMPONENTS.validate_python(out)  # the client's own models: a shape error fails here
    return out


def _button(sub_type: str, index: int, parameter: dict[str, Any]) -> dict[str, Any]:
    return {"type": "button", "sub_type": sub_type, "index": str(index), "parameters": [parameter]}
