"""The one message builder: every component of a template filled (media and location headers,
body, URL suffixes, quick-reply payloads, coupon codes), the places it cannot fill named in
both languages; signed link codes; and the campaign's SQL form agreeing with its Python form
over a whole document, not only its body."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from plugin.templates import builder, tracking
from tests.segments.factories import make_contact, make_store

pytestmark = pytest.mark.sqlite

BODY = {"type": "BODY", "text": "Merhaba {{1}}, {{2}} indirimde!"}
STOP_AND_TAG = {
    "type": "BUTTONS",
    "buttons": [
        {"type": "URL", "text": "İncele", "url": "https://magaza.example/{{1}}"},
        {"type": "QUICK_REPLY", "text": "Ayakkabı"},
        {"type": "COPY_CODE", "example": ["BAHAR10"]},
        {"type": "QUICK_REPLY", "text": "Durdur"},
    ],
}


@dataclass
class Tpl:
    components: list[dict[str, Any]]
    variable_mapping: dict[str, Any] = field(default_factory=dict)


def test_every_component_is_filled_and_a_stop_button_gets_ulak_stop() -> None:
    template = Tpl(
        [{"type": "HEADER", "format": "IMAGE"}, BODY, STOP_AND_TAG],
        {"body": ["first_name", {"text": "Bahar"}]},
    )
    components = builder.build(
        template,
        {"first_name": "Ayşe"},
        {
            "header": [{"link": "https://cdn.example/b.jpg"}],
            "buttons": {
                "0": {"text": "bahar"},
                "1": {"payload": "TAG:ilgi:ayakkabi"},
                "2": {"text": "BAHAR10"},
            },
        },
    )
    assert components == [
        {
            "type": "header",
            "parameters": [{"type": "image", "image": {"link": "https://cdn.example/b.jpg"}}],
        },
        {
            "type": "body",
            "parameters": [{"type": "text", "text": "Ayşe"}, {"type": "text", "text": "Bahar"}],
        },
        _button("url", 0, {"type": "text", "text": "bahar"}),
        _button("quick_reply", 1, {"type": "payload", "payload": "TAG:ilgi:ayakkabi"}),
        _button("copy_code", 2, {"type": "coupon_code", "coupon_code": "BAHAR10"}),
        _button("quick_reply", 3, {"type": "payload", "payload": "ULAK_STOP"}),
    ]


def _button(sub_type: str, index: int, parameter: dict[str, Any]) -> dict[str, Any]:
    return {"type": "button", "sub_type": sub_type, "index": str(index), "parameters": [parameter]}


def test_a_location_header_takes_the_pickup_point() -> None:
    template = Tpl([{"type": "HEADER", "format": "LOCATION"}, {"type": "BODY", "text": "Hazır."}])
    point = {"latitude": 41.02, "longitude": 28.97, "name": "Galata", "address": "Beyoğlu"}
    [header] = builder.build(template, {"pickup_point": point}, {"header": ["pickup_location"]})
    assert header["parameters"] == [{"type": "location", "location": point}]


def test_every_unfillable_place_is_named_in_english_and_turkish() -> None:
    template = Tpl([{"type": "HEADER", "format": "LOCATION"}, BODY, STOP_AND_TAG])
    with pytest.raises(builder.Unfilled) as refused:
        builder.build(template, {}, {"header": ["pickup_location"], "body": ["first_name"]})
    assert refused.value.places == ["header.1", "body.1", "body.2", "buttons.0", "buttons.2"]
    assert refused.value.message_en == (
        "No value for the location header (needs pickup_location); body parameter {{1}} "
        "(needs first_name); body parameter {{2}}; URL button 1 “İncele”; coupon code button 3 “”."
    )
    assert refused.value.message_tr.startswith(
        "Şunlar için değer yok: konum başlığı (pickup_location gerekli); "
        "gövde parametresi {{1}} (first_name gerekli)"
    )


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 2**32 - 1), st.integers(1, 2**63 - 1))
def test_a_signed_code_names_its_link_and_message_and_cannot_be_altered(
    app: Any, link_id: int, message_id: int
) -> None:
    code = tracking.sign(link_id, message_id)
    assert len(code) == 27 and tracking.verify(code) == (link_id, message_id)
    for i in range(len(code)):
        flipped = code[:i] + ("A" if code[i] != "A" else "B") + code[i + 1 :]
        assert tracking.verify(flipped) in (None, (link_id, message_id))  # base64 padding bits
    other = tracking.sign(link_id, message_id + 1 if message_id < 2**63 - 1 else 1)
    assert tracking.verify(code[:16] + other[16:]) is None


def test_the_sender_signs_each_tracked_marker_with_the_row_id(app: Any) -> None:
    components = [
        _button("url", 0, {"type": "text", "text": tracking.marker(7)}),
        _button("url", 1, {"type": "text", "text": "plain/path"}),
    ]
    signed = tracking.sign_components(components, 1234)
    assert tracking.verify(signed[0]["parameters"][0]["text"]) == (7, 1234)
    assert signed[1] == components[1]


def assert_sql_agrees_with_python(
    session: Session, store_id: int, variant: dict[str, Any], contacts: list[Any]
) -> None:
    """The fan-out's SQL parameters equal the test send's Python ones for each contact."""
    from plugin.campaigns.personalise import build_components, sql_parameters
    from plugin.contacts.models import Contact

    got = dict(
        session.execute(
            sa.select(Contact.id, sql_parameters(variant, session.get_bind().dialect.name)).where(
                Contact.store_id == store_id
            )
        ).all()
    )
    for c in contacts:
        value = got[c.id]
        expected = build_components(variant, {"first_name": c.first_name, "last_name": c.last_name})
        assert (json.loads(value) if isinstance(value, str) else value) == {"components": expected}


def test_the_campaign_sql_and_python_fill_a_whole_document_alike(session: Session) -> None:
    from plugin.campaigns.personalise import build_components, marker

    store = make_store(session)
    contacts = [
        make_contact(session, store, first_name=n, last_name=s)
        for n, s in [("Ali", None), (None, "Kaya"), ("  Can ", 'Ö"z')]
    ]
    template = Tpl([{"type": "HEADER", "format": "TEXT", "text": "{{1}} için"}, BODY, STOP_AND_TAG])
    document = builder.build(
        template,
        {"first_name": marker("first_name"), "last_name": marker("last_name")},
        {
            "header": ["last_name"],
            "body": ["first_name", "last_name"],
            "buttons": {"0": {"text": tracking.marker(3)}, "2": {"text": "KOD"}},
        },
    )
    variant = {"template_language": "tr", "document": document, "fallbacks": {}}
    assert_sql_agrees_with_python(session, store.id, variant, contacts)
    ali = build_components(variant, {"first_name": "Ali", "last_name": None})
    assert ali[0]["parameters"][0]["text"] == "Değerli müşterimiz"
    assert ali[1]["parameters"][0]["text"] == "Ali"
