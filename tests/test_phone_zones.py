"""A contact's country and time zone come from its number the way phonenumbers says, also when
the calling code alone decides them (no parse): quiet hours in the customer's time zone depend
on it, and so does every campaign's send time."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import timezone as phone_timezone

from plugin.contacts import phones
from plugin.contacts.phones import PhoneE164

_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.VOIP,
)


def _examples() -> list[str]:
    """An example number of each kind for every region phonenumbers knows."""
    found = set()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in _TYPES:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None and phonenumbers.is_valid_number(example):
                found.add(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164))
    return sorted(found)


EXAMPLES = _examples()


def _parsed_region(e164: str) -> str | None:
    region = phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    return region if region and region != "ZZ" else None


def _parsed_zone(e164: str) -> str | None:
    zones = phone_timezone.time_zones_for_number(phonenumbers.parse(e164, None))
    if len(zones) == 1 and zones[0] != phone_timezone.UNKNOWN_TIMEZONE:
        return str(zones[0])
    return None


def test_a_turkish_mobile_is_in_istanbul_and_in_turkey() -> None:
    assert phones.timezone_for(phone=PhoneE164("+905321234567"), country=None) == "Europe/Istanbul"
    assert phones.region_of(PhoneE164("+905321234567")) == "TR"


def test_a_number_of_a_country_with_several_zones_keeps_its_own_zone() -> None:
    # a New York and a Los Angeles landline share +1: the digits decide
    assert phones.timezone_for(phone=PhoneE164("+12125550123"), country=None) == "America/New_York"
    assert phones.timezone_for(phone=PhoneE164("+13105550123"), country=None) == (
        "America/Los_Angeles"
    )
    assert phones.region_of(PhoneE164("+14165550123")) == "CA"  # Toronto, also +1


@pytest.mark.parametrize("e164", EXAMPLES)
def test_every_regions_example_numbers_get_the_zone_and_country_phonenumbers_gives(
    e164: str,
) -> None:
    number = PhoneE164(e164)
    assert phones.region_of(number) == _parsed_region(e164)
    assert phones.timezone_for(phone=number, country=None) == _parsed_zone(e164)


@settings(max_examples=400, deadline=None)
@given(example=st.sampled_from(EXAMPLES), tail=st.text("0123456789", min_size=1, max_size=4))
def test_any_valid_number_gets_the_zone_and_country_phonenumbers_gives(
    example: str, tail: str
) -> None:
    # a valid number near a region's example: its last digits changed
    e164 = example[: -len(tail)] + tail
    if not phonenumbers.is_valid_number(phonenumbers.parse(e164, None)):
        return
    number = PhoneE164(e164)
    assert phones.region_of(number) == _parsed_region(e164)
    assert phones.timezone_for(phone=number, country=None) == _parsed_zone(e164)
