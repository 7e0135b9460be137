"""What a customer's phone shows for a send: a template rendered with its parameters, or a
free-form (text, media, interactive) message, checked against Meta's documented limits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from plugin.whatsapp.sandbox.graph import GraphError, require
from plugin.whatsapp.sandbox.template_rules import SandboxTemplate

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
BUTTON_SUB_TYPES = {"QUICK_REPLY": "quick_reply", "URL": "url", "COPY_CODE": "copy_code"}
MEDIA_TYPES = ("image", "video", "document", "audio", "sticker")


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
    require(isinstance(param, dict), f"{where}: parameter must be an object")
    kind = param.get("type")
    if kind == "text":
        value = param.get("text")
        require(isinstance(value, str), f"{where}: Param text is required", 131008)
        require(str(value).strip(), f"{where}: Param text cannot be empty", 131009)
        return str(value)
    if kind == "currency":
        cur = param.get("currency")
        require(
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
        require(
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
            require(pname in keys, f"{where}: unknown parameter_name {pname!r}", 132000)
            values[str(pname)] = value
        else:
            values[str(index + 1)] = value
    if not named:
        require(
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
    require(-limit <= number <= limit, f"header: location {where} out of range", 131009)
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
        require(location.get(key) not in (None, ""), f"header: location {key} is required", 131008)
    _coordinate(location["latitude"], 90, "latitude")
    _coordinate(location["longitude"], 180, "longitude")
    for key in ("name", "address"):
        require(isinstance(location[key], str), f"header: location {key} must be text", 131009)
    return {k: location[k] for k in ("latitude", "longitude", "name", "address")}


def render_template(tpl: SandboxTemplate, template: dict[str, Any]) -> Rendered:
    """Check the send's components against the approved template and render it."""
    comps = template.get("components") or []
    require(isinstance(comps, list), "template.components must be a list")
    given: dict[str, dict[str, Any]] = {}
    button_params: dict[int, dict[str, Any]] = {}
    for comp in comps:
        require(isinstance(comp, dict), "template.components[] must be objects")
        kind = str(comp.get("type", "")).lower()
        require(kind in {"header", "body", "button"}, f"Invalid component type {kind!r}")
        params = comp.get("parameters", [])
        require(isinstance(params, list), f"{kind}: parameters must be a list")
        if kind == "button":
            try:
                index = int(comp.get("index"))
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
            require(isinstance(media, dict), f"header: {kind} object is required", 131008)
            if kind == "location":
                out.header = {"type": "location", **_location_header(media)}
            else:
                require(media.get("link") or media.get("id"), f"header: {kind} link", 131008)
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
        require(
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
                require(params[0].get("type") == "payload", "quick_reply: payload", 132012)
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
                require(len(params) == 1, f"button {index}: url suffix param missing", 132000)
                require(params[0].get("type") == "text", f"button {index}: url text", 132012)
                url = PLACEHOLDER.sub(str(params[0].get("text", "")), url, count=1)
            out.buttons.append(
                {"type": "url", "text": bdef.get("text", ""), "url": url, "index": index}
            )
        elif btype == "COPY_CODE":
            require(len(params) == 1, f"button {index}: coupon_code param missing", 132000)
            require(params[0].get("type") == "coupon_code", f"button {index}: coupon", 132012)
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
    require(isinstance(obj, dict), f"The parameter {kind} is required.")
    assert isinstance(obj, dict)
    if kind == "text":
        text = obj.get("body")
        require(isinstance(text, str) and text, "The parameter text['body'] is required.")
        assert isinstance(text, str)
        require(len(text) <= 4096, "Param text['body'] must be at most 4096 characters long.")
        return Rendered(type="text", text=text)
    if kind in MEDIA_TYPES:
        require(obj.get("link") or obj.get("id"), f"Param {kind}['link'] or ['id'] is required")
        media = {"type": kind, **obj}
        return Rendered(type=kind, text=str(obj.get("caption") or ""), header=media)
    if kind == "interactive":
        return _render_interactive(obj)
    raise GraphError(131051, f"Unsupported message type {kind}")


def _render_interactive(obj: dict[str, Any]) -> Rendered:
    itype = obj.get("type")
    body = obj.get("body")
    require(isinstance(body, dict) and isinstance(body.get("text"), str), "interactive.body.text")
    assert isinstance(body, dict)
    require(len(body["text"]) <= 1024, "interactive.body.text must be at most 1024 characters")
    action = obj.get("action")
    require(isinstance(action, dict), "The parameter interactive['action'] is required.")
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
        buttons: Any = action.get("buttons")
        require(isinstance(buttons, list) and 1 <= len(buttons) <= 3, "1-3 reply buttons")
        for button in buttons:
            reply: Any = button.get("reply") if isinstance(button, dict) else None
            require(
                isinstance(reply, dict) and reply.get("id") and reply.get("title"),
                "reply button needs id and title",
            )
            require(len(str(reply["title"])) <= 20, "button title must be at most 20 characters")
            out.buttons.append({"type": "reply", "text": reply["title"], "id": reply["id"]})
    elif itype == "list":
        require(isinstance(action.get("button"), str), "list: action.button is required")
        sections: Any = action.get("sections")
        require(isinstance(sections, list) and 1 <= len(sections) <= 10, "1-10 list sections")
        rows = [row for s in sections if isinstance(s, dict) for row in s.get("rows", [])]
        require(1 <= len(rows) <= 10, "list: 1-10 rows in total")
        for row in rows:
            require(isinstance(row, dict) and row.get("id") and row.get("title"), "row id/title")
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
        require(
            action.get("name") == "request_contact_info",
            "request_contact_info: action.name must be request_contact_info",
        )
        out.buttons.append({"type": "request_contact_info", "text": "Share contact info"})
    elif itype == "cta_url":
        params = action.get("parameters")
        require(
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
