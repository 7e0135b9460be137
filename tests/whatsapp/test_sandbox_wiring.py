"""The sandbox served by the app (dev and test only): dev auto-connect of new stores, the clock,
numbers restored after a restart, and the end-to-end path over real HTTP — a message sent
through the client shows on the sandbox phone and a STOP typed there reaches the app signed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlmodel import Session, select

from plugin import clock, crypto
from plugin.contacts.models import Contact
from plugin.delivery.models import InboundMessage
from plugin.events.sandbox_connect import mounted_sandbox
from plugin.inbox.models import InboxEvent, InboxStatus
from plugin.saleor.models import Store
from plugin.templates.models import MessageTemplate, TemplateStatus
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.client import CloudApiClient
from plugin.whatsapp.credentials import Credentials
from tests.conftest import make_settings
from tests.support import FakeSaleor, ServerThread, drain_queue, free_port, wait_for

pytestmark = pytest.mark.sqlite

CUSTOMER = "+905551112233"


def sandbox_account(session: Session) -> WhatsAppAccount | None:
    session.expire_all()
    return session.exec(select(WhatsAppAccount)).first()


def add_sandbox_account(session: Session, store_id: int, pnid: str, token: str) -> None:
    session.add(
        WhatsAppAccount(
            store_id=store_id,
            phone_number_id=pnid,
            waba_id="sandbox-waba-x",
            display_phone="+90 555 000 99 99",
            access_token_encrypted=crypto.encrypt(token),
            is_sandbox=True,
        )
    )
    session.commit()


@contextmanager
def served_app(db_url: str, *, embedded_worker: bool) -> Iterator[str]:
    """The real app served by uvicorn on a loopback port with its lifespan; its base URL.

    With `embedded_worker` its worker threads and scheduler tick run as in `make run`;
    without, queued work waits until the test runs it (`drain_queue`, `run_tick`)."""
    from plugin.app import create_app

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(make_settings(db_url, app_url=url), embedded_worker=embedded_worker)
    with ServerThread(app, port, lifespan="on"):
        yield url


@pytest.fixture()
def live_app(db_url: str, fake_saleor: FakeSaleor) -> Iterator[str]:
    """The real app served by uvicorn on a loopback port, lifespan and embedded worker on."""
    with served_app(db_url, embedded_worker=True) as url:
        fake_saleor.app_url = url  # Saleor installed Ulak from this app's manifest
        yield url


@pytest.fixture()
def db(live_app: str) -> Iterator[Session]:
    """A session on the live app's engine (the `session` fixture would build a second app)."""
    from plugin.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as s:
        yield s


