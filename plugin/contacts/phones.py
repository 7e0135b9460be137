"""Phone numbers: one parser turns what a shopper typed into E.164, or says why it cannot.

Numbers are accepted only when `phonenumbers.is_valid_number` agrees; an invalid number is
returned with its reason so the caller keeps it visible instead of dropping it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NewType

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
from phonenumbers import timezone as phone_timezone
from phonenumbers.timezone import UNKNOWN_TIMEZONE
from phonenumbers.tzdata import TIMEZONE_DATA

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


@dataclass(frozen=True, slots=True)
class PhoneResult:
    e164: PhoneE164 | None
    status: PhoneStatus
    reason: str | None = None

    @property
    def valid(self) -> bool:
        return self.e164 is not None


# The parsers below are pure (phonenumbers' metadata does not change at run time) and a store's
# events name the same numbers again and again (every CHECKOUT_UPDATED of a cart, each order
# event): one parse per number and process, not three per event. They repeat within a cart's
# life (minutes), so 2,048 numbers cover a busy store's shoppers of the last minutes; full, the
# four caches hold 1.8 MB. At 8,192 they held 7.3 MB, which a worker gained over its first tens
# of thousands of events and kept: the soak's late memory growth (docs/benchmarks.md).
PARSE_CACHE = 2048


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


def _calling_code(phone: str) -> int | None:
    """The country calling code of an E.164 number, as phonenumbers' parser reads it: calling
    codes are a prefix code of one to three digits, so the first that is known is the one."""
    for length in (1, 2, 3):
        digits = phone[1 : 1 + length]
        if digits.isdigit() and int(digits) in COUNTRY_CODE_TO_REGION_CODE:
            return int(digits)
    return None


@cache
def _only_region(code: int) -> str | None:
    """The region of every number with calling code `code`, when the code has one region (as
    `phonenumbers.region_code_for_number` answers without looking at the rest)."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(code) or ()
    return regions[0] if len(regions) == 1 else None


@cache
def _only_zone(code: int) -> str | None:
    """The zone of every valid number with calling code `code`, when phonenumbers' time-zone
    data names one zone for every prefix a number of that code can match (the code's own
    entries and its shorter prefixes): then `time_zones_for_number` answers that zone whatever
    the number's type and digits, and the number need not be parsed (a parse and a type check
    cost ~85 µs, on every new number of an order or a checkout)."""
    prefix = str(code)
    zones = {z for k, z in TIMEZONE_DATA.items() if k.startswith(prefix) or prefix.startswith(k)}
    if len(zones) != 1:
        return None
    (found,) = zones
    return str(found[0]) if len(found) == 1 and found[0] != UNKNOWN_TIMEZONE else None


@lru_cache(maxsize=PARSE_CACHE)
def region_of(phone: PhoneE164) -> str | None:
    """The ISO country of a valid number (e.g. "TR" for +90…)."""
    code = _calling_code(phone)
    region = _only_region(code) if code is not None else None
    if region is None:
        region = phonenumbers.region_code_for_number(_parsed(phone))
    return region if region and region != "ZZ" else None


@lru_cache(maxsize=PARSE_CACHE)
def timezone_for(*, phone: PhoneE164 | None, country: str | None) -> str | None:
    """The IANA zone: the number's own when unambiguous, else the country's when it has one.
    `phone` is a valid E.164 number (as stored on a contact)."""
    if phone is not None:
        code = _calling_code(phone)
        only = _only_zone(code) if code is not None else None
        if only is not None:
            return only
        zones = phone_timezone.time_zones_for_number(_parsed(phone))
        if len(zones) == 1 and zones[0] != UNKNOWN_TIMEZONE:
            return str(zones[0])
    if country and country.upper() not in _MULTI_ZONE:
        example = phonenumbers.example_number_for_type(
            country.upper(), phonenumbers.PhoneNumberType.MOBILE
        )
        if example is not None:
            zones = phone_timezone.time_zones_for_number(example)
            if len(zones) == 1 and zones[0] != UNKNOWN_TIMEZONE:
                return str(zones[0])
    return None


def locale_from_language_code(code: str | None) -> str | None:
    """Saleor's "TR_TR" / "tr-TR" / "EN" → "tr" / "en"."""
    if not code:
        return None
    base = code.replace("-", "_").split("_", 1)[0].strip().lower()
    return base[:10] or None
