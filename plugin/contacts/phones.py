"""Phone numbers: one parser turns what a shopper typed into E.164, or says why it cannot.

Numbers are accepted only when `phonenumbers.is_valid_number` agrees; an invalid number is
returned with its reason so the caller keeps it visible instead of dropping it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NewType

import phonenumbers
from phonenumbers import timezone as phone_timezone

from plugin.contacts.models import PhoneStatus

PhoneE164 = NewType("PhoneE164", str)

_MAX_RAW = 64
# Countries that span several zones: the country alone does not say the zone.
_MULTI_ZONE = frozenset(
    {"US", "CA", "RU", "BR", "AU", "MX", "ID", "KZ", "CD", "AR", "CL", "MN", "PT", "ES", "EC"}
)
_REASONS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "invalid_country_code",
    phonenumbers.NumberParseException.NOT_A_NUMBER: "not_a_number",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too_short",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "too_short",
    phonenumbers.NumberParseException.TOO_LONG: "too_long",
}


@dataclass(frozen=True)
class PhoneResult:
    e164: PhoneE164 | None
    status: PhoneStatus
    reason: str | None = None

    @property
    def valid(self) -> bool:
        return self.e164 is not None


# The parsers below are pure (phonenumbers' metadata does not change at run time) and a store's
# events name the same numbers again and again (every CHECKOUT_UPDATED of a cart, each order
# event): one parse per number and process, not three per event.
PARSE_CACHE = 8192


@lru_cache(maxsize=PARSE_CACHE)
def normalize_phone(raw: str | None, *, region: str | None) -> PhoneResult:
    """E.164 for a valid number; `region` (ISO country) reads numbers written without +CC."""
    if raw is None or not raw.strip():
        return PhoneResult(None, PhoneStatus.MISSING, "empty")
    text = raw.strip()[:_MAX_RAW]
    region_code = (region or "").upper() or None
    try:
        number = phonenumbers.parse(text, region_code)
    except phonenumbers.NumberParseException as exc:
        return PhoneResult(None, PhoneStatus.INVALID, _REASONS.get(exc.error_type, "unparseable"))
    if not phonenumbers.is_valid_number(number):
        reason = {
            phonenumbers.ValidationResult.TOO_SHORT: "too_short",
            phonenumbers.ValidationResult.TOO_LONG: "too_long",
            phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "invalid_country_code",
        }.get(phonenumbers.is_possible_number_with_reason(number), "invalid_number")
        return PhoneResult(None, PhoneStatus.INVALID, reason)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneResult(PhoneE164(e164), PhoneStatus.VALID, None)


@lru_cache(maxsize=PARSE_CACHE)
def _parsed(phone: PhoneE164) -> phonenumbers.PhoneNumber:
    """A valid number read once for both `region_of` and `timezone_for` (never modified)."""
    return phonenumbers.parse(phone, None)


@lru_cache(maxsize=PARSE_CACHE)
def region_of(phone: PhoneE164) -> str | None:
    """The ISO country of a valid number (e.g. "TR" for +90…)."""
    region = phonenumbers.region_code_for_number(_parsed(phone))
    return region if region and region != "ZZ" else None


@lru_cache(maxsize=PARSE_CACHE)
def timezone_for(*, phone: PhoneE164 | None, country: str | None) -> str | None:
    """The IANA zone: the number's own when unambiguous, else the country's when it has one."""
    if phone is not None:
        zones = phone_timezone.time_zones_for_number(_parsed(phone))
        if len(zones) == 1 and zones[0] != phone_timezone.UNKNOWN_TIMEZONE:
            return str(zones[0])
    if country and country.upper() not in _MULTI_ZONE:
        example = phonenumbers.example_number_for_type(
            country.upper(), phonenumbers.PhoneNumberType.MOBILE
        )
        if example is not None:
            zones = phone_timezone.time_zones_for_number(example)
            if len(zones) == 1 and zones[0] != phone_timezone.UNKNOWN_TIMEZONE:
                return str(zones[0])
    return None


def locale_from_language_code(code: str | None) -> str | None:
    """Saleor's "TR_TR" / "tr-TR" / "EN" → "tr" / "en"."""
    if not code:
        return None
    base = code.replace("-", "_").split("_", 1)[0].strip().lower()
    return base[:10] or None
