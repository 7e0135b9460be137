"""The country a message is priced in: the recipient's calling code, never the address.

Meta: "Rates vary based on the template's category and the recipient WhatsApp phone number's
country calling code" (Pricing on the WhatsApp Business Platform,
developers.facebook.com/documentation/business-messaging/whatsapp/pricing, updated
2025-12-10). A username-only contact has no number; its business-scoped user id starts with
its two-letter country ("Business-scoped user IDs" page), which stands in for it.

SQL reads a short key (the number's first five characters or the user id's country) so that
grouping stays cheap; `country_of` maps that key to a region in Python. Calling codes are
prefix-free, so "+90532" and "+905" give the same answer, and +1 (the North American
numbering plan, one rate on Meta's card) maps to "US".
"""

from __future__ import annotations

import phonenumbers

PREFIX_CHARS = 5  # "+" and up to four digits: longer than any calling code


def pricing_key_sql(alias: str) -> str:
    """SQL for a contact row's pricing key (works on PostgreSQL and SQLite)."""
    return f"COALESCE(substr({alias}.phone_e164, 1, {PREFIX_CHARS}), substr({alias}.bsuid, 1, 2))"


def country_of(key: str | None) -> str | None:
    """Region (ISO 3166 alpha-2) of an E.164 number or its prefix, or of a BSUID's country."""
    if not key:
        return None
    key = key.strip()
    if key.startswith("+"):
        digits = "".join(ch for ch in key[1:4] if ch.isdigit())
        for size in (1, 2, 3):
            code = int(digits[:size]) if len(digits) >= size else 0
            if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                region = phonenumbers.region_code_for_country_code(code)
                return None if region == phonenumbers.UNKNOWN_REGION else region
        return None
    head = key[:2].upper()
    return head if len(head) == 2 and head.isalpha() else None
