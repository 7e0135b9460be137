"""What the sandbox remembers of each message (outbound and inbound) and how a customer is
keyed (phone digits, or a BSUID for a username user); shared by every part of the sandbox."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from plugin.whatsapp.sandbox.render import Rendered

loads: Callable[[bytes | str], Any]  # orjson's and json's, whichever is there

try:  # orjson is a project dependency; the stdlib keeps the sandbox importable without it
    import orjson

    def dumps(obj: Any) -> bytes:
        return orjson.dumps(obj)

    loads = orjson.loads
except ImportError:  # pragma: no cover
    import json

    def dumps(obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":")).encode()

    loads = json.loads


@dataclass(slots=True)
class SentMessage:
    """One accepted outbound message, as the phone shows it."""

    wamid: str
    phone_number_id: str
    waba_id: str
    to: str  # digits, or the BSUID of a send addressed with `recipient`
    rendered: Rendered
    time: float  # sandbox clock, epoch seconds
    endpoint: str
    biz_opaque_callback_data: str | None = None
    status: str = "accepted"
    errors: list[dict[str, Any]] = field(default_factory=list)
    direction: str = "outbound"

    def public(self) -> dict[str, Any]:
        r = self.rendered
        body = r.text
        if r.header and r.header.get("type") == "text" and body.startswith(r.header["text"]):
            body = body[len(r.header["text"]) + 1 :]
        return {
            "wamid": self.wamid,
            "direction": "outbound",
            "phone_number_id": self.phone_number_id,
            "to": None if is_bsuid(self.to) else "+" + self.to,
            "user_id": self.to if is_bsuid(self.to) else user_id_for(self.to),
            "type": r.type,
            "template_name": r.template_name,
            "template_language": r.template_language,
            "template": (
                {"name": r.template_name, "language": r.template_language}
                if r.template_name
                else None
            ),
            "category": r.category,
            "text": r.text,
            "rendered_text": r.text,
            "body": body,
            "header": r.header,
            "footer": r.footer,
            "buttons": r.buttons,
            "status": self.status,
            "errors": self.errors,
            "time": iso_time(self.time),
            "endpoint": self.endpoint,
            "biz_opaque_callback_data": self.biz_opaque_callback_data,
        }


@dataclass(slots=True)
class InboundRecord:
    wamid: str
    phone_number_id: str
    customer: str  # digits
    type: str
    text: str
    time: float
    direction: str = "inbound"

    def public(self) -> dict[str, Any]:
        return {
            "wamid": self.wamid,
            "direction": "inbound",
            "phone_number_id": self.phone_number_id,
            "from": None if is_bsuid(self.customer) else "+" + self.customer,
            "from_user_id": self.customer if is_bsuid(self.customer) else None,
            "type": self.type,
            "text": self.text,
            "time": iso_time(self.time),
        }


def iso_time(ts: float) -> str:
    """A sandbox-clock instant as the sandbox's own API shows it."""
    return datetime.fromtimestamp(ts, UTC).isoformat()


def is_bsuid(key: str) -> bool:
    """Customers are keyed by phone digits, or by BSUID when they never showed a number."""
    return "." in key


def user_id_for(digits: str) -> str:
    """A stable business-scoped user id (BSUID-like: country code, dot, number)."""
    country = "TR" if digits.startswith("90") else "US"
    return f"{country}.{int(hashlib.sha256(digits.encode()).hexdigest()[:15], 16)}"
