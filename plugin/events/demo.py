"""The demo store of dev mode (`ulak demo`, `GET /dev`): a store without a Saleor, connected to
the sandbox, with Turkish and English customers, their orders and their consent history, so
the admin page has something true to show in the first minute (issue 20, point 1).

It assembles several domains (stores, contacts, consent, flows) the way an install and a few
months of webhooks would, then last week's campaign and tonight's cart recovery through the
product's own code (plugin/events/demo_story.py), and runs in dev mode only. Re-running
refreshes: the store's key and after-install steps again, and only the people, orders, campaign
and recovery not there yet are added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from plugin import clock, crypto
from plugin.consent.models import ConsentAction, ConsentSource, Purpose
from plugin.consent.service import record
from plugin.contacts.models import Contact, ContactOrder, PhoneStatus
from plugin.events.demo_people import CONSENT_TEXT, PEOPLE, TIME_ZONES, shopper
from plugin.events.demo_story import seed_campaign, seed_recovery
from plugin.events.install import SALEOR_STEPS, run_steps
from plugin.saleor.dev_dashboard import (
    DEMO_API_URL,
    DEMO_APP_ID,
    DEMO_DOMAIN,
    public_jwks,
    require_dev,
    signing_key,
)
from plugin.saleor.models import Store

STORE_NAME = "Demo Mağaza"


@dataclass
class DemoReport:
    store_id: int
    contacts_added: int
    orders_added: int
    campaigns_added: int = 0
    recoveries_added: int = 0


def ensure_demo_store(session: Session) -> Store:
    """The demo store, created or refreshed: the dev key's JWKS, then the install's own steps
    (settings, sandbox number with approved starter templates, flows on, sandbox storefront)."""
    key = signing_key(require_dev())
    store = session.exec(select(Store).where(Store.saleor_api_url == DEMO_API_URL)).first()
    now = clock.now()
    if store is None:
        store = Store(
            saleor_api_url=DEMO_API_URL,
            saleor_app_id=DEMO_APP_ID,
            domain=DEMO_DOMAIN,
            name=STORE_NAME,
            app_token_encrypted=crypto.encrypt("demo-app-token"),
        )
    store.jwks = public_jwks(key)
    store.jwks_fetched_at = now
    store.updated_at = now
    session.add(store)
    session.flush()
    assert store.id is not None
    run_steps(session=session, store=store, skip=SALEOR_STEPS)
    return store


def seed_demo(session: Session) -> DemoReport:
    """The demo store and its people: orders, transactional consent from their orders, and a
    marketing history (confirmed on WhatsApp, waiting for the confirmation, or stopped); then
    a finished campaign with its results and a running cart recovery."""
    store = ensure_demo_store(session)
    assert store.id is not None
    now = clock.now()
    known = {
        c.phone_e164
        for c in session.exec(select(Contact).where(Contact.store_id == store.id)).all()
    }
    added = orders = 0
    for number, (name, phone, locale, country, marketing, since, totals) in enumerate(PEOPLE, 1):
        if phone in known:
            continue
        first, last = name.split(" ", 1)
        start = now - timedelta(days=since)
        contact = Contact(
            store_id=store.id,
            phone_e164=phone,
            phone_raw=phone,
            phone_status=PhoneStatus.VALID,
            wa_id=phone.lstrip("+"),
            first_name=first,
            last_name=last,
            email=shopper(phone).email,
            locale=locale,
            country=country,
            timezone=TIME_ZONES[country],
            created_at=start,
            updated_at=now,
        )
        session.add(contact)
        session.flush()
        added += 1
        spent = Decimal("0")
        for index, total in enumerate(totals):
            at = start + timedelta(days=20 * index + 1)
            session.add(
                ContactOrder(
                    store_id=store.id,
                    contact_id=contact.id,  # type: ignore[arg-type]
                    order_id=f"demo-{number}-{index}",
                    created_at=at,
                    total=Decimal(total),
                    currency="TRY",
                    status="FULFILLED",
                    counted_at=at,
                )
            )
            spent += Decimal(total)
            contact.first_order_at = contact.first_order_at or at
            contact.last_order_at = at
            orders += 1
        contact.orders_count = len(totals)
        contact.total_spent = {"TRY": f"{spent:.2f}"} if totals else {}
        session.add(contact)
        _consent_history(session, contact, marketing, start)
    session.flush()
    return DemoReport(
        store_id=store.id,
        contacts_added=added,
        orders_added=orders,
        campaigns_added=seed_campaign(session, store),
        recoveries_added=seed_recovery(session, store),
    )


def _consent_history(session: Session, contact: Contact, marketing: str, start: datetime) -> None:
    """Transactional consent from the first checkout; marketing as the person chose: asked on
    the checkout, then confirmed with the "Evet" button, and perhaps stopped with a keyword."""
    text = CONSENT_TEXT[contact.locale or "tr"]
    web = {"text": text, "text_version": "demo-1"}
    facts: list[tuple[Purpose, ConsentAction, ConsentSource, datetime, dict[str, Any]]] = [
        (Purpose.TRANSACTIONAL, ConsentAction.GRANTED, ConsentSource.CHECKOUT, start, web)
    ]
    if marketing == "requested":  # still waiting for its "Evet": a recent request
        asked = clock.now() - timedelta(hours=20)
        facts.append(
            (Purpose.MARKETING, ConsentAction.REQUESTED, ConsentSource.CHECKOUT, asked, web)
        )
    elif marketing in ("granted", "revoked"):
        yes = {"evidence": {"button_payload": "ULAK_OPTIN_YES"}}
        facts += [
            (Purpose.MARKETING, ConsentAction.REQUESTED, ConsentSource.CHECKOUT, start, web),
            (
                Purpose.MARKETING,
                ConsentAction.GRANTED,
                ConsentSource.BUTTON_REPLY,
                start + timedelta(minutes=3),
                yes,
            ),
        ]
    if marketing == "revoked":
        stop = {"evidence": {"keyword": "DUR" if contact.locale == "tr" else "STOP"}}
        facts.append(
            (
                Purpose.MARKETING,
                ConsentAction.REVOKED,
                ConsentSource.WHATSAPP_KEYWORD,
                start + timedelta(days=12),
                stop,
            )
        )
    for purpose, action, source, at, extra in facts:
        record(
            session,
            contact=contact,
            purpose=purpose,
            action=action,
            source=source,
            occurred_at=at,
            **extra,
        )
