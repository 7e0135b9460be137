"""What the Graph API's WhatsApp Business Account node says about the business, recorded on
its numbers: the Marketing Messages API onboarding status (plugin/whatsapp/mm_status.py) and
the currency Meta bills the account in.

`GET /<WABA_ID>?fields=marketing_messages_onboarding_status,currency`. `currency` is the WABA's
ISO 4217 billing currency. Source: Meta's Graph API reference "WhatsApp Business Account"
(developers.facebook.com/docs/graph-api/reference/whats-app-business-account: fields id, name,
currency, timezone_id, message_template_namespace, ...); AWS End User Messaging Social relays
it as "The currency code for the WhatsApp Business Account (for example, USD)"
(MetaFlowWhatsAppBusinessAccountInfo). Read at connect and with the limits every few hours
(plugin/whatsapp/limits.py); the cost basis says it beside every cost (plugin/pricing/basis.py).
"""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from plugin import clock
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.mm_status import apply_onboarding_status
from plugin.whatsapp.payloads.graph import BusinessAccountInfo

_CURRENCY = re.compile(r"^[A-Z]{3}$")


def apply_billing_currency(session: Session, account: WhatsAppAccount, value: str | None) -> bool:
    """Record the WABA's billing currency on the store's numbers of that WABA; a missing or
    malformed value changes nothing (the last one read stays). True when recorded."""
    code = (value or "").strip().upper()
    if not _CURRENCY.match(code) or account.id is None:
        return False
    table = WhatsAppAccount.__table__  # type: ignore[attr-defined]
    same_waba = sa.and_(table.c.store_id == account.store_id, table.c.waba_id == account.waba_id)
    session.flush()
    read = {"billing_currency": code, "billing_currency_read_at": clock.now()}
    session.execute(sa.update(table).where(same_waba).values(**read))
    session.expire(account, list(read))
    return True


def apply_waba_info(
    session: Session,
    account: WhatsAppAccount,
    waba: BusinessAccountInfo | None,
    *,
    asked_at: datetime,
) -> None:
    """Everything the WABA node answered (None: it could not be read; nothing changes)."""
    if waba is None:
        return
    status = waba.marketing_messages_onboarding_status
    apply_onboarding_status(session, account, status, asked_at=asked_at)
    apply_billing_currency(session, account, waba.currency)
