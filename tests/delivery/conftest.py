"""Fixtures for the delivery engine: the sandbox WhatsApp served over real loopback HTTP, a
store connected to it with approved templates, and contact factories."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from plugin import clock, crypto
from plugin.campaigns import service as campaigns
from plugin.campaigns.models import Campaign
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.contacts.models import Contact, PhoneStatus
from plugin.saleor.models import Store
from plugin.segments.service import Audience
from plugin.settings import Settings
from plugin.stores.models import StoreSettings
from plugin.templates.models import MessageTemplate, TemplateCategory, TemplateStatus
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.sandbox import SandboxConfig, SandboxNumber, create_sandbox_app
from plugin.whatsapp.sandbox.state import Sandbox
from tests.conftest import make_settings
from tests.support import ServerThread, free_port

CONSENTED = {"field": "marketing_consent_at", "op": "within_days", "value": 3650}
PNID = "106540352242922"
WABA = "102290129340398"
TOKEN = "sandbox-token-delivery"
ORDER_TEMPLATE = [{"type": "BODY", "text": "Merhaba {{1}}, siparişin {{2}} yolda."}]
PROMO_TEMPLATE = [{"type": "BODY", "text": "Merhaba {{1}}, sepetin seni bekliyor."}]


def order_parameters(name: str = "Ayşe", number: str = "#1001") -> dict[str, Any]:
    return {
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": name}, {"type": "text", "text": number}],
            }
        ]
    }


def promo_parameters(name: str = "Ayşe") -> dict[str, Any]:
    return {"components": [{"type": "body", "parameters": [{"type": "text", "text": name}]}]}


def sandbox_number() -> SandboxNumber:
    return SandboxNumber(
        phone_number_id=PNID,
        waba_id=WABA,
        display_phone_number="+90 555 000 00 00",
        access_token=TOKEN,
        throughput_level="HIGH",
    )


@dataclass
class SandboxServer:
    url: str
    sandbox: Sandbox

    @property
    def graph_url(self) -> str:
        return f"{self.url}/sandbox/graph"

    def messages(self, phone: str) -> list[dict[str, Any]]:
        return self.sandbox.list_messages(phone)

    def total(self) -> int:
        # list() copies the view in one step: the sandbox appends from its own thread
        return sum(len(items) for items in list(self.sandbox.messages.values()))


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    config = SandboxConfig(
        review_delay_seconds=0,
        sent_delay_seconds=0.0,
        delivered_delay_seconds=0.01,
        read_delay_seconds=0.02,
        status_webhooks=False,
        random_seed=5,
        numbers=[sandbox_number()],
    )
    app = create_sandbox_app(config)
    sandbox: Sandbox = app.state.sandbox
    port = free_port()
    with ServerThread(app, port):
        yield SandboxServer(f"http://127.0.0.1:{port}", sandbox)


@pytest.fixture()
def sandbox(sandbox_server: SandboxServer) -> SandboxServer:
    """A clean sandbox (and fresh pacers) for each test, with the store's templates approved."""
    from plugin.delivery.pace import reset_pacers

    reset_pacers()
    sb = sandbox_server.sandbox
    sb.reset(everything=True)
    sb.set_config({"status_webhooks": False})
    sb.register_number(sandbox_number())
    sb.add_template(
        waba_id=WABA,
        name="order_update",
        language="tr",
        category="UTILITY",
        components=ORDER_TEMPLATE,
    )
    sb.add_template(
        waba_id=WABA,
        name="cart_promo",
        language="tr",
        category="MARKETING",
        components=PROMO_TEMPLATE,
    )
    return sandbox_server


@pytest.fixture()
def settings(db_url: str, sandbox: SandboxServer) -> Settings:
    return make_settings(db_url, whatsapp_graph_url=sandbox.graph_url)


@dataclass
class World:
    session: Session
    store_id: int
    account_id: int

    def account(self) -> WhatsAppAccount:
        """The number as the database has it now (nothing cached in the session)."""
        self.session.expire_all()
        account = self.session.get(WhatsAppAccount, self.account_id)
        assert account is not None
        return account

    def settings_row(self) -> StoreSettings:
        row = self.session.get(StoreSettings, self.store_id)
        assert row is not None
        return row

    def connect_through_graph(self) -> WhatsAppAccount:
        """The merchant connects the sandbox number (PNID) as the admin does: the Graph API
        is read at connect (plugin/whatsapp/connection.py)."""
        from plugin.settings import get_settings
        from plugin.whatsapp import connection

        async def connect() -> WhatsAppAccount:
            async with connection.open_lookup(get_settings()) as lookup:
                return await connection.connect_account(
                    session=self.session,
                    store_id=self.store_id,
                    phone_number_id=PNID,
                    waba_id=WABA,
                    access_token=TOKEN,
                    lookup=lookup,
                )

        return asyncio.run(connect())


