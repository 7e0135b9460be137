"""Who can be addressed, and how: a phone number when known, else the business-scoped user id."""

from __future__ import annotations

import phonenumbers

from plugin.contacts.models import Contact, PhoneStatus
from plugin.delivery.policy.codes import INVALID_PHONE, PHONE_REQUIRED, US_MARKETING_BLOCKED


def bsuid_country(bsuid: str | None) -> str | None:
    """The ISO country a business-scoped user id starts with ("TR.123..." -> "TR")."""
    head = (bsuid or "").split(".", 1)[0]
    return head.upper() if len(head) == 2 and head.isalpha() else None


def send_address(contact: Contact) -> tuple[str | None, str | None]:
    """(to, recipient): the phone number when we know it (Meta recommends it), else the BSUID."""
    usable = contact.phone_e164 and contact.phone_status != PhoneStatus.INVALID
    if usable:
        return contact.phone_e164, None
    return None, contact.bsuid


def address_problem(contact: Contact, *, marketing: bool) -> str | None:
    """Why this contact cannot be addressed for this purpose (None: it can).

    A contact with no usable number is addressed by its BSUID (Meta's business-scoped user ids
    page: `recipient` instead of `to`). Marketing to a number in the United States is not
    delivered by Meta (since 2025-04-01; phonenumbers' region, so Canada's +1 still is).
    Turkish commercial messages need a known number for İYS: a Turkish username-only
    customer gets transactional messages by BSUID and marketing only once they share it.
    """
    to, recipient = send_address(contact)
    if to is None and recipient is None:
        return INVALID_PHONE
    if not marketing:
        return None
    if to is not None:
        if not to.startswith("+1"):  # only +1 numbers can be in the US (skip the parse)
            return None
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(to))
        except phonenumbers.NumberParseException:
            region = None
        return US_MARKETING_BLOCKED if region == "US" else None
    country = bsuid_country(recipient)
    if country == "US":
        return US_MARKETING_BLOCKED
    if country == "TR" or (contact.country or "").upper() == "TR":
        return PHONE_REQUIRED
    return None
