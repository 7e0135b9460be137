"""The Python validator gives the admin UI's verdicts (same cases as validateTemplate.test.ts)."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.templates.limits import TemplateError
from plugin.templates.validation import validate_template

pytestmark = pytest.mark.sqlite

Component = dict[str, Any]


def body(text: str, samples: list[str] | None = None) -> Component:
    samples = ["Ayşe", "#1042", "x", "y"] if samples is None else samples
    return {"type": "BODY", "text": text, "example": {"body_text": [samples]}}


VALID_BODY = body("Merhaba {{1}}, siparişiniz {{2}} yolda")


def check(components: list[Component], **fields: str) -> list[TemplateError]:
    values = {"name": "order_shipped", "language": "tr", "category": "UTILITY", **fields}
    return validate_template(components=components, **values)


def codes(components: list[Component], **fields: str) -> list[str]:
    return [e.code for e in check(components, **fields)]


def with_buttons(*buttons: dict[str, Any]) -> list[Component]:
    return [body("Merhaba {{1}}, hazır."), {"type": "BUTTONS", "buttons": list(buttons)}]


def test_a_valid_template_has_no_errors() -> None:
    assert check([VALID_BODY]) == []


def test_the_name_is_lowercase_a_z_0_9_underscore_at_most_512() -> None:
    assert codes([VALID_BODY], name="") == ["name_required"]
    assert codes([VALID_BODY], name="Sipariş-Kargo") == ["name_format"]
    assert codes([VALID_BODY], name="kargo\n") == ["name_format"]
    assert codes([VALID_BODY], name="a" * 513) == ["name_too_long"]
    assert codes([VALID_BODY], name="a" * 512) == []


def test_each_error_has_a_path_and_both_languages() -> None:
    [error] = check([VALID_BODY], name="Kargo")
    assert error.as_dict() == {
        "path": "name",
        "code": "name_format",
        "message_en": "Use only lowercase letters a–z, digits and underscores in the name.",
        "message_tr": "Adda yalnızca küçük harf (a–z), rakam ve alt çizgi kullanın.",
        "severity": "error",
    }


def test_language_and_category_are_required() -> None:
    assert codes([VALID_BODY], language="") == ["language_required"]
    assert codes([VALID_BODY], category="PROMO") == ["category_invalid"]


def test_the_body_is_required_and_at_most_1024() -> None:
    assert codes([]) == ["body_required"]
    assert codes([body("   ")]) == ["body_required"]
    long = check([body("a" * 1025)])
    assert [(e.path, e.code) for e in long] == [("components.0.text", "body_too_long")]
    assert long[0].message_tr == "Gövde en fazla 1024 karakter olabilir (şu an 1025)."
    assert codes([body("a" * 1024)]) == []


def test_lengths_count_like_the_browser_utf16() -> None:
    # an emoji is two UTF-16 units: 512 of them are 1024 units, one more is over
    assert codes([body("😀" * 512)]) == []
    assert codes([body("😀" * 512 + "a")]) == ["body_too_long"]


def test_the_header_text_is_at_most_60_with_one_variable() -> None:
    def header(text: str) -> Component:
        return {
            "type": "HEADER",
            "format": "TEXT",
            "text": text,
            "example": {"header_text": ["#7"]},
        }

    assert codes([header("a" * 61), body("Merhaba dünya")]) == ["header_too_long"]
    assert "header_too_many_variables" in codes([header("Sipariş {{1}} ve {{2}}"), body("Merhaba")])
    assert codes([header("Sipariş {{1}}"), body("Merhaba dünya")]) == []
    no_sample = {"type": "HEADER", "format": "TEXT", "text": "Sipariş {{1}}"}
    assert [(e.path, e.code) for e in check([no_sample, body("Merhaba")])] == [
        ("components.0.example.header_text.0", "sample_missing")
    ]
    assert codes([{"type": "HEADER", "format": "TEXT", "text": " "}, body("x")]) == [
        "header_text_required"
    ]


def test_media_headers_need_a_sample_and_a_known_format() -> None:
    assert codes([{"type": "HEADER", "format": "IMAGE"}, body("Merhaba dünya")]) == [
        "sample_missing"
    ]
    handle = {"header_handle": ["4::aW1hZ2UvanBlZw==:ARb"]}
    for fmt in ("IMAGE", "VIDEO", "DOCUMENT"):
        assert codes([{"type": "HEADER", "format": fmt, "example": handle}, body("Hi")]) == []
    assert codes([{"type": "HEADER", "format": "LOCATION"}, body("Merhaba dünya")]) == []
    assert codes([{"type": "HEADER", "format": "GIF", "example": handle}, body("Hi")]) == [
        "header_format_invalid"
    ]


def test_the_footer_is_at_most_60_without_variables() -> None:
    def footer(text: str) -> Component:
        return {"type": "FOOTER", "text": text}

    assert codes([body("Merhaba dünya"), footer("a" * 61)]) == ["footer_too_long"]
    assert codes([body("Merhaba dünya"), footer("Kod {{1}} geçerli")]) == [
        "footer_variables_not_allowed"
    ]


def test_variables_are_consecutive_from_1() -> None:
    errors = check([body("Merhaba {{1}}, kodunuz {{3}} hazır")])
    assert [e.code for e in errors] == ["variables_not_sequential"]
    assert errors[0].message_tr == (
        "Değişkenleri {{1}}'den başlayarak sırayla numaralandırın (beklenen: {{1}}, {{2}})."
    )
    assert codes([body("Merhaba {{ad}}, hazır")]) == ["variable_malformed"]
    assert codes([body("Merhaba {{0}}, hazır")]) == ["variable_malformed"]


def test_a_variable_cannot_open_or_close_the_body() -> None:
    assert codes([body("{{1}} merhaba")]) == ["variable_at_start"]
    assert codes([body("Merhaba {{1}}")]) == ["variable_at_end"]
    assert codes([body("  Merhaba {{1}}\n ")]) == ["variable_at_end"]


def test_every_variable_needs_a_sample() -> None:
    errors = check([body("Merhaba {{1}}, siparişiniz {{2}} yolda", ["Ayşe"])])
    assert [(e.path, e.code) for e in errors] == [
        ("components.0.example.body_text.0.1", "sample_missing")
    ]
    assert errors[0].message_tr == "{{2}} değişkeni için örnek bir değer girin."
    assert codes([body("Merhaba {{1}}, hazır", [""])]) == ["sample_missing"]


def test_at_most_10_buttons() -> None:
    def qr(i: int) -> dict[str, Any]:
        return {"type": "QUICK_REPLY", "text": f"Seçenek {i}"}

    assert codes(with_buttons(*(qr(i) for i in range(10)))) == []
    assert codes(with_buttons(*(qr(i) for i in range(11)))) == ["too_many_buttons"]


def test_button_texts() -> None:
    errors = check(
        with_buttons({"type": "QUICK_REPLY", "text": "Bu kampanyadan hemen çıkmak istiyorum"})
    )
    assert [(e.path, e.code) for e in errors] == [
        ("components.1.buttons.0.text", "quick_reply_too_long")
    ]
    assert codes(with_buttons({"type": "QUICK_REPLY", "text": " "})) == ["button_text_required"]
    long_url = {
        "type": "URL",
        "text": "Siparişinizi buradan takip edin",
        "url": "https://a.example",
    }
    assert codes(with_buttons(long_url)) == ["button_text_too_long"]
    assert codes(with_buttons({"type": "FLOW", "text": "Aç"})) == ["button_type_invalid"]


def test_at_most_2_url_1_phone_1_copy_code() -> None:
    def url(u: str) -> dict[str, Any]:
        return {"type": "URL", "text": "Aç", "url": u}

    three = with_buttons(
        url("https://a.example"), url("https://b.example"), url("https://c.example")
    )
    assert "too_many_url_buttons" in codes(three)
    phone = {"type": "PHONE_NUMBER", "text": "Ara", "phone_number": "+905551112233"}
    assert "too_many_phone_buttons" in codes(with_buttons(phone, phone))
    assert codes(with_buttons({"type": "PHONE_NUMBER", "text": "Ara"})) == ["phone_required"]
    copy = {"type": "COPY_CODE", "text": "Kopyala", "example": "INDIRIM10"}
    assert codes(with_buttons(copy, copy)) == ["too_many_copy_code_buttons"]


def test_url_buttons() -> None:
    def url(u: str, example: list[str] | None = None) -> dict[str, Any]:
        return {"type": "URL", "text": "Aç", "url": u, **({"example": example} if example else {})}

    assert codes(with_buttons(url(f"https://a.example/{'x' * 2000}"))) == ["url_too_long"]
    assert "url_too_many_variables" in codes(
        with_buttons(url("https://a.example/{{1}}/{{2}}", ["a"]))
    )
    assert codes(with_buttons(url("https://a.example/{{1}}/detay", ["a"]))) == [
        "url_variable_not_at_end"
    ]
    assert codes(with_buttons(url("https://a.example/{{2}}", ["a"]))) == ["variable_malformed"]
    assert codes(with_buttons(url("https://a.example/takip/{{1}}"))) == ["sample_missing"]
    assert codes(with_buttons(url("https://a.example/takip/{{1}}", ["AB12"]))) == []
    assert codes(with_buttons(url(" "))) == ["url_required"]


def test_more_than_one_call_to_action_is_a_warning() -> None:
    errors = check(
        with_buttons(
            {"type": "URL", "text": "Siteye git", "url": "https://a.example"},
            {"type": "PHONE_NUMBER", "text": "Ara", "phone_number": "+905551112233"},
        )
    )
    assert [(e.code, e.severity) for e in errors] == [("multiple_calls_to_action", "warning")]
    assert "tek bir ana eylem çağrısı" in errors[0].message_tr


# --------------------------------------------------------------------------- properties

WORDS = st.text(alphabet=string.ascii_letters + "çğıöşüÇĞİÖŞÜ ", min_size=1, max_size=30).map(
    lambda s: s.strip() or "a"
)
SAMPLES = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=10)


@st.composite
def valid_templates(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(min_value=0, max_value=5))
    pieces = [draw(WORDS) for _ in range(count + 1)]
    text = "".join(f"{p} {{{{{i + 1}}}}} " for i, p in enumerate(pieces[:-1])) + pieces[-1] + "."
    components: list[Component] = []
    if draw(st.booleans()):
        fmt = draw(st.sampled_from(["TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"]))
        if fmt == "TEXT":
            components.append(
                {
                    "type": "HEADER",
                    "format": "TEXT",
                    "text": "Sipariş {{1}}",
                    "example": {"header_text": ["7"]},
                }
            )
        else:
            components.append(
                {"type": "HEADER", "format": fmt, "example": {"header_handle": ["h"]}}
            )
    components.append(
        {
            "type": "BODY",
            "text": text,
            "example": {"body_text": [[draw(SAMPLES) for _ in range(count)]]},
        }
    )
    if draw(st.booleans()):
        components.append({"type": "FOOTER", "text": draw(WORDS)})
    buttons: list[dict[str, Any]] = [
        {"type": "QUICK_REPLY", "text": draw(WORDS)[:25].strip() or "a"}
        for _ in range(draw(st.integers(min_value=0, max_value=3)))
    ]
    if draw(st.booleans()):
        buttons.append(
            {"type": "URL", "text": "Aç", "url": "https://s.example/r/{{1}}", "example": ["x"]}
        )
    if buttons:
        components.append({"type": "BUTTONS", "buttons": buttons})
    name = draw(
        st.text(alphabet=string.ascii_lowercase + string.digits + "_", min_size=1, max_size=40)
    )
    return {"name": name, "language": "tr", "category": "UTILITY", "components": components}


@given(valid_templates())
@settings(max_examples=150, deadline=None)
def test_random_valid_templates_pass(template: dict[str, Any]) -> None:
    assert validate_template(**template) == []


BREAKAGES = {
    "name_format": lambda t: {**t, "name": t["name"] + "-X"},
    "name_too_long": lambda t: {**t, "name": "a" * 513},
    "body_too_long": lambda t: _edit_body(t, lambda c: {**c, "text": c["text"] + "a" * 1024}),
    "variable_at_start": lambda t: _edit_body(t, lambda c: {**c, "text": "{{1}} " + c["text"]}),
    "variable_at_end": lambda t: _edit_body(t, lambda c: {**c, "text": c["text"] + " {{1}}"}),
    "variables_not_sequential": lambda t: _edit_body(t, lambda c: {**c, "text": "A {{7}} b."}),
    "sample_missing": lambda t: _edit_body(t, lambda c: {**c, "text": "A {{1}} b.", "example": {}}),
    "too_many_buttons": lambda t: {
        **t,
        "components": [
            *[c for c in t["components"] if c["type"] != "BUTTONS"],
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "x"}] * 11},
        ],
    },
    "footer_variables_not_allowed": lambda t: {
        **t,
        "components": [
            *[c for c in t["components"] if c["type"] != "FOOTER"],
            {"type": "FOOTER", "text": "Kod {{1}}"},
        ],
    },
}


def _edit_body(template: dict[str, Any], change: Any) -> dict[str, Any]:
    components = [change(c) if c["type"] == "BODY" else c for c in template["components"]]
    return {**template, "components": components}


@given(valid_templates(), st.sampled_from(sorted(BREAKAGES)))
@settings(max_examples=200, deadline=None)
def test_a_broken_template_reports_that_code(template: dict[str, Any], code: str) -> None:
    broken = BREAKAGES[code](template)
    assert code in [e.code for e in validate_template(**broken)]
