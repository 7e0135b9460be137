"""Message templates as the sandbox's WABA stores them, and Meta's rules for creating one
(name, language, category, components) plus the sandbox's deterministic review."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from plugin.whatsapp.sandbox.graph import require

TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
HEADER_FORMATS = {"TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"}
CATEGORIES = {"MARKETING", "UTILITY", "AUTHENTICATION"}


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
    require(isinstance(body, dict), "Request body must be a JSON object")
    name, language, category = body.get("name"), body.get("language"), body.get("category")
    require(isinstance(name, str) and name, "The parameter name is required.")
    require(
        TEMPLATE_NAME.match(str(name)),
        "Template name may only contain lowercase letters, numbers and underscores.",
    )
    require(isinstance(language, str) and language, "The parameter language is required.")
    require(category in CATEGORIES, "Invalid parameter: category")
    components = body.get("components")
    require(isinstance(components, list) and components, "The parameter components is required.")
    assert isinstance(components, list)
    kinds = [str(c.get("type", "")).upper() for c in components if isinstance(c, dict)]
    require(len(kinds) == len(components), "Each component must be an object")
    require(kinds.count("BODY") == 1, "A template needs exactly one BODY component")
    for comp in components:
        kind = str(comp["type"]).upper()
        require(kind in {"HEADER", "BODY", "FOOTER", "BUTTONS"}, f"Invalid component {kind}")
        if kind == "BODY":
            text = comp.get("text")
            require(isinstance(text, str) and 0 < len(text) <= 1024, "BODY text: 1-1024 chars")
        if kind == "HEADER":
            fmt = str(comp.get("format", "")).upper()
            require(fmt in HEADER_FORMATS, f"Invalid header format {fmt}")
            if fmt == "TEXT":
                require(isinstance(comp.get("text"), str), "HEADER text is required")
        if kind == "BUTTONS":
            buttons = comp.get("buttons")
            require(isinstance(buttons, list) and 0 < len(buttons) <= 10, "1-10 buttons")
    parameter_format = str(body.get("parameter_format") or "POSITIONAL").upper()
    require(parameter_format in {"POSITIONAL", "NAMED"}, "Invalid parameter_format")
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
