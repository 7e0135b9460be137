"""Meta's request validation and rendering for the sandbox: pure functions over plain dicts.

The send path parses JSON by hand (no pydantic) because the sandbox must answer thousands of
sends per second on a small machine; the rules follow Meta's documented limits and error codes.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
HEADER_FORMATS = {"TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"}
CATEGORIES = {"MARKETING", "UTILITY", "AUTHENTICATION"}
BUTTON_SUB_TYPES = {"QUICK_REPLY": "quick_reply", "URL": "url", "COPY_CODE": "copy_code"}
MEDIA_TYPES = ("image", "video", "document", "audio", "sticker")

_TITLES = {
    0: "AuthException",
    1: "An unknown error occurred",
    2: "Service temporarily unavailable",
    4: "Application request limit reached",
    100: "Invalid parameter",
    190: "Invalid OAuth access token - Cannot parse access token",
    368: "Temporarily blocked for policies violations",
    130429: "Rate limit hit",
    131000: "Something went wrong",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131016: "Service unavailable",
    131026: "Message Undeliverable.",
    131031: "Business Account locked",
    131042: "Business eligibility payment issue",
    131047: "Re-engagement message",
    131048: "Spam rate limit hit",
    131049: "This message was not delivered to maintain healthy ecosystem engagement.",
    131050: "Unable to deliver the message. This recipient has chosen to stop receiving "
    "marketing messages on WhatsApp from your business.",
    131051: "Unsupported message type",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    131057: "Account in maintenance mode",
    131063: "Marketing template messages are disabled on Cloud API for this business. "
    "Send them with the Marketing Messages API.",
    10: "Permission denied",
    130472: "User's number is part of an experiment",
    130497: "Business account is restricted from messaging users in this country.",
    131037: "WhatsApp provided number needs display name approval before message can be sent.",
    131062: "Business-scoped User ID recipients are not supported for this message.",
    131064: "Business account is restricted",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    132005: "Translated text too long",
    132007: "Template Format Character Policy Violated",
    132012: "Parameter format does not match format in the created template",
    132015: "Template is Paused",
    132016: "Template is Disabled",
}
_HTTP_STATUS = {190: 401, 0: 401, 130429: 429, 4: 429, 80007: 429}


def title(code: int) -> str:
    return _TITLES.get(code, f"Error {code}")


class GraphError(Exception):
    """An error answered in Meta's shape: {"error": {message, type, code, error_data, ...}}."""

    def __init__(
        self,
        code: int,
        details: str | None = None,
        *,
        subcode: int | None = None,
        message: str | None = None,
        error_type: str = "OAuthException",
        http_status: int | None = None,
    ) -> None:
        self.code = code
        self.details = details
        self.subcode = subcode
        self.message = message or (f"(#{code}) {title(code)}" if code else title(code))
        self.error_type = error_type
        self.http_status = http_status or _HTTP_STATUS.get(code, 400)
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": self.message,
            "type": self.error_type,
            "code": self.code,
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        error["error_data"] = {
            "messaging_product": "whatsapp",
            "details": self.details or title(self.code),
        }
        error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
        return {"error": error}


def unknown_object(object_id: str) -> GraphError:
    return GraphError(
        100,
        f"Unsupported post request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation.",
        subcode=33,
        message=f"Unsupported post request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation.",
        error_type="GraphMethodException",
    )


def _require(cond: object, details: str, code: int = 100) -> None:
    if not cond:
        raise GraphError(code, details)


BSUID = re.compile(r"^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$")


def recipient_bsuid(recipient: object) -> str:
    """A business-scoped user id as Meta shapes it: two-letter ISO country, ".", up to 128
    alphanumerics; the parent form carries "ENT." (Meta's business-scoped user ids page)."""
    _require(
        isinstance(recipient, str) and BSUID.match(recipient),
        f"Invalid 'recipient' parameter: {recipient}",
    )
    assert isinstance(recipient, str)
    return recipient


