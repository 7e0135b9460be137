"""The variables a template can use, per flow, and how a mapping turns a context into values.

A template's `variable_mapping` says which variable fills which parameter::

    {"header": ["order_number"],
     "body": ["first_name", "order_number", "order_total"],
     "buttons": {"0": "tracking_link", "1": {"payload": "ULAK_STOP"}}}

A reference is a variable key from `CATALOGUE` (a LOCATION header: `pickup_location` or
`shipping_location`), `{"var": key}`, a quick-reply payload `{"payload": "..."}`, fixed text
`{"text": "..."}` or a media header's link `{"link": "https://...", "filename": "..."}`.

The context is a plain dict the flows build from Saleor payloads (every key optional; a variable
whose keys are missing raises `MissingVariables`)::

    locale            "tr", "en", "tr_TR" (the customer's; decides formatting)
    timezone          "Europe/Istanbul" (for dates)
    first_name, order_number, store_name, tracking_number, tracking_url, checkout_url,
    tracking_link, checkout_link   (the code of a tracked link: `<app>/r/<code>`)
    discount_code, appointment_at (datetime or ISO 8601 string)
    pickup_point, shipping_location  {"latitude", "longitude", "name", "address"}
    total             {"amount": Decimal | str | float, "currency": "TRY"}
    lines             [{"name": "Mavi Tişört", "quantity": 2}, ...]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from babel.numbers import format_currency

from plugin.templates.render import DateTimeText, Location, Media, Money, ParamValue, TemplateValues

SUMMARY_ITEMS = 2
SUMMARY_NAME_LIMIT = 30
NBSP = "\u00a0"

OPTIN_YES = "ULAK_OPTIN_YES"
OPTIN_NO = "ULAK_OPTIN_NO"
STOP = "ULAK_STOP"
COD_CONFIRM = "ULAK_COD_CONFIRM"
COD_CANCEL = "ULAK_COD_CANCEL"


class MissingVariables(ValueError):
    """The context lacks what some mapped variables need."""

    def __init__(self, keys: list[str]) -> None:
        super().__init__("missing variables: " + ", ".join(keys))
        self.keys = keys


@dataclass(frozen=True, slots=True)
class Variable:
    key: str
    label_en: str
    label_tr: str
    sample_en: str
    sample_tr: str
    flows: tuple[str, ...]
    resolve: Callable[[Mapping[str, Any]], ParamValue | None]

    def sample(self, language: str) -> str:
        return self.sample_tr if language_base(language) == "tr" else self.sample_en


def language_base(code: str) -> str:
    """ "tr_TR" -> "tr", "en-US" -> "en"."""
    return code.replace("-", "_").split("_")[0].lower()


def _locale(context: Mapping[str, Any]) -> Locale:
    return _parsed(str(context.get("locale") or "en").replace("-", "_"))


@lru_cache(maxsize=256)  # once per code: parsing took a tenth of resolving a message's values
def _parsed(code: str) -> Locale:
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(language_base(code) or "en")


def _plain(key: str) -> Callable[[Mapping[str, Any]], ParamValue | None]:
    def resolve(context: Mapping[str, Any]) -> ParamValue | None:
        value = context.get(key)
        return str(value) if value not in (None, "") else None

    return resolve


def format_money(amount: Decimal, currency: str, locale: Locale) -> str:
    """Babel's currency format, with CLDR's space between a letter code and the digits
    ("TRY 1,234.50", not "TRY1,234.50") that Babel leaves out."""
    text = format_currency(amount, currency, locale=locale)
    symbol_first = text.startswith(currency)
    if symbol_first and len(text) > len(currency) and text[len(currency)].isdigit():
        text = f"{currency}{NBSP}{text[len(currency) :]}"
    return text


def _total(context: Mapping[str, Any]) -> ParamValue | None:
    total = context.get("total")
    if not isinstance(total, Mapping) or not total.get("currency"):
        return None
    try:
        amount = Decimal(str(total.get("amount")))
    except (InvalidOperation, ValueError):
        return None
    currency = str(total["currency"]).upper()
    return Money(amount, currency, format_money(amount, currency, _locale(context)))


def item_summary(lines: list[Mapping[str, Any]], *, turkish: bool) -> str:
    """ "2× Mavi Tişört, 1× Kupa +2 more": the first items, then how many others."""
    parts = []
    for line in lines[:SUMMARY_ITEMS]:
        name = str(line.get("name") or "").strip()
        if len(name) > SUMMARY_NAME_LIMIT:
            name = name[: SUMMARY_NAME_LIMIT - 1].rstrip() + "…"
        parts.append(f"{int(line.get('quantity') or 1)}× {name}")
    text = ", ".join(parts)
    rest = len(lines) - SUMMARY_ITEMS
    if rest > 0:
        text += f" +{rest} ürün daha" if turkish else f" +{rest} more"
    return text


def _summary(context: Mapping[str, Any]) -> ParamValue | None:
    lines = context.get("lines")
    if not isinstance(lines, list) or not lines:
        return None
    turkish = _locale(context).language == "tr"
    return item_summary([x for x in lines if isinstance(x, Mapping)], turkish=turkish)


def _appointment(context: Mapping[str, Any]) -> ParamValue | None:
    value = context.get("appointment_at")
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    zone = ZoneInfo(str(context.get("timezone") or "Europe/Istanbul"))
    local = value.astimezone(zone) if value.tzinfo else value.replace(tzinfo=zone)
    return DateTimeText(format_datetime(local, "d MMMM y, HH:mm", locale=_locale(context)))


def _location(key: str) -> Callable[[Mapping[str, Any]], ParamValue | None]:
    """A LOCATION header's value; Meta wants all four fields (plugin.whatsapp.sandbox.render)."""

    def resolve(context: Mapping[str, Any]) -> ParamValue | None:
        point = context.get(key)
        if not isinstance(point, Mapping):
            return None
        try:
            latitude, longitude = float(point["latitude"]), float(point["longitude"])
        except (KeyError, TypeError, ValueError):
            return None
        name, address = str(point.get("name") or ""), str(point.get("address") or "")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or not name or not address:
            return None
        return Location(latitude, longitude, name, address)

    return resolve


