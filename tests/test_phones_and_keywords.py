"""Phone normalisation and keyword matching: example cases and properties."""

from __future__ import annotations

import string

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.consent.keywords import fold, matches
from plugin.contacts.models import PhoneStatus
from plugin.contacts.phones import (
    locale_from_language_code,
    normalize_phone,
    timezone_for,
)
from plugin.stores.models import (
    DEFAULT_OPTIN_KEYWORDS,
    DEFAULT_OPTOUT_KEYWORDS,
    DEFAULT_RESUME_KEYWORDS,
)

pytestmark = pytest.mark.sqlite


@pytest.mark.parametrize(
    "raw", ["0532 123 45 67", "5321234567", "+90 (532) 123-4567", "0090 532 123 45 67"]
)
def test_turkish_ways_of_writing_a_mobile_number_give_one_e164(raw):
    result = normalize_phone(raw, region="TR")
    assert result.e164 == "+905321234567"
    assert result.status is PhoneStatus.VALID
    assert result.reason is None


def test_an_international_number_ignores_the_default_region():
    assert normalize_phone("+48 512 345 678", region="TR").e164 == "+48512345678"


@pytest.mark.parametrize(
    ("raw", "status", "reason"),
    [
        (None, PhoneStatus.MISSING, "empty"),
        ("   ", PhoneStatus.MISSING, "empty"),
        ("call me", PhoneStatus.INVALID, "not_a_number"),
        ("123", PhoneStatus.INVALID, "too_short"),
        ("0532 123 45 67 89 12", PhoneStatus.INVALID, "too_long"),
        ("+90 599 123 45 67", PhoneStatus.INVALID, "invalid_number"),
    ],
)
def test_an_invalid_number_is_reported_with_its_reason(raw, status, reason):
    result = normalize_phone(raw, region="TR")
    assert (result.e164, result.status, result.reason) == (None, status, reason)


def test_locale_and_time_zone():
    assert locale_from_language_code("TR_TR") == "tr"
    assert locale_from_language_code("tr-TR") == "tr"
    assert locale_from_language_code("EN") == "en"
    assert locale_from_language_code(None) is None
    assert timezone_for(phone=None, country="TR") == "Europe/Istanbul"
    assert timezone_for(phone=None, country="US") is None  # several zones: unknown
    assert timezone_for(phone=normalize_phone("+12125550199", region=None).e164, country="US") == (
        "America/New_York"
    )


turkish_mobiles = st.integers(min_value=0, max_value=9_999_999).flatmap(
    lambda tail: st.sampled_from(["530", "532", "533", "541", "505", "555", "542"]).map(
        lambda prefix: f"{prefix}{tail:07d}"
    )
)


@settings(max_examples=200, deadline=None)
@given(national=turkish_mobiles, style=st.integers(min_value=0, max_value=4))
def test_property_every_format_of_a_turkish_mobile_gives_the_same_e164(national, style):
    formats = [
        national,
        "0" + national,
        f"+90 ({national[:3]}) {national[3:6]}-{national[6:]}",
        f"0{national[:3]} {national[3:6]} {national[6:8]} {national[8:]}",
        "0090" + national,
    ]
    result = normalize_phone(formats[style], region="TR")
    assert result.e164 == "+90" + national
    # idempotent, and valid for phonenumbers
    assert normalize_phone(result.e164, region="US").e164 == result.e164
    assert phonenumbers.is_valid_number(phonenumbers.parse(result.e164))


@settings(max_examples=300, deadline=None)
@given(raw=st.text(max_size=40), region=st.sampled_from(["TR", "US", "DE", None, "zz"]))
def test_property_any_text_is_either_a_valid_e164_or_a_reason(raw, region):
    result = normalize_phone(raw, region=region)
    if result.e164 is not None:
        assert result.status is PhoneStatus.VALID
        assert result.e164.startswith("+")
        assert phonenumbers.is_valid_number(phonenumbers.parse(result.e164))
    else:
        assert result.status in (PhoneStatus.INVALID, PhoneStatus.MISSING)
        assert result.reason


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        "Stop.",
        "DUR",
        " dur ",
        "İPTAL",
        "İptal!",
        "iptal",
        "IPTAL",
        "ıptal",
        "RET",
        "ret!!",
        "ABONELİKTEN ÇIK",
        "abonelikten çık",
        "aboneli̇kten çık",  # "İ".lower(): i + combining dot above
        "Abonelikten cik",
        "UNSUBSCRIBE",
        "Unsubscribe!",
        "cancel",
        "CANCEL 🙏",
    ],
)
def test_every_default_stop_keyword_matches_whatever_the_casing(text):
    assert matches(text, DEFAULT_OPTOUT_KEYWORDS)


@pytest.mark.parametrize(
    "text", ["stop please", "don't stop", "iptal etmeyin", "DURUM", "", None, "!!!", "retro"]
)
def test_a_message_that_only_contains_a_keyword_does_not_match(text):
    assert not matches(text, DEFAULT_OPTOUT_KEYWORDS)


def test_confirm_and_resume_words():
    assert matches("Evet!", DEFAULT_OPTIN_KEYWORDS)
    assert matches("EVET", DEFAULT_OPTIN_KEYWORDS)
    assert matches("yes", DEFAULT_OPTIN_KEYWORDS)
    assert matches("başla", DEFAULT_RESUME_KEYWORDS)
    assert matches("BAŞLA", DEFAULT_RESUME_KEYWORDS)
    assert matches("Start", DEFAULT_RESUME_KEYWORDS)
    assert not matches("evet ama", DEFAULT_OPTIN_KEYWORDS)


def _turkish_case(ch: str, choice: int) -> str:
    variants = {"i": ["i", "İ", "I", "ı"], "ı": ["ı", "I", "i", "İ"]}
    if ch.lower() in variants:
        options = variants[ch.lower()]
        return options[choice % len(options)]
    return ch.upper() if choice % 2 else ch.lower()


noise = st.text(alphabet=" \t.,!?-*'\"()…", max_size=4)


@settings(max_examples=300, deadline=None)
@given(
    keyword=st.sampled_from(DEFAULT_OPTOUT_KEYWORDS),
    cases=st.lists(st.integers(min_value=0, max_value=3), min_size=20, max_size=20),
    before=noise,
    after=noise,
)
def test_property_a_keyword_in_any_casing_with_any_padding_matches(keyword, cases, before, after):
    written = "".join(_turkish_case(ch, cases[i % 20]) for i, ch in enumerate(keyword))
    assert matches(before + written + after, DEFAULT_OPTOUT_KEYWORDS)
    assert matches((before + written + after).lower(), DEFAULT_OPTOUT_KEYWORDS)
    assert matches((before + written + after).upper(), DEFAULT_OPTOUT_KEYWORDS)


@settings(max_examples=300, deadline=None)
@given(
    keyword=st.sampled_from(DEFAULT_OPTOUT_KEYWORDS),
    extra=st.text(alphabet=string.ascii_letters + "çğöşüÇĞÖŞÜ", min_size=1, max_size=6),
)
def test_property_a_keyword_with_more_words_never_matches(keyword, extra):
    assert not matches(f"{keyword} {extra}", [keyword])
    assert not matches(f"{extra} {keyword}", [keyword])


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=30))
def test_property_folding_is_idempotent(text):
    assert fold(fold(text)) == fold(text)
