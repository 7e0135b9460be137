"""Template variables carrying injection attempts stay literal: in the preview renderer, in the
Cloud API components, and in what the sandbox phone shows."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.templates.render import TemplateValues, build_components, clean_param, render_text
from plugin.whatsapp.sandbox.render import render_template
from plugin.whatsapp.sandbox.template_rules import SandboxTemplate

pytestmark = pytest.mark.sqlite

TEMPLATE = SimpleNamespace(components=[{"type": "BODY", "text": "Hi {{1}}, order {{2}} is ready."}])
ATTEMPTS = [
    "{{2}}",
    "{{1}}{{1}}",
    "<script>alert(1)</script>",
    "${7*7} {{7*7}} {% raw %}",
    "'; DROP TABLE contacts; --",
    "\u202eevil\u202c",
    "*bold* _it_ ~s~ ```code```",
    "https://evil.example/?{{2}}",
]


def _sandbox_text(first: str, second: str) -> str:
    tpl = SandboxTemplate(
        id="1", waba_id="w", name="t", language="en", category="UTILITY",
        components=TEMPLATE.components, status="APPROVED",
    )  # fmt: skip
    components = build_components(TEMPLATE, TemplateValues(body=(first, second)))
    return render_template(tpl, {"name": "t", "components": components}).text


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_an_injection_attempt_is_rendered_literally(attempt):
    # when a customer's name carries the attempt
    preview = render_text(TEMPLATE, TemplateValues(body=(attempt, "#21")))
    # then the preview and the phone show it as typed, and the next value is not disturbed
    assert preview.body == f"Hi {attempt}, order #21 is ready."
    assert _sandbox_text(attempt, "#21") == f"Hi {clean_param(attempt, 1024)}, order #21 is ready."


@settings(max_examples=100, deadline=None)
@given(first=st.text(min_size=1, max_size=40), second=st.text(min_size=1, max_size=40))
def test_any_values_are_substituted_once(first, second):
    preview = render_text(TEMPLATE, TemplateValues(body=(first, second)))
    assert preview.body == f"Hi {first}, order {second} is ready."
