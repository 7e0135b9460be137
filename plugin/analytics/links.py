"""Tracked links: short unguessable codes that redirect only to URLs the store configured.

An open redirect can never be produced: /r/<code> resolves only codes made by `create_link`,
and `create_link` refuses any URL whose host the store did not configure.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plugin import clock, db_compose
from plugin.analytics.models import AgentClass, LinkClick, LinkKind, TrackedLink
from plugin.analytics.rollups import mark_dirty
from plugin.db import at_batch_end, batch_memo
from plugin.delivery.models import OutboundMessage
from plugin.errors import ConfigurationError
from plugin.stores.models import StoreSettings
from plugin.stores.service import get_settings
from plugin.templates import tracking

CODE_BYTES = 12  # token_urlsafe(12) -> 16 characters, 96 bits
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{10,64}$")
PREVIEW_WINDOW = timedelta(seconds=2)  # a "click" this soon after sending is a preview fetch

# Substrings (lowercase) of user agents that fetch link previews or crawl, never people.
PREVIEW_AGENTS = (
    "whatsapp/",
    "facebookexternalhit",
    "facebookcatalog",
    "slackbot",
    "telegrambot",
    "twitterbot",
    "discordbot",
    "linkedinbot",
    "skypeuripreview",
    "pinterestbot",
    "embedly",
    "iframely",
    "vkshare",
    "redditbot",
    "applebot",
)
# curl, wget and HTTP libraries: no person taps a WhatsApp link with them, so not counted.
BOT_AGENTS = (
    "googlebot",
    "bingbot",
    "yandexbot",
    "duckduckbot",
    "baiduspider",
    "ahrefsbot",
    "semrushbot",
    "petalbot",
    "bot/",
    "crawler",
    "spider",
    "curl/",
    "wget/",
    "python-requests",
    "python-httpx",
    "python-urllib",
    "aiohttp",
    "go-http-client",
    "okhttp",
    "java/",
    "libwww-perl",
    "headlesschrome",
    "phantomjs",
    "scrapy",
)
MOBILE_MARKERS = ("mobile", "android", "iphone", "ipad", "ipod", "windows phone")
# Never in a redirect target: whitespace (`\s` is str.isspace), control characters, backslashes.
UNSAFE_CHARACTER = re.compile(r"[\s\x00-\x1f\\]")


class LinkRefused(ConfigurationError):
    """The URL is not one the store configured (or not a plain web URL)."""

    code = "LINK_REFUSED"


@lru_cache(maxsize=1024)
def _normalise_host(host: str) -> str:
    """Lowercase ASCII (punycode) host without a trailing dot; raises on malformed IDN."""
    host = host.strip().rstrip(".").lower()
    if not host:
        raise ValueError("empty host")
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError("bad international host") from exc
    if not re.fullmatch(r"[a-z0-9.-]+", ascii_host) or ".." in ascii_host:
        raise ValueError("bad host")
    return ascii_host


def _host_of(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
        return _normalise_host(parts.hostname or "") if parts.hostname else None
    except ValueError:
        return None


def allowed_hosts(settings: StoreSettings) -> set[str]:
    """Hosts the store configured: its storefront, its checkout URL and `extra.link_hosts`
    (an entry "*.example.com" allows that domain's subdomains)."""
    extra = settings.extra.get("link_hosts") if isinstance(settings.extra, dict) else None
    entries = tuple(e for e in extra or [] if isinstance(e, str))
    return set(_configured_hosts(settings.storefront_url, settings.checkout_url_template, entries))


@lru_cache(maxsize=256)
def _configured_hosts(
    storefront_url: str | None, checkout_url_template: str | None, entries: tuple[str, ...]
) -> frozenset[str]:
    """`allowed_hosts` from the settings' values (kept: every step's link asks again)."""
    hosts: set[str] = set()
    for url in (storefront_url, checkout_url_template):
        if url:
            host = _host_of(url.replace("{", "").replace("}", ""))
            if host:
                hosts.add(host)
    for entry in entries:
        wildcard = entry.strip().startswith("*.")
        name = entry.strip()[2:] if wildcard else entry.strip()
        if "//" in name:
            host = _host_of(name)
        else:
            try:
                host = _normalise_host(name.split("/")[0].split(":")[0])
            except ValueError:
                host = None
        if host:
            hosts.add(("*." if wildcard else "") + host)
    return frozenset(hosts)


def _host_allowed(host: str, hosts: set[str]) -> bool:
    if host in hosts:
        return True
    return any(h.startswith("*.") and host.endswith(h[1:]) for h in hosts)


def checked_url(url: str, hosts: set[str]) -> str:
    """The URL, normalised (punycode host, no fragment-only tricks), if it may be a redirect
    target; raises LinkRefused otherwise."""
    refused = LinkRefused(
        "Bu bağlantı mağazanın ayarlarında tanımlı bir adrese gitmiyor. / "
        "This link does not point to an address configured for the store."
    )
    if not isinstance(url, str) or not url or len(url) > 4000:
        raise refused
    if UNSAFE_CHARACTER.search(url):
        raise refused
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise refused from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise refused
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise refused
    if not parts.hostname:
        raise refused
    try:
        host = _normalise_host(parts.hostname)
    except ValueError as exc:
        raise refused from exc
    if not _host_allowed(host, hosts):
        raise refused
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit(
        (parts.scheme.lower(), netloc, parts.path or "/", parts.query, parts.fragment)
    )


def _link_row(
    session: Session,
    *,
    store_id: int,
    url: str,
    message_id: int | None,
    contact_id: int | None,
    kind: LinkKind,
    trusted_hosts: Iterable[str],
) -> dict[str, Any]:
    """A new link's values (its URL checked against the store's hosts), with a fresh code."""
    hosts = allowed_hosts(get_settings(session, store_id))
    target = checked_url(url, hosts | {h.lower() for h in trusted_hosts})
    return {
        "store_id": store_id,
        "code": secrets.token_urlsafe(CODE_BYTES),
        "url": target,
        "kind": kind,
        "message_id": message_id,
        "contact_id": contact_id,
    }


def _new_link(session: Session, **link: Any) -> TrackedLink:
    row = TrackedLink(**_link_row(session, **link))
    session.add(row)
    session.flush()
    return row


def create_link(
    session: Session,
    *,
    store_id: int,
    url: str,
    message_id: int | None = None,
    contact_id: int | None = None,
    kind: LinkKind = LinkKind.OTHER,
    trusted_hosts: Iterable[str] = (),
) -> str:
    """A new short code for `url` (refused unless its host is configured for the store).

    `trusted_hosts` adds hosts the store vouched for in signed data, e.g. the carrier's
    tracking page on a fulfillment its own Saleor sent us. In a batch of events the row is
    written with the batch's other links when it ends."""
    row = _link_row(
        session,
        store_id=store_id,
        url=url,
        message_id=message_id,
        contact_id=contact_id,
        kind=kind,
        trusted_hosts=trusted_hosts,
    )
    pending = _pending(session)
    if pending is not None:  # a plain row: building the model costs more than the rest
        pending[row["code"]] = {**row, "created_at": clock.now()}
        return str(row["code"])
    link = TrackedLink(**row)
    session.add(link)
    session.flush()
    return link.code


def _pending(session: Session) -> dict[str, dict[str, object]] | None:
    """In a batch of events: the links made so far, written in one statement when the batch
    ends (nothing reads a step's link before its message is sent)."""
    memo = batch_memo(session)
    if memo is None:
        return None
    if "analytics.links" not in memo:
        memo["analytics.links"] = {}
        at_batch_end(session, "analytics.links", lambda: _write_pending(session))
    pending: dict[str, dict[str, object]] = memo["analytics.links"]
    return pending


def _write_pending(session: Session) -> None:
    pending = _pending(session)
    if pending:
        rows = [
            {
                **r,
                "message_id": _written(m)
                if isinstance(m := r["message_id"], OutboundMessage)
                else m,
            }
            for r in pending.values()
        ]
        pending.clear()
        db_compose.insert(session, TrackedLink.__table__, rows)  # type: ignore[attr-defined]


def create_shared_link(
    session: Session, *, store_id: int, url: str, kind: LinkKind = LinkKind.STOREFRONT
) -> int:
    """One link row for a URL many messages carry (a campaign variant's button): each message
    gets its own signed code at send time (plugin.templates.tracking), none a row of its own."""
    link = _new_link(
        session,
        store_id=store_id,
        url=url,
        message_id=None,
        contact_id=None,
        kind=kind,
        trusted_hosts=(),
    )
    assert link.id is not None
    return link.id


def attach_to_message(session: Session, *, codes: list[str], message: OutboundMessage) -> None:
    """Tie links made before their message existed (a flow step's) to that message (in a
    batch, read for its id when the links are written: a run's rows get theirs when it ends)."""
    pending = _pending(session) or {}
    for code in [c for c in codes if c in pending]:
        if pending[code]["message_id"] is None:
            pending[code]["message_id"] = message
    codes = [c for c in codes if c not in pending]
    if not codes:
        return
    session.execute(
        sa.update(TrackedLink)
        .where(col(TrackedLink.code).in_(codes), col(TrackedLink.message_id).is_(None))
        .values(message_id=_written(message))
    )


def _written(message: OutboundMessage) -> int:
    if message.id is None:
        raise RuntimeError("a link names an outbox row not written yet")
    return message.id


def _message_id(value: object) -> object:
    """A pending link's message: an id, None, or a flow step's row (its id by now)."""
    return _written(value) if isinstance(value, OutboundMessage) else value


def _resolve(session: Session, code: str) -> tuple[TrackedLink, int | None] | None:
    """The link a code names and the message it was sent in: a stored code, or a signed one
    (link id + message id, checked with the app's key) whose message belongs to the link's
    store."""
    link = session.exec(select(TrackedLink).where(TrackedLink.code == code)).first()
    if link is not None:
        return link, link.message_id
    signed = tracking.verify(code)
    if signed is None:
        return None
    link_id, message_id = signed
    shared = session.get(TrackedLink, link_id)
    if shared is None:
        return None
    return shared, message_id


def classify_agent(user_agent: str | None) -> AgentClass:
    """Who is asking, from the User-Agent alone (the class is kept, never the raw string)."""
    ua = (user_agent or "").strip().lower()
    if not ua:
        return AgentClass.UNKNOWN
    if any(marker in ua for marker in PREVIEW_AGENTS):
        return AgentClass.PREVIEW
    if any(marker in ua for marker in BOT_AGENTS):
        return AgentClass.BOT
    if any(marker in ua for marker in MOBILE_MARKERS):
        return AgentClass.MOBILE
    return AgentClass.DESKTOP


def record_click(
    session: Session, *, code: str, user_agent: str | None, method: str = "GET"
) -> str | None:
    """Record a request for `code` and return where to redirect, or None for an unknown code.

    Previews, bots, HEAD requests and requests within 2 s of the message being sent are kept
    as filtered: they redirect like any other but are never counted as clicks."""
    if not CODE_PATTERN.fullmatch(code):
        return None
    found = _resolve(session, code)
    if found is None:
        return None
    link, message_id = found
    message = session.get(OutboundMessage, message_id) if message_id else None
    if message is not None and message.store_id != link.store_id:
        return None  # a code can only name a message of the link's own store
    now = clock.now()
    agent = classify_agent(user_agent)
    reason: str | None = None
    if method.upper() == "HEAD":
        reason = "head"
    elif agent in (AgentClass.PREVIEW, AgentClass.BOT, AgentClass.UNKNOWN):
        reason = agent.value
    if reason is None and message is not None and message.sent_at is not None:
        if now - message.sent_at < PREVIEW_WINDOW:
            reason = "too_soon"
    assert link.id is not None
    session.add(
        LinkClick(
            store_id=link.store_id,
            link_id=link.id,
            message_id=message.id if message is not None else None,
            contact_id=link.contact_id or (message.contact_id if message is not None else None),
            agent_class=agent,
            filtered=reason is not None,
            filter_reason=reason,
            clicked_at=now,
        )
    )
    if reason is None and message is not None:
        mark_dirty(session, store_id=link.store_id, day=message.created_at.date())
    session.flush()
    return link.url
