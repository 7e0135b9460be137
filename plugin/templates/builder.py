"""The one message builder: every component of a template filled for one send.

Flows, consent messages, manual and test sends and campaigns all call `build`: header (text,
image, video, document, location), body, URL-button suffixes, quick-reply payloads and coupon
codes come from the template's `variable_mapping` (see plugin.templates.variables) merged with
what the sender adds, resolved against the sender's context. A template that cannot be filled
raises `Unfilled`, naming each component in English and Turkish, so a campaign is refused at
launch instead of failing at Meta (132000/132012) for every recipient.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from plugin.templates.render import (
    HasComponents,
    Location,
    MissingValue,
    RenderedMessage,
    TemplateValues,
    build_components,
    render_text,
)
from plugin.templates.variables import STOP, resolve_places

# A quick reply with one of these texts and no mapped payload is the template's stop button.
STOP_BUTTON_TEXTS = frozenset(
    {"durdur", "dur", "stop", "abonelikten çık", "abonelikten cik", "unsubscribe", "iptal"}
)
_HEADER_KIND = {
    "TEXT": ("text", "metin"),
    "IMAGE": ("image", "görsel"),
    "VIDEO": ("video", "video"),
    "DOCUMENT": ("document", "belge"),
    "LOCATION": ("location", "konum"),
}


class Unfilled(MissingValue):
    """Components of a template a send cannot fill; `places` like "body.2", "buttons.0"."""

    def __init__(self, places: list[str], labels: list[tuple[str, str]]) -> None:
        super().__init__(places[0])
        self.places = places
        self.labels = labels  # (English, Turkish) per place

    @property
    def message_en(self) -> str:
        return "No value for " + "; ".join(en for en, _ in self.labels) + "."

    @property
    def message_tr(self) -> str:
        return "Şunlar için değer yok: " + "; ".join(tr for _, tr in self.labels) + "."


def _component(template: HasComponents, kind: str) -> Mapping[str, Any]:
    return next((c for c in template.components if c.get("type") == kind), {})


def buttons_of(template: HasComponents) -> list[Mapping[str, Any]]:
    return list(_component(template, "BUTTONS").get("buttons") or [])


def _fold(text: str) -> str:
    return " ".join(text.replace("İ", "i").replace("I", "ı").casefold().split()).strip(" .!")


def is_stop_button(button: Mapping[str, Any]) -> bool:
    return button.get("type") == "QUICK_REPLY" and _fold(str(button.get("text", ""))) in (
        STOP_BUTTON_TEXTS
    )


def label(template: HasComponents, place: str, variable: str | None = None) -> tuple[str, str]:
    """A place ("header.location", "body.2", "buttons.1") as the merchant reads it."""
    part, _, rest = place.partition(".")
    needs = (f" (needs {variable})", f" ({variable} gerekli)") if variable else ("", "")
    if part == "header":
        fmt = str(_component(template, "HEADER").get("format", "TEXT")).upper()
        en, tr = _HEADER_KIND.get(fmt, (fmt.lower(), fmt.lower()))
        return f"the {en} header{needs[0]}", f"{tr} başlığı{needs[1]}"
    if part == "body":
        return (
            f"body parameter {{{{{rest}}}}}{needs[0]}",
            f"gövde parametresi {{{{{rest}}}}}{needs[1]}",
        )
    index = int(rest) if rest.isdigit() else 0
    buttons = buttons_of(template)
    text = str(buttons[index].get("text", "")) if index < len(buttons) else ""
    kind = str(buttons[index].get("type", "")) if index < len(buttons) else ""
    en_kind = {"URL": "URL", "COPY_CODE": "coupon code", "QUICK_REPLY": "quick reply"}
    tr_kind = {"URL": "bağlantı", "COPY_CODE": "kupon kodu", "QUICK_REPLY": "hızlı yanıt"}
    return (
        f"{en_kind.get(kind, 'the')} button {index + 1} “{text}”{needs[0]}",
        f"{index + 1}. {tr_kind.get(kind, '')} düğmesi “{text}”{needs[1]}",
    )


def mapping_for(template: HasComponents, *overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The template's own mapping, then each override (later wins, per part and per button);
    a stop button with no payload gets ULAK_STOP, so tapping it opts out wherever it is sent."""
    base = getattr(template, "variable_mapping", None) or {}
    merged: dict[str, Any] = {
        "header": list(base.get("header") or []),
        "body": list(base.get("body") or []),
        "buttons": {str(k): v for k, v in (base.get("buttons") or {}).items()},
    }
    for extra in overrides:
        if not extra:
            continue
        for part in ("header", "body"):
            if extra.get(part):
                merged[part] = list(extra[part])
        merged["buttons"].update({str(k): v for k, v in (extra.get("buttons") or {}).items()})
    for index, button in enumerate(buttons_of(template)):
        if str(index) not in merged["buttons"] and is_stop_button(button):
            merged["buttons"][str(index)] = {"payload": STOP}
    return merged


def build(
    template: HasComponents,
    context: Mapping[str, Any],
    *overrides: Mapping[str, Any] | None,
) -> list[dict[str, Any]]:
    """The Cloud API `components` for one send; raises `Unfilled` naming every component the
    context leaves empty (a variable missing, or a parameter with no mapping at all)."""
    return build_mapped(template, context, mapping_for(template, *overrides))


