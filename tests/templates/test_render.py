"""Previews and the Cloud API send components, with Turkish formatting and hostile values."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from plugin.templates.library import SERVICE_TEXTS, STARTER_KEYS, service_text, starter_templates
from plugin.templates.render import (
    Location,
    Media,
    MissingValue,
    Money,
    TemplateValues,
    build_components,
    render_text,
)
from plugin.templates.validation import validate_template
from plugin.templates.variables import (
    CATALOGUE,
    MissingVariables,
    resolve_variables,
    sample_values,
)
from plugin.whatsapp.payloads.outbound import TemplateComponent

pytestmark = pytest.mark.sqlite
LINK_BASE = "https://ulak.example/r"
SEND_COMPONENTS: TypeAdapter[list[Any]] = TypeAdapter(list[TemplateComponent])


class Tpl:
    def __init__(self, *components: dict[str, Any]) -> None:
        self.components = list(components)


BODY = {
    "type": "BODY",
    "text": "Merhaba {{1}}, toplam {{2}}.",
    "example": {"body_text": [["Ayşe", "₺10"]]},
}

TR_CONTEXT: dict[str, Any] = {
    "locale": "tr",
    "first_name": "Ayşe",
    "order_number": "1042",
    "store_name": "Mavi Butik",
    "total": {"amount": "1234.50", "currency": "TRY"},
    "lines": [
        {"name": "Mavi Tişört", "quantity": 2},
        {"name": "Kupa", "quantity": 1},
        {"name": "Şapka", "quantity": 1},
        {"name": "Çorap", "quantity": 3},
    ],
}


# --------------------------------------------------------------------------- variables


def test_totals_are_formatted_in_the_customers_locale_and_order_currency() -> None:
    # given
    mapping = {"body": ["order_total"]}
    # when
    tr = resolve_variables(mapping, TR_CONTEXT).body[0]
    en = resolve_variables(mapping, {**TR_CONTEXT, "locale": "en"}).body[0]
    eur = resolve_variables(mapping, {**TR_CONTEXT, "total": {"amount": 99, "currency": "EUR"}})
    usd_en = resolve_variables(
        mapping, {"locale": "en_US", "total": {"amount": "5", "currency": "USD"}}
    )
    # then
    assert tr == Money(Decimal("1234.50"), "TRY", "₺1.234,50")
    assert str(en) == "TRY\u00a01,234.50"
    assert str(eur.body[0]) == "€99,00"
    assert str(usd_en.body[0]) == "$5.00"


def test_the_item_summary_is_short_and_localized() -> None:
    mapping = {"body": ["item_summary"]}
    assert resolve_variables(mapping, TR_CONTEXT).body == ("2× Mavi Tişört, 1× Kupa +2 ürün daha",)
    en = {**TR_CONTEXT, "locale": "en"}
    assert resolve_variables(mapping, en).body == ("2× Mavi Tişört, 1× Kupa +2 more",)
    one = {"locale": "tr", "lines": [{"name": "Ö" * 50, "quantity": 1}]}
    assert resolve_variables(mapping, one).body == ("1× " + "Ö" * 29 + "…",)


def test_appointments_are_shown_in_the_store_time_zone_and_language() -> None:
    context = {"locale": "tr", "appointment_at": "2030-03-14T12:30:00+00:00"}
    [value] = resolve_variables({"body": ["appointment_at"]}, context).body
    assert str(value) == "14 Mart 2030, 15:30"
    at = datetime(2030, 3, 14, 12, 30, tzinfo=UTC)
    [en] = resolve_variables(
        {"body": ["appointment_at"]}, {"locale": "en", "appointment_at": at}
    ).body
    assert str(en) == "14 March 2030, 15:30"


def test_missing_variables_are_all_named() -> None:
    with pytest.raises(MissingVariables) as caught:
        resolve_variables(
            {"body": ["first_name", "tracking_number", "order_total"]}, {"first_name": "A"}
        )
    assert caught.value.keys == ["tracking_number", "order_total"]


def test_fixed_payloads_and_texts_resolve_to_themselves() -> None:
    mapping = {"body": [{"text": "sabit"}], "buttons": {"1": {"payload": "ULAK_STOP"}}}
    assert resolve_variables(mapping, {}) == TemplateValues(
        body=("sabit",), buttons={1: "ULAK_STOP"}
    )


def test_every_catalogue_variable_has_tr_and_en_samples() -> None:
    for variable in CATALOGUE.values():
        assert variable.sample("tr") and variable.sample("en") and variable.flows


# --------------------------------------------------------------------------- preview


def test_preview_substitutes_values_and_keeps_whatsapp_formatting() -> None:
    tpl = Tpl(
        {
            "type": "BODY",
            "text": "*Merhaba* {{1}}, _toplam_ {{2}}.",
            "example": {"body_text": [["A", "B"]]},
        }
    )
    rendered = render_text(
        tpl, resolve_variables({"body": ["first_name", "order_total"]}, TR_CONTEXT)
    )
    assert rendered.body == "*Merhaba* Ayşe, _toplam_ ₺1.234,50."
    assert render_text(tpl).body == "*Merhaba* A, _toplam_ B."  # samples when no values


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_a_value_is_always_rendered_literally(value: str) -> None:
    # given a value that may hold "{{2}}", HTML, newlines, anything
    tpl = Tpl(BODY)
    # when
    rendered = render_text(tpl, TemplateValues(body=(value, "SECOND")))
    # then the value appears as is, and only the template's own placeholders were replaced
    assert rendered.body == f"Merhaba {value}, toplam SECOND."


def test_injection_attempts_stay_text() -> None:
    hostile = "{{2}} <script>alert(1)</script>\n\n\n*BEDAVA*\t\t     x"
    values = TemplateValues(body=(hostile, "₺5"))
    assert render_text(Tpl(BODY), values).body == f"Merhaba {hostile}, toplam ₺5."
    [body] = build_components(Tpl(BODY), values)
    assert body["parameters"][0] == {
        "type": "text",
        "text": "{{2}} <script>alert(1)</script> *BEDAVA* x",
    }


def test_send_parameters_are_cut_to_meta_limits() -> None:
    header = {
        "type": "HEADER",
        "format": "TEXT",
        "text": "Sipariş {{1}}",
        "example": {"header_text": ["1"]},
    }
    values = TemplateValues(header=("9" * 100,), body=("a" * 5000, "b"))
    components = build_components(Tpl(header, BODY), values)
    header_text = components[0]["parameters"][0]["text"]
    assert len("Sipariş ") + len(header_text) == 60 and header_text.endswith("…")
    assert len(components[1]["parameters"][0]["text"]) == 1024


# --------------------------------------------------------------------------- send components


@pytest.mark.parametrize(
    ("fmt", "value", "parameter"),
    [
        (
            "IMAGE",
            Media("https://cdn.example/a.jpg"),
            {"type": "image", "image": {"link": "https://cdn.example/a.jpg"}},
        ),
        (
            "VIDEO",
            "https://cdn.example/a.mp4",
            {"type": "video", "video": {"link": "https://cdn.example/a.mp4"}},
        ),
        (
            "DOCUMENT",
            Media("https://cdn.example/f.pdf", filename="fatura.pdf"),
            {
                "type": "document",
                "document": {"link": "https://cdn.example/f.pdf", "filename": "fatura.pdf"},
            },
        ),
        (
            "LOCATION",
            Location(41.0082, 28.9784, name="Mağaza", address="İstiklal Cd. 1, İstanbul"),
            {
                "type": "location",
                "location": {
                    "latitude": 41.0082,
                    "longitude": 28.9784,
                    "name": "Mağaza",
                    "address": "İstiklal Cd. 1, İstanbul",
                },
            },
        ),
    ],
)
def test_media_and_location_headers(fmt: str, value: Any, parameter: dict[str, Any]) -> None:
    tpl = Tpl({"type": "HEADER", "format": fmt, "example": {"header_handle": ["h"]}}, BODY)
    components = build_components(tpl, TemplateValues(header=(value,), body=("Ayşe", "₺5")))
    assert components[0] == {"type": "header", "parameters": [parameter]}
    SEND_COMPONENTS.validate_python(components)


def test_text_header_and_body_currency_and_date_time_parameters() -> None:
    header = {
        "type": "HEADER",
        "format": "TEXT",
        "text": "Sipariş {{1}}",
        "example": {"header_text": ["1"]},
    }
    body = {"type": "BODY", "text": "Merhaba {{1}}, {{2}} tutarı {{3}} tarihinde.", "example": {}}
    context = {**TR_CONTEXT, "appointment_at": "2030-03-14T12:30:00+00:00"}
    values = resolve_variables(
        {"header": ["order_number"], "body": ["first_name", "order_total", "appointment_at"]},
        context,
    )
    assert build_components(Tpl(header, body), values) == [
        {"type": "header", "parameters": [{"type": "text", "text": "1042"}]},
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "Ayşe"},
                {
                    "type": "currency",
                    "currency": {
                        "fallback_value": "₺1.234,50",
                        "code": "TRY",
                        "amount_1000": 1234500,
                    },
                },
                {"type": "date_time", "date_time": {"fallback_value": "14 Mart 2030, 15:30"}},
            ],
        },
    ]


def test_a_static_text_header_sends_no_header_parameters() -> None:
    header = {"type": "HEADER", "format": "TEXT", "text": "Siparişiniz yolda"}
    assert (
        build_components(Tpl(header, {"type": "BODY", "text": "Merhaba."}), TemplateValues()) == []
    )


def test_button_parameters_quick_reply_url_and_copy_code() -> None:
    buttons = {
        "type": "BUTTONS",
        "buttons": [
            {
                "type": "URL",
                "text": "Takip et",
                "url": "https://ulak.example/r/{{1}}",
                "example": ["x"],
            },
            {"type": "COPY_CODE", "text": "Kodu kopyala", "example": "INDIRIM10"},
            {"type": "QUICK_REPLY", "text": "Durdur"},
            {"type": "PHONE_NUMBER", "text": "Ara", "phone_number": "+905551112233"},
            {"type": "URL", "text": "Site", "url": "https://magaza.example"},
        ],
    }
    values = TemplateValues(
        body=("A", "B"), buttons={0: "Ab3 dE9?x=1#y", 1: "INDIRIM10", 2: "ULAK_STOP"}
    )
    components = build_components(Tpl(BODY, buttons), values)
    assert components[1:] == [
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "Ab3%20dE9%3Fx%3D1%23y"}],
        },
        {
            "type": "button",
            "sub_type": "copy_code",
            "index": "1",
            "parameters": [{"type": "coupon_code", "coupon_code": "INDIRIM10"}],
        },
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": "2",
            "parameters": [{"type": "payload", "payload": "ULAK_STOP"}],
        },
    ]
    SEND_COMPONENTS.validate_python(components)


def test_a_missing_value_is_named() -> None:
    with pytest.raises(MissingValue) as caught:
        build_components(Tpl(BODY), TemplateValues(body=("Ayşe",)))
    assert caught.value.where == "body.2"
    url = {
        "type": "BUTTONS",
        "buttons": [{"type": "URL", "text": "a", "url": "https://x.example/{{1}}"}],
    }
    with pytest.raises(MissingValue):
        build_components(Tpl(BODY, url), TemplateValues(body=("a", "b")))


# --------------------------------------------------------------------------- starter library


@pytest.mark.parametrize("language", ["tr", "en"])
def test_every_starter_passes_validation_and_renders_its_samples(language: str) -> None:
    starters = starter_templates(language, link_base=LINK_BASE)
    assert [s.key for s in starters] == list(STARTER_KEYS)
    for starter in starters:
        errors = validate_template(
            name=starter.name,
            language=language,
            category=starter.category,
            components=starter.components,
        )
        assert errors == [], starter.name
        values = sample_values(starter.variable_mapping, language)
        rendered = render_text(starter, values)
        assert "{{" not in rendered.body, starter.name
        SEND_COMPONENTS.validate_python(build_components(starter, values))


def test_categories_stop_buttons_and_payloads() -> None:
    for language, stop in (("tr", "Durdur"), ("en", "Stop")):
        by_key = {s.key: s for s in starter_templates(language, link_base=LINK_BASE)}
        for starter in by_key.values():
            expected = "MARKETING" if starter.key.startswith("cart_recovery") else "UTILITY"
            assert starter.category == expected, starter.key
            if expected == "MARKETING":
                buttons = render_text(
                    starter, sample_values(starter.variable_mapping, language)
                ).buttons
                assert (buttons[-1].text, buttons[-1].payload) == (stop, "ULAK_STOP")
                assert buttons[0].type == "URL" and buttons[0].url == f"{LINK_BASE}/Xy7kQ2"
        optin = render_text(
            by_key["optin_request"],
            sample_values(by_key["optin_request"].variable_mapping, language),
        )
        assert [(b.text, b.payload) for b in optin.buttons] == (
            [("Evet", "ULAK_OPTIN_YES"), ("Hayır", "ULAK_OPTIN_NO")]
            if language == "tr"
            else [("Yes", "ULAK_OPTIN_YES"), ("No", "ULAK_OPTIN_NO")]
        )
        cod = render_text(
            by_key["cod_confirmation"],
            sample_values(by_key["cod_confirmation"].variable_mapping, language),
        )
        assert [b.text for b in cod.buttons] == (
            ["Onayla", "İptal et"] if language == "tr" else ["Confirm", "Cancel"]
        )


def test_the_turkish_order_confirmation_reads_naturally() -> None:
    [created] = [
        s for s in starter_templates("tr", link_base=LINK_BASE) if s.key == "order_created"
    ]
    values = resolve_variables(created.variable_mapping, TR_CONTEXT)
    rendered = render_text(created, values)
    assert rendered.header is not None and rendered.header.text == "Siparişiniz alındı"
    assert rendered.body == (
        "Merhaba Ayşe, 1042 numaralı siparişinizi aldık.\n\n"
        "Ürünler: 2× Mavi Tişört, 1× Kupa +2 ürün daha\nToplam: ₺1.234,50\n\n"
        "Siparişiniz hazırlandığında size yine buradan haber vereceğiz. "
        "Mavi Butik olarak teşekkür ederiz!"
    )


def test_the_shipped_template_links_the_tracking_code() -> None:
    [shipped] = [
        s for s in starter_templates("en", link_base=LINK_BASE) if s.key == "order_fulfilled"
    ]
    context = {**TR_CONTEXT, "locale": "en", "tracking_number": "1Z99", "tracking_link": "T0k3n"}
    rendered = render_text(shipped, resolve_variables(shipped.variable_mapping, context))
    assert rendered.buttons[0].url == f"{LINK_BASE}/T0k3n"
    assert "Your tracking number is 1Z99." in rendered.body


def test_opt_out_confirmation_texts_say_how_to_rejoin() -> None:
    assert set(SERVICE_TEXTS["optout_confirmation"]) == {"tr", "en"}
    tr = service_text("optout_confirmation", "tr_TR", store_name="Mavi Butik")
    assert tr.startswith("Mavi Butik kampanya mesajlarından çıkarıldınız") and "BAŞLA" in tr
    assert "START" in service_text("optout_confirmation", "en", store_name="Mavi Butik")


WORD = st.text(alphabet="abcçdefgğhıijklmnoöprsştuüvyzABCÇİ0123456789*_", min_size=1, max_size=12)


@given(
    words=st.lists(WORD, min_size=1, max_size=4),
    amount=st.decimals(min_value=0, max_value=10**6, places=2),
    suffix=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20),
)
@settings(max_examples=100, deadline=None)
def test_a_sent_message_reads_back_as_the_phone_showed_it(
    words: list[str], amount: Decimal, suffix: str
) -> None:
    """The admin's conversation shows a template message from the components that went to
    Meta (plugin/templates/sent.py): reading the values back gives the same text."""
    from plugin.templates.sent import values_of

    name = " ".join(words)
    money = Money(amount=amount, currency="TRY", text=f"₺{amount}")
    starters = starter_templates("tr", link_base=LINK_BASE)
    for template in starters + starter_templates("en", link_base=LINK_BASE):
        values = TemplateValues(
            header=(name,), body=(name, money, *[name] * 8), buttons={0: suffix, 1: "ULAK_STOP"}
        )
        try:
            sent = build_components(template, values)
        except MissingValue:
            continue
        # when the values are read back from what went to Meta
        again = render_text(template, values_of(sent))
        # then the phone's text, header and buttons are the same
        assert again == render_text(template, values)