def recipient_digits(to: object) -> str:
    """Meta's wa_id for `to`: digits only; anything else is an invalid parameter."""
    _require(isinstance(to, str) and to, "The parameter to is required.")
    assert isinstance(to, str)
    digits = "".join(ch for ch in to if ch.isdigit())
    cleaned = to.strip().lstrip("+").replace(" ", "").replace("-", "").replace("(", "")
    cleaned = cleaned.replace(")", "")
    _require(cleaned.isdigit() and 7 <= len(digits) <= 15, f"Invalid 'to' parameter: {to}")
    return digits


# --------------------------------------------------------------------------- templates


@dataclass(slots=True)
class SandboxTemplate:
    id: str
    waba_id: str
    name: str
    language: str
    category: str
    components: list[dict[str, Any]]
    parameter_format: str = "POSITIONAL"
    status: str = "PENDING"
    rejected_reason: str = "NONE"

    def component(self, kind: str) -> dict[str, Any] | None:
        for comp in self.components:
            if str(comp.get("type", "")).upper() == kind:
                return comp
        return None

    def public(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "parameter_format": self.parameter_format,
            "components": self.components,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "id": self.id,
            **({"rejected_reason": self.rejected_reason} if self.status == "REJECTED" else {}),
        }


def validate_template_definition(body: Any) -> dict[str, Any]:
    """Check a create-template request the way Meta does; returns the cleaned fields."""
    _require(isinstance(body, dict), "Request body must be a JSON object")
    name, language, category = body.get("name"), body.get("language"), body.get("category")
    _require(isinstance(name, str) and name, "The parameter name is required.")
    _require(
        TEMPLATE_NAME.match(str(name)),
        "Template name may only contain lowercase letters, numbers and underscores.",
    )
    _require(isinstance(language, str) and language, "The parameter language is required.")
    _require(category in CATEGORIES, "Invalid parameter: category")
    components = body.get("components")
    _require(isinstance(components, list) and components, "The parameter components is required.")
    assert isinstance(components, list)
    kinds = [str(c.get("type", "")).upper() for c in components if isinstance(c, dict)]
    _require(len(kinds) == len(components), "Each component must be an object")
    _require(kinds.count("BODY") == 1, "A template needs exactly one BODY component")
    for comp in components:
        kind = str(comp["type"]).upper()
        _require(kind in {"HEADER", "BODY", "FOOTER", "BUTTONS"}, f"Invalid component {kind}")
        if kind == "BODY":
            text = comp.get("text")
            _require(isinstance(text, str) and 0 < len(text) <= 1024, "BODY text: 1-1024 chars")
        if kind == "HEADER":
            fmt = str(comp.get("format", "")).upper()
            _require(fmt in HEADER_FORMATS, f"Invalid header format {fmt}")
            if fmt == "TEXT":
                _require(isinstance(comp.get("text"), str), "HEADER text is required")
        if kind == "BUTTONS":
            buttons = comp.get("buttons")
            _require(isinstance(buttons, list) and 0 < len(buttons) <= 10, "1-10 buttons")
    parameter_format = str(body.get("parameter_format") or "POSITIONAL").upper()
    _require(parameter_format in {"POSITIONAL", "NAMED"}, "Invalid parameter_format")
    return {
        "name": name,
        "language": language,
        "category": category,
        "components": components,
        "parameter_format": parameter_format,
    }


def review(template: SandboxTemplate) -> tuple[str, str]:
    """The sandbox's review rule: "reject*" names and REJECT_ME bodies fail, the rest pass."""
    body = template.component("BODY") or {}
    if template.name.startswith("reject") or "REJECT_ME" in str(body.get("text", "")):
        return "REJECTED", "INVALID_FORMAT"
    return "APPROVED", "NONE"


# --------------------------------------------------------------------------- rendering


@dataclass(slots=True)
class Rendered:
    """What the customer's phone shows for one message."""

    type: str
    text: str = ""
    header: dict[str, Any] | None = None
    footer: str | None = None
    buttons: list[dict[str, Any]] = field(default_factory=list)
    template_name: str | None = None
    template_language: str | None = None
    category: str = "service"


