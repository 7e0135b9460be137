"""Meta's Graph API errors and recipient parsing for the sandbox: pure functions over plain
dicts, shared by the send path, the template rules and the rendering.

The send path parses JSON by hand (no pydantic) because the sandbox must answer thousands of
sends per second on a small machine; the rules follow Meta's documented limits and error codes.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

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


def require(cond: object, details: str, code: int = 100) -> None:
    """Meta's answer to a request that breaks a rule: an invalid-parameter error (100)."""
    if not cond:
        raise GraphError(code, details)


BSUID = re.compile(r"^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$")


def recipient_bsuid(recipient: object) -> str:
    """A business-scoped user id as Meta shapes it: two-letter ISO country, ".", up to 128
    alphanumerics; the parent form carries "ENT." (Meta's business-scoped user ids page)."""
    require(
        isinstance(recipient, str) and BSUID.match(recipient),
        f"Invalid 'recipient' parameter: {recipient}",
    )
    assert isinstance(recipient, str)
    return recipient


def recipient_digits(to: object) -> str:
    """Meta's wa_id for `to`: digits only; anything else is an invalid parameter."""
    require(isinstance(to, str) and to, "The parameter to is required.")
    assert isinstance(to, str)
    digits = "".join(ch for ch in to if ch.isdigit())
    cleaned = to.strip().lstrip("+").replace(" ", "").replace("-", "").replace("(", "")
    cleaned = cleaned.replace(")", "")
    require(cleaned.isdigit() and 7 <= len(digits) <= 15, f"Invalid 'to' parameter: {to}")
    return digits
