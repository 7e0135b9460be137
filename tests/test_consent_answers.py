"""What a customer says is heard once and exactly (issue 16, point 8): No / Hayır to the opt-in
request declines it with one answer; STOP spelled with look-alike letters stops; an identical
grant is one fact; the rule of docs/adr/0005 on ties, backdated imports and own opt-outs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from plugin import clock
from plugin.consent import service
from plugin.consent.answers import InboundOutcome
from plugin.consent.keywords import OPTIN_NO_PAYLOAD, fold, matches
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.delivery.models import MessageKind, OutboundMessage
from plugin.events import consent as consent_journey
from plugin.events import privacy, replies
from plugin.events import saleor as saleor_events
from plugin.stores.models import DEFAULT_OPTOUT_KEYWORDS
from tests.factories import make_contact, make_store
from tests.test_consent import WEB_CONSENT, _inbound, _marketing

pytestmark = pytest.mark.sqlite


def _facts(session, contact):
    return [
        (e.action, e.source)
        for e in session.exec(
            select(ConsentEvent)
            .where(ConsentEvent.contact_id == contact.id, ConsentEvent.purpose == "marketing")
            .order_by(ConsentEvent.id)
        )
    ]


def _replies(session, contact):
    return [
        m.text
        for m in session.exec(
            select(OutboundMessage)
            .where(
                OutboundMessage.contact_id == contact.id,
                OutboundMessage.kind == MessageKind.SERVICE_REPLY,
            )
            .order_by(OutboundMessage.id)
        )
    ]


def _requested(session, store, locale="tr"):
    contact = make_contact(session, store, locale=locale)
    saleor_events.capture_consent(
        session=session,
        contact=contact,
        consent=WEB_CONSENT,
        source=ConsentSource.CHECKOUT,
        capture_key="checkout:1",
    )
    return contact


@pytest.mark.parametrize(
    ("text", "button", "locale", "answer"),
    [
        (None, OPTIN_NO_PAYLOAD, "tr", "Anlaşıldı"),
        ("Hayır", None, "tr", "Anlaşıldı"),
        ("hayir.", None, "tr", "Anlaşıldı"),
        ("NO", None, "en", "Understood"),
    ],
)
def test_no_to_the_optin_request_is_a_declined_fact_answered_once(
    session, text, button, locale, answer
):
    # given a web opt-in waiting for the customer's answer
    store = make_store(session)
    contact = _requested(session, store, locale)
    # when she answers No (the button, or the word), twice
    first = _inbound(session, store, contact, text=text, button=button, wamid="wamid.1")
    second = _inbound(session, store, contact, text=text, button=button, wamid="wamid.2")
    # then one declined fact, one answer in her language, and no marketing
    assert (first, second) == (InboundOutcome.DECLINED, InboundOutcome.NONE)
    source = ConsentSource.BUTTON_REPLY if button else ConsentSource.WHATSAPP_KEYWORD
    assert _facts(session, contact) == [
        (ConsentAction.REQUESTED, ConsentSource.CHECKOUT),
        (ConsentAction.DECLINED, source),
    ]
    [reply] = _replies(session, contact)
    assert reply.startswith(answer)
    assert (_marketing(session, contact).action, _marketing(session, contact).granted) == (
        ConsentAction.DECLINED,
        False,
    )


def test_no_without_a_pending_request_is_just_a_message(session):
    store = make_store(session)
    contact = make_contact(session, store)
    assert _inbound(session, store, contact, text="Hayır") == InboundOutcome.NONE
    assert _facts(session, contact) == [] and _replies(session, contact) == []


def test_an_identical_grant_is_recorded_once_but_a_grant_after_a_revoke_is_new(session):
    store = make_store(session)
    contact = make_contact(session, store)

    def admin(granted: bool) -> None:
        service.record_by_admin(
            session=session,
            store_id=store.id,
            contact_id=contact.id,
            purpose=Purpose.MARKETING,
            granted=granted,
            staff_user_id="VXNlcjox",
        )

    admin(True)
    admin(True)  # a double click
    assert _facts(session, contact) == [(ConsentAction.GRANTED, ConsentSource.ADMIN)]
    admin(False)
    admin(True)
    assert [a for a, _ in _facts(session, contact)] == ["granted", "revoked", "granted"]


def test_the_same_csv_imported_twice_records_each_grant_once(session):
    store = make_store(session)
    csv = "phone,marketing,consent_date\n+905321234567,evet,2026-01-05T10:00:00+03:00\n"
    for _ in range(2):
        consent_journey.import_csv(
            session=session, store=store, csv_text=csv, staff_user_id="VXNlcjox"
        )
    events = session.exec(select(ConsentEvent)).all()
    assert [(e.action, e.source) for e in events] == [("granted", "csv_import")]


def test_a_grant_in_the_same_second_as_a_stop_does_not_win(session):
    store = make_store(session)
    contact = make_contact(session, store)
    at = clock.now().replace(microsecond=0)
    for action, source in (
        (ConsentAction.REVOKED, ConsentSource.WHATSAPP_KEYWORD),
        (ConsentAction.GRANTED, ConsentSource.BUTTON_REPLY),
    ):
        service.record(
            session,
            contact=contact,
            purpose=Purpose.MARKETING,
            action=action,
            source=source,
            occurred_at=at,
        )
    assert _marketing(session, contact).action == ConsentAction.REVOKED


@pytest.mark.parametrize(
    "source", [ConsentSource.CSV_IMPORT, ConsentSource.ADMIN, ConsentSource.STOREFRONT]
)
def test_after_her_own_stop_a_vouched_grant_only_requests_until_she_confirms(session, source):
    # given a STOP on WhatsApp, then a newer grant the merchant vouches for
    store = make_store(session)
    contact = make_contact(session, store)
    assert _inbound(session, store, contact, text="STOP") == InboundOutcome.OPTED_OUT
    service.record(
        session,
        contact=contact,
        purpose=Purpose.MARKETING,
        action=ConsentAction.GRANTED,
        source=source,
        occurred_at=clock.now() + timedelta(seconds=5),  # clamped to now: never in the future
    )
    # then it counts as requested, not granted
    state = _marketing(session, contact)
    assert (state.action, state.granted, state.source) == (ConsentAction.REQUESTED, False, source)
    # until she confirms on WhatsApp herself
    clock.advance(60)
    assert _inbound(session, store, contact, text="EVET", wamid="w2") == (
        InboundOutcome.OPTIN_CONFIRMED
    )
    assert _marketing(session, contact).granted


def test_a_future_dated_fact_is_recorded_as_of_now(session):
    store = make_store(session)
    contact = make_contact(session, store)
    event = service.record(
        session,
        contact=contact,
        purpose=Purpose.MARKETING,
        action=ConsentAction.GRANTED,
        source=ConsentSource.CSV_IMPORT,
        occurred_at=clock.now() + timedelta(days=30),
    )
    assert event.occurred_at <= clock.now()


def test_an_erased_contacts_export_says_it_is_suppressed(session):
    store = make_store(session)
    contact = make_contact(session, store)
    privacy.erase_contact(session, store_id=store.id, contact_id=contact.id)
    export = privacy.export_contact(session, store_id=store.id, contact_id=contact.id)
    assert export["suppressed"] is True
    assert export["phone"] is None


# --- look-alike letters -------------------------------------------------------------------

# Letters drawn like a Latin one (Cyrillic, Greek; capitals and small), and zero for O.
LOOK_ALIKES = {
    "a": "АаΑα",
    "b": "ВΒβ",
    "c": "Сс",
    "e": "ЕеΕε",
    "i": "ІіΙι",
    "k": "КкΚκ",
    "m": "МΜ",
    "n": "Ν",
    "o": "ОоΟο0",
    "p": "РрΡρ",
    "s": "Ѕѕ",
    "t": "ТΤτ",
    "x": "ХхΧχ",
    "y": "УуΥυ",
}
ASCII_KEYWORDS = [k for k in DEFAULT_OPTOUT_KEYWORDS if k.isascii() and k.isalpha()]


@st.composite
def disguised(draw, word: str) -> str:
    out = []
    for ch in word:
        choices = [ch.upper(), ch.lower(), *LOOK_ALIKES.get(ch.lower(), "")]
        out.append(draw(st.sampled_from(choices)))
    return draw(st.sampled_from(["", " "])) + "".join(out) + draw(st.sampled_from(["", "!", "."]))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_stop_with_look_alike_letters_is_a_stop(data):
    keyword = data.draw(st.sampled_from(ASCII_KEYWORDS))
    text = data.draw(disguised(keyword))
    assert matches(text, DEFAULT_OPTOUT_KEYWORDS), text


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_word_that_merely_contains_look_alikes_is_not_a_stop(data):
    keyword = data.draw(st.sampled_from(ASCII_KEYWORDS))
    extra = data.draw(st.text(alphabet="abdfghjlqrvwzАВЕКМНОРСТХдлпжж", min_size=1, max_size=4))
    text = data.draw(disguised(keyword)) + extra
    if fold(text) in {fold(k) for k in DEFAULT_OPTOUT_KEYWORDS}:
        return  # the extra letters spelled another keyword
    assert not matches(text, DEFAULT_OPTOUT_KEYWORDS), text


@pytest.mark.parametrize("text", ["стоп", "СТОПКА", "Стоп!", "STOPPED", "2000", "ρετ ρετ", "Pet"])
def test_ordinary_words_are_not_stops(text):
    assert not matches(text, DEFAULT_OPTOUT_KEYWORDS)


@pytest.mark.parametrize("later_by", [0.0, 0.7, 1.5])
def test_a_stop_stamped_in_a_grants_own_second_still_stops(session, later_by):
    # given an admin grant recorded a moment after the whole second Meta will stamp the STOP with
    store = make_store(session)
    contact = make_contact(session, store)
    stamp = clock.now().replace(microsecond=0) - timedelta(seconds=5)
    service.record(
        session,
        contact=contact,
        purpose=Purpose.MARKETING,
        action=ConsentAction.GRANTED,
        source=ConsentSource.WHATSAPP_KEYWORD,
        occurred_at=stamp + timedelta(seconds=later_by),
    )
    # when her STOP arrives, stamped with that whole second
    outcome = replies.consent_answer(
        session=session,
        store=store,
        contact=contact,
        text="STOP",
        button_payload=None,
        wamid="wamid.stop",
        received_at=stamp,
    )
    # then she is opted out, and the ledger keeps Meta's own stamp as evidence
    assert outcome == InboundOutcome.OPTED_OUT
    state = _marketing(session, contact)
    assert (state.action, state.granted) == (ConsentAction.REVOKED, False)


def test_a_stop_right_after_confirming_the_opt_in_request_stops(session):
    # given a request answered "Evet" within the request's own second (dated a second later)
    store = make_store(session)
    contact = _requested(session, store)
    stamp = clock.now().replace(microsecond=0)
    for text, wamid in (("EVET", "w1"), ("STOP", "w2")):
        replies.consent_answer(
            session=session,
            store=store,
            contact=contact,
            text=text,
            button_payload=None,
            wamid=wamid,
            received_at=stamp,
        )
    # then the STOP typed in that same second wins
    assert _marketing(session, contact).granted is False


def test_a_stop_does_not_reach_back_over_a_grant_seconds_later(session):
    store = make_store(session)
    contact = make_contact(session, store)
    stamp = clock.now().replace(microsecond=0) - timedelta(seconds=10)
    service.record(
        session,
        contact=contact,
        purpose=Purpose.MARKETING,
        action=ConsentAction.GRANTED,
        source=ConsentSource.BUTTON_REPLY,
        occurred_at=stamp + timedelta(seconds=5),
    )
    # a STOP stamped five seconds before the customer's own grant (a late webhook) is history
    replies.consent_answer(
        session=session,
        store=store,
        contact=contact,
        text="STOP",
        button_payload=None,
        wamid="w-late",
        received_at=stamp,
    )
    assert _marketing(session, contact).granted is True
