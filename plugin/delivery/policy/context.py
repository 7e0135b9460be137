"""What one store's batch is decided against, loaded in a few bulk queries: the store, its
settings and sending account, the rows' contacts and templates, the staff test rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from plugin.contacts.models import Contact
from plugin.contacts.staff_numbers import staff_test_numbers
from plugin.delivery.models import MessageKind
from plugin.delivery.pace import clamp_rate
from plugin.delivery.policy.codes import Row, SendingAccount
from plugin.delivery.quality import marketing_share
from plugin.rows import OneOf
from plugin.saleor.models import Store
from plugin.stores.models import StoreSettings
from plugin.stores.service import get_settings as get_store_settings
from plugin.templates.models import MessageTemplate
from plugin.whatsapp.accounts import AccountStatus, default_account
from plugin.whatsapp.credentials import Credentials


@dataclass
class StoreContext:
    store: Store | None
    settings: StoreSettings
    account: SendingAccount | None
    account_active: bool
    contacts: dict[int, Contact] = field(default_factory=dict)
    templates: dict[tuple[str, str], MessageTemplate] = field(default_factory=dict)


def load_context(session: Session, store_id: int, rows: list[Row]) -> StoreContext:
    store = session.get(Store, store_id)
    settings = get_store_settings(session, store_id)
    account_row = default_account(session, store_id)
    account: SendingAccount | None = None
    if account_row is not None:
        assert account_row.id is not None
        account = SendingAccount(
            id=account_row.id,
            phone_number_id=account_row.phone_number_id,
            rate=clamp_rate(account_row.throughput_mps),
            credentials=_credentials(account_row),
            marketing_share=marketing_share(account_row.quality_rating),
        )
    ctx = StoreContext(
        store=store,
        settings=settings,
        account=account,
        account_active=account_row is not None and account_row.status == AccountStatus.ACTIVE,
    )
    contact_ids = sorted({r.contact_id for r in rows})
    for contact in session.execute(
        sa.select(Contact).where(
            OneOf(col(Contact.id), "context_contacts"),
            col(Contact.store_id) == store_id,  # only this store's contacts, whatever a row says
        ),
        {"context_contacts": contact_ids},
    ).scalars():
        ctx.contacts[contact.id] = contact
    pairs = {(r.template_name, r.template_language or "") for r in rows if r.template_name}
    if pairs:
        names = sorted({name for name, _ in pairs})
        for template in session.execute(
            sa.select(MessageTemplate).where(
                col(MessageTemplate.store_id) == store_id,
                col(MessageTemplate.name).in_(names),
            )
        ).scalars():
            ctx.templates[(template.name, template.language)] = template
    return ctx


_token_cache: dict[tuple[int, str], str] = {}


def _credentials(account: Any) -> Credentials:
    """Decrypt once per (account, ciphertext): the hot path sends thousands per second."""
    key = (account.id, account.access_token_encrypted)
    token = _token_cache.get(key)
    if token is None:
        if len(_token_cache) > 1000:
            _token_cache.clear()
        token = _token_cache[key] = account.access_token()
    return Credentials(
        phone_number_id=account.phone_number_id,
        access_token=token,
        waba_id=account.waba_id,
        use_marketing_messages=account.use_marketing_endpoint,
        message_activity_sharing=account.message_activity_sharing,
        product_policy=(
            "STRICT" if account.marketing_product_policy == "STRICT" else "CLOUD_API_FALLBACK"
        ),
    )


def staff_test_rows(ctx: StoreContext, rows: list[Row]) -> set[int]:
    """The TEST rows addressed to one of the store's staff test numbers: the only rows that
    skip consent, quiet hours, caps and quota (never a customer's number)."""
    numbers = set(staff_test_numbers(ctx.settings))
    if not numbers:
        return set()
    staff = set()
    for row in rows:
        contact = ctx.contacts.get(row.contact_id)
        if row.kind == MessageKind.TEST and contact is not None:
            if contact.phone_e164 in numbers:
                staff.add(row.id)
    return staff
