"""Rows the fault tests start from, written straight into the test database: a store connected
to a WhatsApp number with approved templates, and contacts with their consents."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from plugin import crypto
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.contacts.models import Contact, PhoneStatus
from plugin.saleor.models import Store
from plugin.stores.models import StoreSettings
from plugin.templates.models import MessageTemplate, TemplateCategory, TemplateStatus
from plugin.whatsapp.accounts import WhatsAppAccount

PNID = "106540352242922"
WABA = "102290129340398"
TOKEN = "fault-test-token"
# name -> (category, body); both exist, approved, in the store and in the sandbox process
TEMPLATES = {
    "order_update": (TemplateCategory.UTILITY, "Merhaba {{1}}, siparişin yolda."),
    "cart_promo": (TemplateCategory.MARKETING, "Merhaba {{1}}, sepetin seni bekliyor."),
}


@dataclass(frozen=True)
class World:
    store_id: int
    account_id: int


def phone(i: int) -> str:
    return f"+90532{i:07d}"


def make_world(session: Session, *, throughput_mps: int = 1000, name: str = "fault") -> World:
    """An active store (gold plan, no quiet hours, no daily tier) on the number PNID."""
    store = Store(
        saleor_api_url=f"https://{name}.example/graphql/",
        saleor_app_id="app-fault",
        app_token_encrypted=crypto.encrypt("app-token"),
    )
    session.add(store)
    session.flush()
    assert store.id is not None
    # Quiet hours off (the tests run at any hour of the day).
    session.add(
        StoreSettings(
            store_id=store.id, plan="gold", quiet_hours_start="00:00", quiet_hours_end="00:00"
        )
    )
    account = WhatsAppAccount(
        store_id=store.id,
        phone_number_id=PNID,
        waba_id=WABA,
        access_token_encrypted=crypto.encrypt(TOKEN),
        is_sandbox=True,
        throughput_mps=throughput_mps,
    )
    session.add(account)
    for template_name, (category, body) in TEMPLATES.items():
        session.add(
            MessageTemplate(
                store_id=store.id,
                name=template_name,
                language="tr",
                category=category,
                status=TemplateStatus.APPROVED,
                components=[{"type": "BODY", "text": body}],
            )
        )
    session.commit()
    # Meta's daily tier unlimited (a None attribute would let the column default fill in 250)
    session.execute(
        sa.update(StoreSettings)
        .where(StoreSettings.store_id == store.id)  # type: ignore[arg-type]
        .values(daily_recipient_tier=None)
    )
    session.commit()
    assert account.id is not None
    return World(store_id=store.id, account_id=account.id)


def make_contacts(
    session: Session, world: World, count: int, *, first: int = 1, consents: tuple[str, ...] = ()
) -> list[int]:
    """`count` contacts with valid numbers phone(first)..., each consent granted in the ledger."""
    contacts = [
        Contact(
            store_id=world.store_id,
            phone_e164=phone(i),
            phone_status=PhoneStatus.VALID,
            first_name="Ayşe",
        )
        for i in range(first, first + count)
    ]
    session.add_all(contacts)
    session.flush()
    for contact in contacts:
        for purpose in consents:
            session.add(
                ConsentEvent(
                    store_id=world.store_id,
                    contact_id=contact.id,  # type: ignore[arg-type]
                    purpose=Purpose(purpose),
                    action=ConsentAction.GRANTED,
                    source=ConsentSource.CHECKOUT,
                )
            )
    session.commit()
    return [c.id for c in contacts]  # type: ignore[misc]
