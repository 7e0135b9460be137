"""Structured JSON logs that never carry phone numbers, tokens or message bodies in clear."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

SENSITIVE_KEYS = {
    "phone",
    "to",
    "from",
    "from_",
    "wa_id",
    "token",
    "auth_token",
    "access_token",
    "app_token",
    "authorization",
    "body",
    "text",
    "email",
    "name",
    "first_name",
    "last_name",
    "secret",
    "password",
    "payload",
    "parameters",
}
_PHONE = re.compile(r"(?<![\w.:/])\+?\d(?:[\s()-]{0,2}\d){9,14}(?![\w:]|\.\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def mask_phone(value: str) -> str:
    """Keep the country code and last two digits: enough to tell numbers apart in an incident."""
    digits = re.sub(r"\D", "", value)
    if len(digits) < 6:
        return "***"
    return f"+{digits[:2]}***{digits[-2:]}"


def scrub_text(value: str) -> str:
    value = _PHONE.sub(lambda m: mask_phone(m.group(0)), value)
    return _EMAIL.sub("***@***", value)


def _redact(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    for key in list(event):
        if key in ("event", "level", "timestamp", "logger", "exc_info", "exception"):
            continue
        value = event[key]
        if key.lower() in SENSITIVE_KEYS:
            event[key] = (
                mask_phone(value)
                if key in ("phone", "to", "from", "wa_id") and isinstance(value, str)
                else "[redacted]"
            )
        elif isinstance(value, str):
            event[key] = scrub_text(value)
    if isinstance(event.get("event"), str):
        event["event"] = scrub_text(event["event"])
    return event


def _redact_rendered(
    _logger: Any, _name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """The formatted traceback and stack (format_exc_info runs after `_redact`): exception
    messages carry the values that failed, a phone number or an e-mail among them."""
    for key in ("exception", "stack"):
        if isinstance(event.get(key), str):
            event[key] = scrub_text(event[key])
    return event


_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    _redact,
]


def build_formatter(*, json: bool = True) -> logging.Formatter:
    """What every handler writes with: redacted fields, then a redacted traceback."""
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            _redact_rendered,
            renderer,
        ],
    )


class _UlakHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Ours, so a second configure replaces it and leaves other handlers alone."""


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    """structlog over the stdlib, one JSON object per line."""
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = _UlakHandler(sys.stderr)
    handler.setFormatter(build_formatter(json=json))
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not isinstance(h, _UlakHandler)] + [handler]
    root.setLevel(level.upper())
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
