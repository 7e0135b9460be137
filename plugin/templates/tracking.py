"""Signed link codes: a URL button's suffix that carries its message id, made at send time.

A campaign fans out a million rows in one INSERT … SELECT, before any row has an id, so its
tracked URL buttons cannot get a link row per recipient. The fan-out stores a marker instead
(`~t<link id>`: the campaign's one link row per variant button), and the sender turns it into
`sign(link id, outbox row id)` just before the call to Meta. At /r/<code> the code is checked
with the app's key (HMAC via plugin.crypto) and the click is tied to that message.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Iterable
from typing import Any

from plugin.crypto import keyed_hash

MARKER_PREFIX = "~t"
_MARKER = re.compile(r"^~t(\d{1,10})$")
_MAC_BYTES = 8
_CODE_BYTES = 4 + 8 + _MAC_BYTES  # link id, message id, MAC -> 27 base64url characters
PURPOSE = "tracked-link-v1"


def marker(link_id: int) -> str:
    """The URL suffix stored in an outbox row until the sender knows the row's id."""
    return f"{MARKER_PREFIX}{link_id}"


def _mac(link_id: int, message_id: int) -> bytes:
    return bytes.fromhex(keyed_hash(f"{link_id}:{message_id}", purpose=PURPOSE))[:_MAC_BYTES]


def sign(link_id: int, message_id: int) -> str:
    """A code for `<APP_URL>/r/<code>` naming the link row and the message it was sent in."""
    raw = link_id.to_bytes(4, "big") + message_id.to_bytes(8, "big") + _mac(link_id, message_id)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def verify(code: str) -> tuple[int, int] | None:
    """(link id, message id) of a code made by `sign`, or None (not one, or forged)."""
    if len(code) != 27:
        return None
    try:
        raw = base64.urlsafe_b64decode(code + "=")
    except (binascii.Error, ValueError):
        return None
    if len(raw) != _CODE_BYTES:
        return None
    link_id = int.from_bytes(raw[:4], "big")
    message_id = int.from_bytes(raw[4:12], "big")
    if not hmac.compare_digest(raw[12:], _mac(link_id, message_id)):
        return None
    return link_id, message_id


def sign_components(components: Iterable[dict[str, Any]], message_id: int) -> list[dict[str, Any]]:
    """The components as sent: every URL-button marker replaced by its signed code."""
    out: list[dict[str, Any]] = []
    for component in components:
        if component.get("type") == "button" and component.get("sub_type") == "url":
            params = []
            for p in component.get("parameters") or []:
                found = (
                    _MARKER.fullmatch(str(p.get("text", ""))) if p.get("type") == "text" else None
                )
                params.append({**p, "text": sign(int(found.group(1)), message_id)} if found else p)
            component = {**component, "parameters": params}
        out.append(component)
    return out
