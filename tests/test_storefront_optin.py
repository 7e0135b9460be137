"""POST /api/storefront/opt-in: key, CORS, limits, double opt-in, clear errors."""

from __future__ import annotations

import pytest
from sqlmodel import select

from plugin import ratelimit
from plugin.consent import service as consent_service
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.contacts.models import Contact
from plugin.delivery.models import MessageKind, OutboundMessage
from plugin.saleor.models import Store
from plugin.stores.service import get_settings

pytestmark = pytest.mark.sqlite

ORIGIN = "https://shop.example.com"
PATH = "/api/storefront/opt-in"


@pytest.fixture()
def store_key(client, installed_store, session):
    ratelimit.reset()
    store = session.exec(select(Store)).one()
    key = consent_service.storefront_key(session, store_id=store.id)
    get_settings(session, store.id).storefront_origins = [ORIGIN]
    session.commit()
    yield key
    ratelimit.reset()


def _body(**overrides):
    body = {
        "phone": "0532 123 45 67",
        "marketing": True,
        "transactional": True,
        "text": "Kampanya mesajlarını WhatsApp ile almak istiyorum.",
        "text_version": "sf-1",
        "locale": "tr-TR",
    }
    body.update(overrides)
    return body


def test_the_key_is_created_once(session):
    from tests.factories import make_store

    store = make_store(session)
    first = consent_service.storefront_key(session, store_id=store.id)
    assert first.startswith("pk_")
    assert consent_service.storefront_key(session, store_id=store.id) == first


def test_a_storefront_opt_in_requests_marketing_and_queues_the_confirmation(
    client, store_key, session
):
    # when the store's own site posts an opt-in
    response = client.post(
        f"{PATH}?key={store_key}",
        json=_body(),
        headers={"origin": ORIGIN, "user-agent": "Mozilla/5.0 test"},
    )
    # then it is accepted for the store's origin
    assert response.status_code == 202, response.text
    assert response.json() == {"success": True, "status": "confirmation_requested", "events": 2}
    assert response.headers["access-control-allow-origin"] == ORIGIN
    # and the ledger has a request (never a grant) with the web evidence
    contact = session.exec(select(Contact)).one()
    assert (contact.phone_e164, contact.locale) == ("+905321234567", "tr")
    marketing = session.exec(
        select(ConsentEvent).where(ConsentEvent.purpose == Purpose.MARKETING)
    ).one()
    assert (marketing.action, marketing.source) == (
        ConsentAction.REQUESTED,
        ConsentSource.STOREFRONT,
    )
    assert marketing.evidence["user_agent"] == "Mozilla/5.0 test"
    assert marketing.evidence["origin"] == ORIGIN
    assert marketing.evidence["ip"]
    assert marketing.text_version == "sf-1"
    [message] = session.exec(select(OutboundMessage)).all()
    assert (message.kind, message.template_language) == (MessageKind.OPTIN_REQUEST, "tr")


def test_preflight_is_answered_for_the_store_origin_only(client, store_key):
    ok = client.options(
        f"{PATH}?key={store_key}",
        headers={"origin": ORIGIN, "access-control-request-method": "POST"},
    )
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in ok.headers["access-control-allow-methods"]
    other = client.options(
        f"{PATH}?key={store_key}",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert other.status_code == 403
    assert "access-control-allow-origin" not in other.headers


def test_another_origin_is_refused_and_nothing_recorded(client, store_key, session):
    response = client.post(
        f"{PATH}?key={store_key}", json=_body(), headers={"origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "ORIGIN_NOT_ALLOWED"
    assert session.exec(select(ConsentEvent)).all() == []


def test_an_unknown_key_is_a_401(client, store_key, session):
    response = client.post(f"{PATH}?key=pk_nope", json=_body(), headers={"origin": ORIGIN})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNKNOWN_STORE_KEY"
    assert session.exec(select(Contact)).all() == []


def test_an_invalid_phone_is_a_422_with_a_bilingual_message(client, store_key, session):
    response = client.post(
        f"{PATH}?key={store_key}", json=_body(phone="12345"), headers={"origin": ORIGIN}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "INVALID_PHONE"
    assert "geçersiz" in error["message"] and "not valid" in error["message"]
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert session.exec(select(Contact)).all() == []


def test_a_malformed_body_is_a_422(client, store_key):
    response = client.post(
        f"{PATH}?key={store_key}", json={"phone": "05321234567"}, headers={"origin": ORIGIN}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "INVALID_REQUEST"


def test_the_same_number_is_rate_limited(client, store_key, session):
    codes = [
        client.post(f"{PATH}?key={store_key}", json=_body(), headers={"origin": ORIGIN}).status_code
        for _ in range(4)
    ]
    assert codes == [202, 202, 202, 429]
    # only one request reached the ledger: the others found it pending
    assert len(session.exec(select(ConsentEvent)).all()) == 2


def test_one_ip_is_rate_limited_across_numbers(client, store_key):
    codes = [
        client.post(
            f"{PATH}?key={store_key}",
            json=_body(phone=f"0532 200 00 {n:02d}"),
            headers={"origin": ORIGIN},
        ).status_code
        for n in range(21)
    ]
    assert codes[:20] == [202] * 20
    assert codes[20] == 429


def test_a_server_call_without_origin_uses_the_header_key(client, store_key):
    response = client.post(PATH, json=_body(marketing=False), headers={"x-ulak-key": store_key})
    assert response.status_code == 202
    assert response.json()["status"] == "recorded"
    assert "access-control-allow-origin" not in response.headers