def test_install_reply_stop_end_to_end(live_app: str, fake_saleor: FakeSaleor, db: Session):
    # given a store installed through the real register call (dev mode: sandbox auto-connect)
    register = httpx.post(
        f"{live_app}/api/register",
        headers={"saleor-api-url": fake_saleor.api_url, "saleor-domain": fake_saleor.domain},
        json={"auth_token": "good-app-token"},
    )
    assert register.status_code == 200, register.text
    account = wait_for(lambda: sandbox_account(db))
    store = db.exec(select(Store)).one()
    assert (account.store_id, account.is_sandbox, account.phone_number_id) == (
        store.id,
        True,
        f"sandbox-{store.id}",
    )
    credentials = Credentials(
        phone_number_id=account.phone_number_id,
        access_token=account.access_token(),
        waba_id=account.waba_id,
    )

    # when a text is sent through the client to the app's own sandbox
    async def send() -> str:
        async with CloudApiClient(f"{live_app}/sandbox/graph") as client:
            result = await client.send_text(credentials=credentials, to=CUSTOMER, body="Merhaba")
            return result.wamid

    wamid = asyncio.run(send())
    # then the sandbox phone shows it
    shown = httpx.get(f"{live_app}/sandbox/api/messages", params={"to": CUSTOMER}).json()
    assert [(m["wamid"], m["type"], m["text"]) for m in shown] == [(wamid, "text", "Merhaba")]
    assert httpx.get(f"{live_app}/sandbox/phone").status_code == 200

    # when the customer answers STOP on the sandbox phone
    reply = httpx.post(f"{live_app}/sandbox/api/reply", json={"from": CUSTOMER, "text": "STOP"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["webhook_status"] == 200

    # then the app got it as a signed webhook, recorded and processed it
    def stop_row() -> InboundMessage | None:
        db.expire_all()
        return db.exec(select(InboundMessage).where(InboundMessage.text == "STOP")).first()

    row = wait_for(stop_row)
    person = db.exec(select(Contact).where(Contact.phone_e164 == CUSTOMER)).one()
    assert (row.wamid, row.contact_id, row.store_id) == (reply.json()["wamid"], person.id, store.id)
    assert person.last_inbound_at is not None

    def processed() -> bool:
        db.expire_all()
        rows = db.exec(select(InboxEvent).where(InboxEvent.event == "messages")).all()
        return len(rows) == 1 and rows[0].status == InboxStatus.PROCESSED

    wait_for(processed)


def test_a_new_store_is_connected_to_a_registered_sandbox_number(
    client, app, installed_store, session
):
    # given a store just installed in dev (test) mode
    # when its after-install work runs
    drain_queue()
    # then it has a sandbox number that the app's sandbox serves
    account = sandbox_account(session)
    store = session.exec(select(Store)).one()
    assert account is not None
    assert (account.store_id, account.phone_number_id, account.waba_id) == (
        store.id,
        f"sandbox-{store.id}",
        f"sandbox-waba-{store.id}",
    )
    served = app.state.sandbox.numbers[account.phone_number_id]
    assert served.access_token == account.access_token()
    assert mounted_sandbox() is app.state.sandbox


def test_the_sandbox_clock_moves_the_apps_clock(client):
    before = clock.now()
    response = client.post("/sandbox/api/clock", json={"advance_seconds": 86400})
    assert response.status_code == 200
    assert 86400 <= (clock.now() - before).total_seconds() < 86460


def test_sandbox_numbers_survive_a_restart_and_unknown_ones_are_looked_up(
    settings, installed_store, session
):
    from fastapi.testclient import TestClient

    from plugin.app import create_app

    # given sandbox accounts in the database, one before the app starts, one after
    store = session.exec(select(Store)).one()
    add_sandbox_account(session, store.id, "sandbox-before", "token-before")
    app = create_app(settings, embedded_worker=False)
    with TestClient(app) as restarted:
        # then the first is served from start-up
        assert "sandbox-before" in app.state.sandbox.numbers
        add_sandbox_account(session, store.id, "sandbox-after", "token-after")
        # and the second is found on first use
        for pnid, token in (("sandbox-before", "token-before"), ("sandbox-after", "token-after")):
            sent = restarted.post(
                f"/sandbox/graph/v23.0/{pnid}/messages",
                headers={"authorization": f"Bearer {token}"},
                json={
                    "messaging_product": "whatsapp",
                    "to": CUSTOMER,
                    "type": "text",
                    "text": {"body": "hi"},
                },
            )
            assert sent.status_code == 200, sent.text
        # and an id without the sandbox prefix is never looked up
        refused = restarted.post(
            "/sandbox/graph/v23.0/123/messages",
            headers={"authorization": "Bearer token-after"},
            json={
                "messaging_product": "whatsapp",
                "to": CUSTOMER,
                "type": "text",
                "text": {"body": "hi"},
            },
        )
        assert refused.status_code == 400


def test_a_dev_store_gets_the_starter_templates_approved_in_the_sandbox(
    client, app, installed_store, session
):
    # when the after-install work runs for a dev-mode store
    drain_queue()
    # then its sandbox WABA holds the starter library, approved, and so do the local rows
    store = session.exec(select(Store)).one()
    seeded = app.state.sandbox.templates[f"sandbox-waba-{store.id}"]
    rows = session.exec(select(MessageTemplate).where(MessageTemplate.store_id == store.id)).all()
    assert {(r.name, r.language) for r in rows} == set(seeded)
    assert ("ulak_order_created", "tr") in seeded
    assert ("ulak_cart_recovery_1", "en") in seeded
    assert {r.status for r in rows} == {TemplateStatus.APPROVED}
    assert {t.status for t in seeded.values()} == {"APPROVED"}


def test_production_never_serves_the_sandbox(db_url):
    from fastapi.testclient import TestClient

    from plugin.app import create_app
    from plugin.events.sandbox_connect import connect_sandbox

    settings = make_settings(
        db_url,
        ulak_env="production",
        secret_key="prod-test-key-7f3a9c1e5b2d8f4a6c0e9b3d",
        whatsapp_app_secret="meta-secret",
        allowed_saleor_urls="https://shop.example/graphql/",
    )
    app = create_app(settings, embedded_worker=False)
    with TestClient(app) as prod:
        assert prod.get("/sandbox/phone").status_code == 404
        assert prod.post("/sandbox/api/clock", json={"advance_seconds": 5}).status_code == 404
    assert connect_sandbox(session=None, store=None) is None  # type: ignore[arg-type]


def test_a_new_sandbox_number_is_read_from_the_graph_api_within_seconds(
    live_app: str, fake_saleor: FakeSaleor, db: Session
):
    # given a store installed in dev mode (its sandbox number made at install, no Graph read)
    register = httpx.post(
        f"{live_app}/api/register",
        headers={"saleor-api-url": fake_saleor.api_url, "saleor-domain": fake_saleor.domain},
        json={"auth_token": "good-app-token"},
    )
    assert register.status_code == 200, register.text
    # when the scheduler ticks (about once a second)
    # then the number's WABA is read as a real one is, so the dashboard can say in what
    # currency Meta bills instead of "not read from Meta yet" for six hours
    account = wait_for(
        lambda: (a := sandbox_account(db)) is not None and a.billing_currency_read_at and a,
        timeout=30,
    )
    assert account.billing_currency == "USD"
    assert account.limits_read_at is not None