def connect_store(session: Session, *, throughput_mps: int = 1000) -> tuple[int, int]:
    """One active store with settings, a connected sandbox number (PNID) and approved
    templates (order_update, cart_promo); returns (store id, account id)."""
    store = Store(
        saleor_api_url="https://shop.example/graphql/",
        saleor_app_id="app-1",
        app_token_encrypted=crypto.encrypt("app-token"),
    )
    session.add(store)
    session.flush()
    assert store.id is not None
    # Quiet hours off by default (tests run at any hour); the quiet-hours tests switch them on.
    store_settings = StoreSettings(
        store_id=store.id, plan="gold", quiet_hours_start="00:00", quiet_hours_end="00:00"
    )
    session.add(store_settings)
    account = WhatsAppAccount(
        store_id=store.id,
        phone_number_id=PNID,
        waba_id=WABA,
        access_token_encrypted=crypto.encrypt(TOKEN),
        is_sandbox=True,
        throughput_mps=throughput_mps,
    )
    session.add(account)
    for name, category, components in (
        ("order_update", TemplateCategory.UTILITY, ORDER_TEMPLATE),
        ("cart_promo", TemplateCategory.MARKETING, PROMO_TEMPLATE),
    ):
        session.add(
            MessageTemplate(
                store_id=store.id,
                name=name,
                language="tr",
                category=category,
                status=TemplateStatus.APPROVED,
                components=components,  # the local mirror is Meta's copy (the builder reads it)
            )
        )
    session.commit()
    # Meta's tier unlimited (a None attribute would let the column default fill in 250)
    session.execute(
        sa.update(StoreSettings)
        .where(StoreSettings.store_id == store.id)
        .values(daily_recipient_tier=None)
    )
    session.commit()
    assert account.id is not None
    return store.id, account.id


@pytest.fixture()
def world(app: Any, session: Session) -> World:
    """One active store with settings, a connected sandbox number and approved templates."""
    store_id, account_id = connect_store(session)
    return World(session=session, store_id=store_id, account_id=account_id)


def phone(i: int) -> str:
    return f"+90532{i:07d}"


def add_contacts(
    session: Session,
    store_id: int,
    n: int,
    *,
    first: int = 1,
    consents: tuple[str, ...] = ("marketing",),
    **fields: Any,
) -> list[int]:
    """n contacts with valid numbers phone(first)... and the given consents (granted in the
    ledger)."""
    contacts = [
        Contact(
            store_id=store_id,
            phone_e164=phone(i),
            phone_status=PhoneStatus.VALID,
            **fields,
        )
        for i in range(first, first + n)
    ]
    session.add_all(contacts)
    session.flush()
    for contact in contacts:
        for purpose in consents:
            session.add(
                ConsentEvent(
                    store_id=store_id,
                    contact_id=contact.id,  # type: ignore[arg-type]
                    purpose=Purpose(purpose),
                    action=ConsentAction.GRANTED,
                    source=ConsentSource.CHECKOUT,
                )
            )
    session.commit()
    return [c.id for c in contacts]  # type: ignore[misc]


@pytest.fixture()
def make_contacts(world: World) -> Callable[..., list[int]]:
    """n contacts with valid numbers and the given consents (granted in the ledger)."""
    counter = {"next": 0}

    def make(n: int = 1, *, consents: tuple[str, ...] = ("marketing",), **fields: Any) -> list[int]:
        ids = add_contacts(
            world.session, world.store_id, n, first=counter["next"] + 1, consents=consents, **fields
        )
        counter["next"] += n
        return ids

    return make


def running_campaign(world: World) -> Campaign:
    """A campaign to every consented contact, launched and fanned out now (its messages due)."""
    session = world.session
    campaign = campaigns.configure_campaign(
        session,
        store_id=world.store_id,
        name="Kış indirimi",
        audience=Audience(rule=CONSENTED),
        variants=[
            {
                "template_name": "cart_promo",
                "template_language": "tr",
                "body_fields": ["first_name"],
            }
        ],
    )
    campaign.test_sent_at = clock.now()
    session.commit()
    campaigns.launch_campaign(session, store_id=world.store_id, campaign_id=campaign.id)
    session.commit()
    while campaigns.run_batch(session, campaign_id=campaign.id):
        session.commit()
    session.commit()
    return campaign


def campaign_due_at_once(world: World, contact_ids: list[int], campaign_id: int = 1) -> list[int]:
    """A campaign's marketing rows to these contacts, all due now (as when a paused campaign
    resumes or quiet hours end), written by the outbox's bulk enqueue; returns their ids."""
    from plugin.delivery import service
    from plugin.delivery.models import MessageKind, MessagePurpose

    ids = service.bulk_enqueue(
        world.session,
        messages=[
            {
                "store_id": world.store_id,
                "contact_id": cid,
                "purpose": MessagePurpose.MARKETING,
                "kind": MessageKind.CAMPAIGN,
                "idempotency_key": f"campaign:{campaign_id}:{cid}",
                "template_name": "cart_promo",
                "template_language": "tr",
                "parameters": promo_parameters(),
                "source_type": "campaign",
                "campaign_id": campaign_id,
            }
            for cid in contact_ids
        ],
    )
    world.session.commit()
    return list(ids)