def build_mapped(
    template: HasComponents, context: Mapping[str, Any], mapping: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """`build` with the mapping `mapping_for` already merged (a flow step reads it first)."""
    values, gaps = resolve_places(mapping, context)
    places = dict(gaps)
    while True:
        try:
            components = build_components(template, _without(template, values, places))
        except MissingValue as exc:
            where = "header.1" if exc.where.startswith("header") else exc.where
            if where in places:  # cannot happen: the place was filled by a stand-in
                raise
            places[where] = ""
            continue
        break
    if places:
        ordered = sorted(places, key=_order)
        raise Unfilled(ordered, [label(template, p, places[p] or None) for p in ordered])
    return components


def render(
    template: HasComponents,
    context: Mapping[str, Any],
    *overrides: Mapping[str, Any] | None,
) -> RenderedMessage:
    """What `build` sends, as the customer's phone shows it: the same mapping, context and
    refusal (`Unfilled`), drawn by the template preview's renderer (`render_text`), so a
    review shows the message itself, never a second rendering of it."""
    build(template, context, *overrides)
    values, _gaps = resolve_places(mapping_for(template, *overrides), context)
    return render_text(template, values)


def _order(place: str) -> tuple[int, int, str]:
    part, _, rest = place.partition(".")
    return ({"header": 0, "body": 1}.get(part, 2), int(rest) if rest.isdigit() else 0, rest)


def _without(
    template: HasComponents, values: TemplateValues, places: Mapping[str, str]
) -> TemplateValues:
    """`values` with the places already known to be empty filled by a stand-in, so one pass
    over the template finds every other empty place too."""
    if not places:
        return values
    stand_in = "-"
    header = values.header
    if "header.1" in places:
        fmt = str(_component(template, "HEADER").get("format", "TEXT")).upper()
        header = (Location(0.0, 0.0, stand_in, stand_in) if fmt == "LOCATION" else stand_in,)
    body = list(values.body)
    buttons = dict(values.buttons)
    for place in places:
        part, _, rest = place.partition(".")
        if part == "body" and rest.isdigit():
            i = int(rest) - 1
            body.extend([stand_in] * (i + 1 - len(body)))
            body[i] = stand_in
        if part == "buttons" and rest.isdigit():
            buttons[int(rest)] = stand_in
    return TemplateValues(header=header, body=tuple(body), buttons=buttons)


def buttons_of_components(components: list[dict[str, Any]]) -> list[Mapping[str, Any]]:
    """The BUTTONS of a template's component list."""
    found = next((c for c in components if c.get("type") == "BUTTONS"), {})
    return list(found.get("buttons") or [])


# --------------------------------------------------------------------------- link tracking


def tracked_url() -> str:
    """The URL-button address whose clicks are counted: `<APP_URL>/r/{{1}}` (Meta's URL buttons
    have one fixed base and one variable suffix, so the base must be the app's redirect)."""
    from plugin.templates.starter import default_link_base

    return default_link_base() + "/{{1}}"


def is_tracked_url(button_url: str) -> bool:
    return button_url.strip() == tracked_url()


@dataclass(frozen=True, slots=True)
class UrlButtonTracking:
    """Whether one URL button's clicks can be counted, and why not, for the template editor."""

    index: int
    text: str
    url: str
    tracked: bool
    message_en: str
    message_tr: str


def url_button_tracking(components: list[dict[str, Any]]) -> list[UrlButtonTracking]:
    out = []
    base = tracked_url()
    for index, button in enumerate(buttons_of_components(components)):
        if button.get("type") != "URL":
            continue
        url = str(button.get("url", ""))
        if is_tracked_url(url):
            en = "Clicks are counted: each message gets its own tracked link."
            tr = "Tıklamalar sayılır: her mesaj kendi izlenen bağlantısını alır."
        elif "{{" not in url:
            en = f"A fixed address cannot be tracked; use {base} to count clicks."
            tr = f"Sabit bir adres izlenemez; tıklamaları saymak için {base} kullanın."
        else:
            en = f"Clicks on this address cannot be counted; use {base} to count them."
            tr = f"Bu adresteki tıklamalar sayılamaz; saymak için {base} kullanın."
        out.append(
            UrlButtonTracking(index, str(button.get("text", "")), url, is_tracked_url(url), en, tr)
        )
    return out


# a staff test of a LOCATION template without a pickup point shows this (Istanbul's Galata Tower)
SAMPLE_LOCATION = Location(41.0256, 28.9742, "Ulak", "Galata, Beyoğlu, İstanbul")


def build_sample(
    template: HasComponents, language: str, pickup: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """A staff test send: every parameter filled with the catalogue's samples in `language`
    (a location header with the store's pickup point, else a sample place); raises
    `MissingValue` like `build_components`."""
    from plugin.templates.variables import CATALOGUE, sample_values

    mapping = mapping_for(template)
    values = sample_values(mapping, language)
    fmt = str(_component(template, "HEADER").get("format", "")).upper()
    if fmt == "LOCATION":
        given = CATALOGUE["pickup_location"].resolve({"pickup_point": pickup}) if pickup else None
        location = given if isinstance(given, Location) else SAMPLE_LOCATION
        values = TemplateValues(header=(location,), body=values.body, buttons=values.buttons)
    return build_components(template, values)