def _var(
    key: str,
    label_en: str,
    label_tr: str,
    sample_en: str,
    sample_tr: str,
    flows: tuple[str, ...],
    resolve: Callable[[Mapping[str, Any]], ParamValue | None] | None = None,
) -> Variable:
    return Variable(key, label_en, label_tr, sample_en, sample_tr, flows, resolve or _plain(key))


SHIPPED_FLOWS = ("order_fulfilled", "order_fulfilled_no_link", "order_fulfilled_no_tracking")
ORDER_FLOWS = (
    "order_created",
    "order_paid",
    *SHIPPED_FLOWS,
    "order_cancelled",
    "order_refunded",
    "cod_confirmation",
    "reminder",
)
RECOVERY_FLOWS = ("cart_recovery_1", "cart_recovery_2", "cart_recovery_2_discount")
ALL_FLOWS = (*ORDER_FLOWS, *RECOVERY_FLOWS, "optin_request")

CATALOGUE: dict[str, Variable] = {
    v.key: v
    for v in (
        _var("first_name", "First name", "Ad", "Emma", "Ayşe", ALL_FLOWS),
        _var("store_name", "Store name", "Mağaza adı", "Ulak Store", "Ulak Mağaza", ALL_FLOWS),
        _var("order_number", "Order number", "Sipariş numarası", "1042", "1042", ORDER_FLOWS),
        _var(
            "order_total",
            "Order total",
            "Sipariş tutarı",
            "TRY\u00a01,234.50",
            "₺1.234,50",
            ORDER_FLOWS,
            _total,
        ),
        _var(
            "item_summary",
            "Items",
            "Ürünler",
            "2× Blue T-shirt, 1× Mug +2 more",
            "2× Mavi Tişört, 1× Kupa +2 ürün daha",
            (*ORDER_FLOWS, *RECOVERY_FLOWS),
            _summary,
        ),
        _var(
            "tracking_number",
            "Tracking number",
            "Takip numarası",
            "1Z999AA10123456784",
            "1Z999AA10123456784",
            SHIPPED_FLOWS[:2],
        ),
        _var(
            "tracking_url",
            "Tracking URL",
            "Takip adresi",
            "https://track.example/1Z999AA1",
            "https://takip.example/1Z999AA1",
            ("order_fulfilled",),
        ),
        _var(
            "tracking_link",
            "Tracked tracking link",
            "Takip bağlantısı",
            "Ab3dE9",
            "Ab3dE9",
            ("order_fulfilled",),
        ),
        _var(
            "checkout_url",
            "Checkout URL",
            "Sepet adresi",
            "https://shop.example/checkout/5f1c",
            "https://magaza.example/checkout/5f1c",
            RECOVERY_FLOWS,
        ),
        _var(
            "checkout_link",
            "Tracked checkout link",
            "Sepet bağlantısı",
            "Xy7kQ2",
            "Xy7kQ2",
            RECOVERY_FLOWS,
        ),
        _var(
            "discount_code",
            "Discount code",
            "İndirim kodu",
            "WELCOME10",
            "HOSGELDIN10",
            ("cart_recovery_2_discount",),
        ),
        _var(
            "appointment_at",
            "Appointment time",
            "Randevu zamanı",
            "14 March 2030, 15:30",
            "14 Mart 2030, 15:30",
            ("reminder",),
            _appointment,
        ),
        _var(
            "pickup_location",
            "Store pickup point (location header)",
            "Mağaza teslim noktası (konum başlığı)",
            "Ulak Store, Istanbul",
            "Ulak Mağaza, İstanbul",
            ALL_FLOWS,
            _location("pickup_point"),
        ),
        _var(
            "shipping_location",
            "Order's shipping address (location header)",
            "Siparişin teslimat adresi (konum başlığı)",
            "Home, Kadıköy",
            "Ev, Kadıköy",
            ORDER_FLOWS,
            _location("shipping_location"),
        ),
    )
}


