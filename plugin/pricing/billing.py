"""The currency Meta bills the account in, and where Ulak has it from.

Meta's word first: the WABA's `currency` read from the Graph API at connect and on the limits
schedule (plugin/whatsapp/waba_info.py), kept on the store's default number. Until Meta has
been read (no number, or a read that never answered), the store's `cost_currency` setting
stands in, and the admin says so (`source` SETTING). Rate cards are in USD
(ratecards.CARD_CURRENCY): a figure is never relabelled in the billing currency; the admin says
both when they differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from plugin.stores.models import StoreSettings
from plugin.whatsapp.accounts import WhatsAppAccount


class BillingSource(StrEnum):
    META = "META"  # the WABA's `currency`, read from the Graph API
    SETTING = "SETTING"  # the store's cost_currency: Meta not read yet


@dataclass(frozen=True)
class Billing:
    currency: str
    source: BillingSource
    read_at: datetime | None = None


def billing_currency(settings: StoreSettings, account: WhatsAppAccount | None) -> Billing:
    """Meta's billing currency for the store's number, else the store's setting."""
    if account is not None and account.billing_currency:
        read_at = account.billing_currency_read_at
        return Billing(account.billing_currency, BillingSource.META, read_at)
    return Billing(settings.cost_currency, BillingSource.SETTING)
