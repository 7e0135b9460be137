"""Meta's template limits and the vocabulary every template check shares: the bilingual
`TemplateError`, placeholders, and lengths counted in UTF-16 code units as the browser counts
them (so the admin UI's `validateTemplate` and the server agree)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]

LIMITS = {
    "name": 512,
    "body": 1024,
    "header": 60,
    "footer": 60,
    "buttons": 10,
    "quick_reply": 25,
    "button_text": 25,
    "url_buttons": 2,
    "phone_buttons": 1,
    "copy_code_buttons": 1,
    "url": 2000,
}
CATEGORIES = ("MARKETING", "UTILITY", "AUTHENTICATION")
HEADER_FORMATS = ("TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION")
BUTTON_TYPES = ("QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE")

_PLACEHOLDER = re.compile(r"\{\{([^{}]*)\}\}")
_NUMBER = re.compile(r"[1-9][0-9]*")


@dataclass(frozen=True, slots=True)
class TemplateError:
    """One problem: where (`path` into the template object), what (`code`), in EN and TR."""

    path: str
    code: str
    message_en: str
    message_tr: str
    severity: Severity = "error"

    def as_dict(self) -> dict[str, str]:
        return {
            "path": self.path,
            "code": self.code,
            "message_en": self.message_en,
            "message_tr": self.message_tr,
            "severity": self.severity,
        }


@dataclass(frozen=True, slots=True)
class Placeholder:
    raw: str
    n: int | None  # None: malformed, e.g. "{{ name }}"
    start: int
    end: int


def find_placeholders(text: str) -> list[Placeholder]:
    """Every `{{...}}` in the text; well-formed ones carry their number."""
    found = []
    for m in _PLACEHOLDER.finditer(text):
        inner = m.group(1)
        n = int(inner) if _NUMBER.fullmatch(inner) else None
        found.append(Placeholder(m.group(0), n, u16(text[: m.start()]), u16(text[: m.end()])))
    return found


def variable_numbers(text: str) -> list[int]:
    """Distinct variable numbers in order of first appearance."""
    seen: list[int] = []
    for p in find_placeholders(text):
        if p.n is not None and p.n not in seen:
            seen.append(p.n)
    return seen


def blocking(errors: Sequence[TemplateError]) -> list[TemplateError]:
    """The errors that stop a submission (warnings do not)."""
    return [e for e in errors if e.severity == "error"]


def u16(text: str) -> int:
    """Length as JavaScript counts it (UTF-16 code units), so both validators agree."""
    return len(text.encode("utf-16-le")) // 2


def text_of(value: Any) -> str:
    """A string field's value; anything else (untyped API input) counts as empty."""
    return value if isinstance(value, str) else ""


# How a check reports one problem: add(path, code, message_en, message_tr, severity="error")
Add = Callable[..., None]


def example_of(component: Mapping[str, Any]) -> Mapping[str, Any]:
    """A component's `example` object (sample values Meta requires for each variable)."""
    example = component.get("example")
    return example if isinstance(example, Mapping) else {}


def nth(values: Any, index: int) -> Any:
    """`values[index]` when `values` is a list long enough, else None."""
    if isinstance(values, list) and 0 <= index < len(values):
        return values[index]
    return None