def reference_key(ref: Any) -> str | None:
    """The catalogue key a mapping reference points at (None for a fixed payload or text)."""
    if isinstance(ref, str):
        return ref
    if isinstance(ref, Mapping) and isinstance(ref.get("var"), str):
        return str(ref["var"])
    return None


def _resolve_ref(ref: Any, context: Mapping[str, Any], missing: list[str]) -> ParamValue:
    if isinstance(ref, Mapping) and "payload" in ref:
        return str(ref["payload"])
    if isinstance(ref, Mapping) and "text" in ref:
        return str(ref["text"])
    if isinstance(ref, Mapping) and "link" in ref:
        filename = ref.get("filename")
        return Media(str(ref["link"]), str(filename) if filename else None)
    key = reference_key(ref)
    variable = CATALOGUE.get(key or "")
    value = variable.resolve(context) if variable else context.get(key or "")
    if value in (None, ""):
        missing.append(str(key))
        return ""
    return value if not isinstance(value, (int, float, Decimal)) else str(value)


def _buttons(mapping: Mapping[str, Any]) -> dict[int, Any]:
    raw = mapping.get("buttons") or {}
    return {int(k): v for k, v in raw.items()} if isinstance(raw, Mapping) else {}


def resolve_places(
    mapping: Mapping[str, Any], context: Mapping[str, Any]
) -> tuple[TemplateValues, dict[str, str]]:
    """The values for one send, and each place left empty ("header.1", "body.2",
    "buttons.0") with the variable it needed."""
    gaps: dict[str, str] = {}

    def one(ref: Any, place: str) -> ParamValue:
        missing: list[str] = []
        value = _resolve_ref(ref, context, missing)
        if missing:
            gaps[place] = missing[0]
        return value

    header = tuple(one(r, f"header.{i + 1}") for i, r in enumerate(mapping.get("header") or []))
    body = tuple(one(r, f"body.{i + 1}") for i, r in enumerate(mapping.get("body") or []))
    buttons = {i: str(one(r, f"buttons.{i}")) for i, r in _buttons(mapping).items()}
    return TemplateValues(header=header, body=body, buttons=buttons), gaps


def resolve_variables(mapping: Mapping[str, Any], context: Mapping[str, Any]) -> TemplateValues:
    """The values for one send; raises `MissingVariables` naming every missing key."""
    values, gaps = resolve_places(mapping, context)
    if gaps:
        raise MissingVariables(list(gaps.values()))
    return values


def sample_values(
    mapping: Mapping[str, Any], language: str, given: Mapping[str, Any] | None = None
) -> TemplateValues:
    """The catalogue's samples for a mapping, in the template's language (Meta's `example`);
    `given` (variable key -> text, e.g. typed in the admin's preview) wins over a sample."""

    def sample(ref: Any) -> str:
        if isinstance(ref, Mapping) and "payload" in ref:
            return str(ref["payload"])
        if isinstance(ref, Mapping) and ("text" in ref or "link" in ref):
            return str(ref.get("text") or ref.get("link"))
        key = reference_key(ref) or ""
        if given and given.get(key) not in (None, ""):
            return str(given[key])
        variable = CATALOGUE.get(key)
        return variable.sample(language) if variable else str(reference_key(ref))

    return TemplateValues(
        header=tuple(sample(r) for r in mapping.get("header") or []),
        body=tuple(sample(r) for r in mapping.get("body") or []),
        buttons={i: sample(r) for i, r in _buttons(mapping).items()},
    )


def unknown_variables(mapping: Mapping[str, Any]) -> list[str]:
    """Mapped keys the catalogue does not know (a typo in a merchant's mapping)."""
    refs = [*(mapping.get("header") or []), *(mapping.get("body") or [])]
    keys = [reference_key(r) for r in [*refs, *_buttons(mapping).values()]]
    return [k for k in keys if k is not None and k not in CATALOGUE]
