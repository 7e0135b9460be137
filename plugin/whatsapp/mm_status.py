"""Whether a store's marketing goes through the Marketing Messages API, from Meta's own word.

Meta says it three ways; Ulak listens to all of them and the newest wins:
- the Graph API: `GET /<WABA_ID>?fields=marketing_messages_onboarding_status` answers
  `{"id": ..., "marketing_messages_onboarding_status": "ONBOARDED"}`; ELIGIBLE means the WABA
  may onboard but has not, ONBOARDED that it has and may call /marketing_messages. Source:
  Meta's "Onboard" page for the MM API for WhatsApp ("Check WABA onboarding status and
  eligibility", developers.facebook.com/documentation/business-messaging/whatsapp/
  marketing-messages/onboarding). The full set of values, with their meaning, as pywa types
  them (pywa/types/others.py, `MarketingMessagesOnboardingStatus`): INELIGIBLE_ON_BEHALF_OF_
  WABA, INELIGIBLE_INACTIVE_OR_RESTRICTED, INELIGIBLE_COUNTRY_NOT_SUPPORTED, INELIGIBLE_USING_
  WHATSAPP_BUSINESS_APP, ELIGIBLE, PENDING_VALID_PAYMENT_METHOD, PENDING_INTERNAL_SETUP
  ("requires no further action"), ONBOARDED. The status belongs to the WABA (the terms are
  signed for a business portfolio); Meta documents no per-phone-number field.
- the `account_update` webhook MM_LITE_TERMS_SIGNED (plugin/whatsapp/account_updates.py);
- a 131063 from /messages (plugin/delivery/sender.py): marketing is off on the Cloud API.

The rule (`apply_onboarding_status`): ONBOARDED puts the WABA's numbers on /marketing_messages.
A status that says the WABA is not onboarded (ELIGIBLE or INELIGIBLE_*) takes them off, but
only when the road was last set before the read was asked: a webhook or a 131063 that arrived
while Meta was answering is newer than the answer, and Meta's webhook is what 360dialog's
"Onboarding and Sending Messages" calls the recommended signal. A PENDING_* status changes
nothing (Meta is still setting the business up; a terms webhook already said yes), nor does an
unknown value or a failed read. Each read's value is kept on the number (`mm_api_status`,
with `mm_api_status_read_at`: the admin's Settings shows both).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from plugin import clock
from plugin.whatsapp.accounts import WhatsAppAccount, set_marketing_road

ONBOARDED = "ONBOARDED"
NOT_ONBOARDED = frozenset(
    {
        "ELIGIBLE",
        "INELIGIBLE_ON_BEHALF_OF_WABA",
        "INELIGIBLE_INACTIVE_OR_RESTRICTED",
        "INELIGIBLE_COUNTRY_NOT_SUPPORTED",
        "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP",
    }
)
PENDING = frozenset({"PENDING_VALID_PAYMENT_METHOD", "PENDING_INTERNAL_SETUP"})


def apply_onboarding_status(
    session: Session, account: WhatsAppAccount, status: str | None, *, asked_at: datetime
) -> bool | None:
    """Record the WABA's status on the store's numbers of that WABA and move their marketing
    road by the rule above; `asked_at` is when the Graph API was asked. Returns the road the
    number takes now (None: the status said nothing, nothing changed)."""
    value = (status or "").strip().upper()[:40]
    if not value or account.id is None:
        return None
    table = WhatsAppAccount.__table__  # type: ignore[attr-defined]
    same_waba = sa.and_(table.c.store_id == account.store_id, table.c.waba_id == account.waba_id)
    session.flush()  # the number's own pending changes first: the updates below are SQL
    read = {"mm_api_status": value, "mm_api_status_read_at": clock.now()}
    session.execute(sa.update(table).where(same_waba).values(**read))
    if value == ONBOARDED:
        off = table.c.use_marketing_endpoint.is_(False)
        set_marketing_road(session, sa.and_(same_waba, off), mm_api=True)
    elif value in NOT_ONBOARDED:
        before_the_read = sa.or_(
            table.c.marketing_endpoint_at.is_(None), table.c.marketing_endpoint_at < asked_at
        )
        on = table.c.use_marketing_endpoint.is_(True)
        set_marketing_road(session, sa.and_(same_waba, on, before_the_read), mm_api=False)
    session.expire(account, ["use_marketing_endpoint", "marketing_endpoint_at", *read])
    if value != ONBOARDED and value not in NOT_ONBOARDED:
        return None
    return account.use_marketing_endpoint