def _placeholders(text: str) -> list[str]:
    seen: list[str] = []
    for key in PLACEHOLDER.findall(text):
        if key not in seen:
            seen.append(key)
    return seen


def _param_text(param: Any, where: str) -> str:
    _require(isinstance(param, dict), f"{where}: parameter must be an object")
    kind = param.get("type")
    if kind == "text":
        value = param.get("text")
        _require(isinstance(value, str), f"{where}: Param text is required", 131008)
        _require(str(value).strip(), f"{where}: Param text cannot be empty", 131009)
        return str(value)
    if kind == "currency":
        cur = param.get("currency")
        _require(
            isinstance(cur, dict)
            and "fallback_value" in cur
            and "code" in cur
            and isinstance(cur.get("amount_1000"), int),
            f"{where}: currency needs fallback_value, code and amount_1000",
            131008,
        )
        return str(cur["fallback_value"])
    if kind == "date_time":
        dt = param.get("date_time")
        _require(
            isinstance(dt, dict) and "fallback_value" in dt,
            f"{where}: date_time needs fallback_value",
            131008,
        )
        return str(dt["fallback_value"])
    raise GraphError(132012, f"{where}: unsupported parameter type {kind!r}")


def _substitute(text: str, params: list[Any], named: bool, where: str) -> str:
    keys = _placeholders(text)
    if len(params) != len(keys):
        raise GraphError(
            132000,
            f"{where}: number of localizable_params ({len(params)}) does not match the "
            f"expected number of params ({len(keys)})",
        )
    values: dict[str, str] = {}
    for index, param in enumerate(params):
        value = _param_text(param, where)
        if named:
            pname = param.get("parameter_name")
            _require(pname in keys, f"{where}: unknown parameter_name {pname!r}", 132000)
            values[str(pname)] = value
        else:
            values[str(index + 1)] = value
    if not named:
        _require(
            sorted(keys, key=lambda k: int(k) if k.isdigit() else 0)
            == [str(i + 1) for i in range(len(keys))],
            f"{where}: placeholders must be {{{{1}}}}..{{{{n}}}}",
            132000,
        )
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _coordinate(value: Any, limit: float, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise GraphError(131009, f"header: location {where} is not a number") from None
    _require(-limit <= number <= limit, f"header: location {where} out of range", 131009)
    return number


def _location_header(location: dict[str, Any]) -> dict[str, Any]:
    """A LOCATION header's parameter as Meta takes it at send time:
    `{"type": "location", "location": {"latitude", "longitude", "name", "address"}}`.

    Source: Meta, WhatsApp Business Platform, "Location templates" (utility and marketing,
    developers.facebook.com/documentation/business-messaging/whatsapp/templates/
    utility-templates/location-templates/): "The location (latitude, longitude, name,
    address) is specified at send time"; whatsapp-api-js HeaderParameter: "For Location
    parameter, the location must have a name and address". A missing field answers 131008
    (required parameter missing), a coordinate outside the globe 131009 (invalid value)."""
    for key in ("latitude", "longitude", "name", "address"):
        _require(location.get(key) not in (None, ""), f"header: location {key} is required", 131008)
    _coordinate(location["latitude"], 90, "latitude")
    _coordinate(location["longitude"], 180, "longitude")
    for key in ("name", "address"):
        _require(isinstance(location[key], str), f"header: location {key} must be text", 131009)
    return {k: location[k] for k in ("latitude", "longitude", "name", "address")}


def render_template(tpl: SandboxTemplate, template: dict[str, Any]) -> Rendered:
    """Check the send's components against the approved template and render it."""
    comps = template.get("components") or []
    _require(isinstance(comps, list), "template.components must be a list")
    given: dict[str, dict[str, Any]] = {}
    button_params: dict[int, dict[str, Any]] = {}
    for comp in comps:
        _require(isinstance(comp, dict), "template.components[] must be objects")
        kind = str(comp.get("type", "")).lower()
        _require(kind in {"header", "body", "button"}, f"Invalid component type {kind!r}")
        params = comp.get("parameters", [])
        _require(isinstance(params, list), f"{kind}: parameters must be a list")
        if kind == "button":
            try:
                index = int(comp.get("index"))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise GraphError(131008, "button: index is required") from None
            button_params[index] = comp
        else:
            given[kind] = comp
    named = tpl.parameter_format == "NAMED"
    out = Rendered(
        type="template",
        template_name=tpl.name,
        template_language=tpl.language,
        category=tpl.category.lower(),
    )
    # header
    header_def = tpl.component("HEADER")
    header_params = given.get("header", {}).get("parameters", [])
    if header_def is not None:
        fmt = str(header_def.get("format", "TEXT")).upper()
        if fmt == "TEXT":
            text = _substitute(str(header_def.get("text", "")), header_params, named, "header")
            out.header = {"type": "text", "text": text}
        else:
            kind = fmt.lower()
            if len(header_params) != 1 or header_params[0].get("type") != kind:
                got = header_params[0].get("type") if header_params else "UNKNOWN"
                raise GraphError(
                    132012, f"header: Format mismatch, expected {fmt}, received {str(got).upper()}"
                )
            media = header_params[0].get(kind)
            _require(isinstance(media, dict), f"header: {kind} object is required", 131008)
            if kind == "location":
                out.header = {"type": "location", **_location_header(media)}
            else:
                _require(media.get("link") or media.get("id"), f"header: {kind} link", 131008)
                out.header = {"type": kind, **media}
    elif header_params:
        raise GraphError(132000, "header: the template has no header")
    # body
    body_def = tpl.component("BODY") or {"text": ""}
    body_text = _substitute(
        str(body_def.get("text", "")), given.get("body", {}).get("parameters", []), named, "body"
    )
    footer_def = tpl.component("FOOTER")
    out.footer = str(footer_def.get("text")) if footer_def else None
    # buttons
    buttons_def = (tpl.component("BUTTONS") or {}).get("buttons", [])
    for index in button_params:
        _require(
            0 <= index < len(buttons_def),
            f"button: no button at index {index} (the template has {len(buttons_def)})",
            131009,
        )
    for index, bdef in enumerate(buttons_def):
        btype = str(bdef.get("type", "")).upper()
        sent = button_params.get(index)
        if sent is not None and BUTTON_SUB_TYPES.get(btype) != sent.get("sub_type"):
            raise GraphError(
                131009,
                f"button at index {index}: sub_type {sent.get('sub_type')!r} does not match "
                f"the template's {btype}",
            )
        params = sent.get("parameters", []) if sent else []
        if btype == "QUICK_REPLY":
            payload = bdef.get("text", "")
            if params:
                _require(params[0].get("type") == "payload", "quick_reply: payload", 132012)
                payload = str(params[0].get("payload", ""))
            out.buttons.append(
                {
                    "type": "quick_reply",
                    "text": bdef.get("text", ""),
                    "payload": payload,
                    "index": index,
                }
            )
        elif btype == "URL":
            url = str(bdef.get("url", ""))
            if PLACEHOLDER.search(url):
                _require(len(params) == 1, f"button {index}: url suffix param missing", 132000)
                _require(params[0].get("type") == "text", f"button {index}: url text", 132012)
                url = PLACEHOLDER.sub(str(params[0].get("text", "")), url, count=1)
            out.buttons.append(
                {"type": "url", "text": bdef.get("text", ""), "url": url, "index": index}
            )
        elif btype == "COPY_CODE":
            _require(len(params) == 1, f"button {index}: coupon_code param missing", 132000)
            _require(params[0].get("type") == "coupon_code", f"button {index}: coupon", 132012)
            out.buttons.append(
                {
                    "type": "copy_code",
                    "text": "Copy code",
                    "code": str(params[0].get("coupon_code", "")),
                    "index": index,
                }
            )
        else:
            out.buttons.append(
                {
                    "type": btype.lower(),
                    "text": bdef.get("text", ""),
                    "index": index,
                    **({"url": bdef["url"]} if "url" in bdef else {}),
                }
            )
    header_text = out.header.get("text") if out.header and out.header["type"] == "text" else None
    out.text = f"{header_text}\n{body_text}" if header_text else body_text
    return out


def render_freeform(body: dict[str, Any], kind: str) -> Rendered:
    """Validate and render text, interactive and media messages."""
    obj = body.get(kind)
    _require(isinstance(obj, dict), f"The parameter {kind} is required.")
    assert isinstance(obj, dict)
    if kind == "text":
        text = obj.get("body")
        _require(isinstance(text, str) and text, "The parameter text['body'] is required.")
        assert isinstance(text, str)
        _require(len(text) <= 4096, "Param text['body'] must be at most 4096 characters long.")
        return Rendered(type="text", text=text)
    if kind in MEDIA_TYPES:
        _require(obj.get("link") or obj.get("id"), f"Param {kind}['link'] or ['id'] is required")
        media = {"type": kind, **obj}
        return Rendered(type=kind, text=str(obj.get("caption") or ""), header=media)
    if kind == "interactive":
        return _render_interactive(obj)
    raise GraphError(131051, f"Unsupported message type {kind}")


def _render_interactive(obj: dict[str, Any]) -> Rendered:
    itype = obj.get("type")
    body = obj.get("body")
    _require(isinstance(body, dict) and isinstance(body.get("text"), str), "interactive.body.text")
    assert isinstance(body, dict)
    _require(len(body["text"]) <= 1024, "interactive.body.text must be at most 1024 characters")
    action = obj.get("action")
    _require(isinstance(action, dict), "The parameter interactive['action'] is required.")
    assert isinstance(action, dict)
    out = Rendered(type="interactive", text=body["text"])
    header = obj.get("header")
    if isinstance(header, dict):
        htype = header.get("type")
        out.header = (
            {"type": htype, "text": header["text"]}
            if htype == "text"
            else {"type": htype, **(header.get(str(htype)) or {})}
        )
    footer = obj.get("footer")
    out.footer = footer.get("text") if isinstance(footer, dict) else None
    if itype == "button":
        buttons = action.get("buttons")
        _require(isinstance(buttons, list) and 1 <= len(buttons) <= 3, "1-3 reply buttons")
        for button in buttons:
            reply = button.get("reply") if isinstance(button, dict) else None
            _require(
                isinstance(reply, dict) and reply.get("id") and reply.get("title"),
                "reply button needs id and title",
            )
            _require(len(str(reply["title"])) <= 20, "button title must be at most 20 characters")
            out.buttons.append({"type": "reply", "text": reply["title"], "id": reply["id"]})
    elif itype == "list":
        _require(isinstance(action.get("button"), str), "list: action.button is required")
        sections = action.get("sections")
        _require(isinstance(sections, list) and 1 <= len(sections) <= 10, "1-10 list sections")
        rows = [row for s in sections if isinstance(s, dict) for row in s.get("rows", [])]
        _require(1 <= len(rows) <= 10, "list: 1-10 rows in total")
        for row in rows:
            _require(isinstance(row, dict) and row.get("id") and row.get("title"), "row id/title")
            out.buttons.append(
                {
                    "type": "list_row",
                    "text": row["title"],
                    "id": row["id"],
                    "description": row.get("description"),
                }
            )
        out.footer = out.footer
        out.header = out.header
        out.buttons.insert(0, {"type": "list_button", "text": action["button"]})
    elif itype == "request_contact_info":
        # Meta's business-scoped user ids page: one fixed button, the user's card comes back
        _require(
            action.get("name") == "request_contact_info",
            "request_contact_info: action.name must be request_contact_info",
        )
        out.buttons.append({"type": "request_contact_info", "text": "Share contact info"})
    elif itype == "cta_url":
        params = action.get("parameters")
        _require(
            isinstance(params, dict) and params.get("display_text") and params.get("url"),
            "cta_url: parameters.display_text and parameters.url are required",
        )
        assert isinstance(params, dict)
        out.buttons.append(
            {"type": "cta_url", "text": params["display_text"], "url": params["url"]}
        )
    else:
        raise GraphError(100, f"Invalid interactive type {itype!r}")
    return out
