"""Tracked links: codes, the open-redirect refusal, the redirect edge and the bot filter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from plugin import clock
from plugin.analytics.links import (
    LinkRefused,
    allowed_hosts,
    checked_url,
    classify_agent,
    create_link,
)
from plugin.analytics.models import AgentClass, LinkClick, LinkKind, TrackedLink
from plugin.delivery.models import MessageStatus
from plugin.stores.service import get_settings
from tests.analytics.factories import make_contact, make_message, make_store

pytestmark = pytest.mark.sqlite  # measurement runs on the embedded default too

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
DESKTOP = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36"
)


def _link(session: Session, **settings_: Any) -> tuple[Any, Any, Any, str]:
    store = make_store(session, **settings_)
    contact = make_contact(session, store)
    message = make_message(session, store, contact, created_at=clock.now() - timedelta(minutes=5))
    code = create_link(
        session,
        store_id=store.id,
        url="https://shop.example.com/checkout?token=abc",
        message_id=message.id,
        contact_id=contact.id,
        kind=LinkKind.RECOVERY,
    )
    session.commit()
    return store, contact, message, code


def _clicks(session: Session) -> list[LinkClick]:
    session.expire_all()
    return list(session.exec(select(LinkClick).order_by(LinkClick.id)))


def test_codes_are_unguessable_and_url_safe(session: Session) -> None:
    # given
    store = make_store(session)
    # when
    codes = {
        create_link(session, store_id=store.id, url="https://shop.example.com/p/1")
        for _ in range(50)
    }
    # then
    assert len(codes) == 50
    assert all(
        len(code) >= 16 and code.replace("-", "").replace("_", "").isalnum() for code in codes
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example.net/",
        "javascript:alert(1)",
        "JaVaScRiPt://shop.example.com/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "https://shop.example.com@evil.example.net/",
        "https://user:pw@shop.example.com/",
        "https://shop.example.com.evil.example.net/",
        "https://evil.example.net\\@shop.example.com/",
        "https://evil.example.net/\\shop.example.com",
        "//evil.example.net/",
        "/relative/path",
        "ftp://shop.example.com/file",
        "https://shop.example.com\t.evil.net/",
        "https://shоp.example.com/",  # Cyrillic "о": a homograph, not the configured host
        "https:///evil.example.net",
        "",
    ],
)
def test_create_link_refuses_urls_the_store_did_not_configure(session: Session, url: str) -> None:
    # given
    store = make_store(session)
    # when / then
    with pytest.raises(LinkRefused):
        create_link(session, store_id=store.id, url=url)
    assert session.exec(select(TrackedLink)).all() == []


def test_create_link_accepts_configured_hosts_normalised(session: Session) -> None:
    # given: a storefront, a checkout template on another host, and an IDN allowlist entry
    store = make_store(
        session,
        storefront_url="https://Shop.Example.com/",
        checkout_url_template="https://pay.example.com/checkout/{token}",
        extra={"link_hosts": ["mağaza.example", "*.cdn.example.org"]},
    )
    # when
    urls = [
        "https://SHOP.example.com./p/1?utm=wa",
        "https://pay.example.com/checkout/abc",
        "https://MAĞAZA.example/ürün",
        "https://img.cdn.example.org/a.png",
    ]
    codes = [create_link(session, store_id=store.id, url=u) for u in urls]
    # then
    stored = {link.code: link.url for link in session.exec(select(TrackedLink)).all()}
    assert [stored[c] for c in codes] == [
        "https://shop.example.com/p/1?utm=wa",
        "https://pay.example.com/checkout/abc",
        "https://xn--maaza-l1a.example/ürün",
        "https://img.cdn.example.org/a.png",
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.sampled_from(["https://", "http://", "javascript:", "//", ""]))
def test_checked_url_never_leaves_the_allowed_hosts(tail: str, prefix: str) -> None:
    hosts = {"shop.example.com"}
    try:
        result = checked_url(prefix + tail, hosts)
    except LinkRefused:
        return
    parts = urlsplit(result)
    assert parts.scheme in ("http", "https")
    assert parts.hostname == "shop.example.com"
    assert parts.username is None


def test_allowed_hosts_of_a_store_without_configuration_is_empty(session: Session) -> None:
    # given
    store = make_store(session, storefront_url=None)
    # when
    hosts = allowed_hosts(get_settings(session, store.id))
    # then
    assert hosts == set()
    with pytest.raises(LinkRefused):
        create_link(session, store_id=store.id, url="https://shop.example.com/")


def test_a_person_clicking_is_redirected_at_once_and_counted(
    client: TestClient, session: Session
) -> None:
    # given
    _store, contact, message, code = _link(session)
    # when
    response = client.get(f"/r/{code}", headers={"user-agent": IPHONE}, follow_redirects=False)
    # then
    assert response.status_code == 302
    assert response.headers["location"] == "https://shop.example.com/checkout?token=abc"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    [click] = _clicks(session)
    assert (click.message_id, click.contact_id) == (message.id, contact.id)
    assert (click.agent_class, click.filtered, click.filter_reason) == (
        AgentClass.MOBILE,
        False,
        None,
    )


@pytest.mark.parametrize(
    ("user_agent", "reason"),
    [
        ("WhatsApp/2.24.10.78 A", "preview"),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "preview"),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "preview"),
        ("TelegramBot (like TwitterBot)", "preview"),
        ("Twitterbot/1.0", "preview"),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot"),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "bot"),
        ("curl/8.5.0", "bot"),
        ("python-requests/2.32.3", "bot"),
        ("", "unknown"),
    ],
)
def test_previews_and_bots_redirect_but_are_not_counted(
    client: TestClient, session: Session, user_agent: str, reason: str
) -> None:
    # given
    _store, _contact, _message, code = _link(session)
    # when
    response = client.get(f"/r/{code}", headers={"user-agent": user_agent}, follow_redirects=False)
    # then
    assert response.status_code == 302
    [click] = _clicks(session)
    assert (click.filtered, click.filter_reason) == (True, reason)


def test_head_requests_are_filtered(client: TestClient, session: Session) -> None:
    # given
    _store, _contact, _message, code = _link(session)
    # when
    response = client.head(f"/r/{code}", headers={"user-agent": DESKTOP}, follow_redirects=False)
    # then
    assert response.status_code == 302
    [click] = _clicks(session)
    assert (click.agent_class, click.filtered, click.filter_reason) == (
        AgentClass.DESKTOP,
        True,
        "head",
    )


def test_a_click_within_two_seconds_of_sending_is_a_preview(
    client: TestClient, session: Session
) -> None:
    # given: the message was sent a moment ago
    store = make_store(session)
    contact = make_contact(session, store)
    message = make_message(session, store, contact, status=MessageStatus.SENT)
    code = create_link(
        session, store_id=store.id, url="https://shop.example.com/", message_id=message.id
    )
    session.commit()
    # when
    response = client.get(f"/r/{code}", headers={"user-agent": IPHONE}, follow_redirects=False)
    # then
    assert response.status_code == 302
    [click] = _clicks(session)
    assert (click.filtered, click.filter_reason) == (True, "too_soon")


@pytest.mark.parametrize("code", ["doesnotexist123", "short", "not.a~valid*code", "a" * 80])
def test_unknown_codes_are_a_bilingual_404_and_record_nothing(
    client: TestClient, session: Session, code: str
) -> None:
    # given
    _link(session)
    # when
    response = client.get(f"/r/{code}", headers={"user-agent": IPHONE}, follow_redirects=False)
    # then
    assert response.status_code == 404
    assert "Bağlantı bulunamadı" in response.text
    assert "Link not found" in response.text
    assert "location" not in response.headers
    assert _clicks(session) == []


def test_agent_classes() -> None:
    assert classify_agent(IPHONE) is AgentClass.MOBILE
    assert classify_agent(DESKTOP) is AgentClass.DESKTOP
    assert classify_agent("WhatsApp/2.23.20.0 i") is AgentClass.PREVIEW
    assert classify_agent(None) is AgentClass.UNKNOWN
