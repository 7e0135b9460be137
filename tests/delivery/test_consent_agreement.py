"""Every reader of consent agrees, whatever the ledger holds (issue 16, docs/adr/0005).

Hypothesis writes random ledgers — every purpose, action and source, ties to the second,
facts arriving out of order, backdated imports, lapses by the tick — and for each one the send
path (a launched campaign through the delivery engine to the sandbox phone), the admin view,
the segment SQL and the campaign estimate must say what the ADR's rule, stated again here
independently, says. Above all: no marketing message reaches the phone of a person whose
effective state is revoked.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from plugin import clock
from plugin.campaigns import service as campaigns
from plugin.campaigns.models import Campaign
from plugin.consent import service as consent
from plugin.consent import state as consent_state
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.contacts.models import Contact
from plugin.events.tick import run_tick
from plugin.segments.service import Audience, count_audience
from plugin.segments.tags import add_tags
from plugin.templates.models import MessageTemplate
from tests.delivery.conftest import add_contacts, phone
from tests.support import drain_queue

pytestmark = pytest.mark.sqlite

# The ADR, as an executable statement (deliberately not imported from plugin/consent/state.py).
RANK = {"revoked": 5, "declined": 4, "lapsed": 3, "requested": 2, "granted": 1}
CUSTOMER_OWN = {"whatsapp_keyword", "button_reply", "meta_preferences", "meta_error"}
VOUCHED = {"csv_import", "admin", "api", "checkout", "customer", "order", "storefront"}


@dataclass(frozen=True)
class Fact:
    id: int
    purpose: str
    action: str
    source: str
    at: datetime


def _key(f: Fact) -> tuple[datetime, int, int]:
    return (f.at, RANK[f.action], f.id)


def deciding(facts: list[Fact], purpose: str) -> Fact | None:
    """The fact that decides `purpose`: the latest, a "no" winning a tie."""
    return max((f for f in facts if f.purpose == purpose), key=_key, default=None)


def expected(facts: list[Fact], purpose: str) -> str | None:
    """The effective action by the ADR's rule."""
    mine = [f for f in facts if f.purpose == purpose]
    winner = deciding(facts, purpose)
    if winner is None:
        return None
    if purpose == "marketing" and winner.action == "granted" and winner.source in VOUCHED:
        own = [f for f in mine if f.source in CUSTOMER_OWN and f.at <= winner.at]
        if own and max(own, key=_key).action in ("revoked", "declined"):
            return "requested"
    return winner.action


def expected_allowed(facts: list[Fact]) -> tuple[bool, bool]:
    marketing = expected(facts, "marketing") == "granted"
    transactional = expected(facts, "transactional")
    return marketing, transactional == "granted" or (marketing and transactional != "revoked")


# Instants a few minutes apart (ties are likely) and one a year back (a backdated import).
OFFSETS = [timedelta(0), timedelta(minutes=1), timedelta(minutes=2), timedelta(days=365)]
facts_strategy = st.lists(
    st.tuples(
        st.sampled_from(list(Purpose)),
        st.sampled_from(list(ConsentAction)),
        st.sampled_from(list(ConsentSource)),
        st.sampled_from(OFFSETS),
    ),
    max_size=7,
)
_phones = itertools.count(50_000)
CONSENTED = {"field": "marketing_consent_at", "op": "within_days", "value": 3650}
# facts occur 8 days ago or a year before that: a window of 30 days splits them
RECENTLY = {"field": "marketing_consent_at", "op": "within_days", "value": 30}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ledger=facts_strategy, lapse_tick=st.booleans())
def test_send_path_admin_segments_and_campaigns_agree_and_a_revoked_person_gets_nothing(
    world, sandbox, ledger, lapse_tick
):
    session = world.session
    # given a store of one person and a random ledger, recorded in arrival order
    store_id = world.store_id
    number = next(_phones)
    [contact_id] = add_contacts(session, store_id, 1, first=number, consents=())
    case = f"case{number}"  # this example's audience: the one person tagged with it
    add_tags(session, store_id=store_id, contact_id=contact_id, tags=[case])
    contact = session.get(Contact, contact_id)
    base = clock.now() - timedelta(days=8)  # the tick may lapse a request this old
    for purpose, action, source, offset in ledger:
        consent.record(
            session,
            contact=contact,
            purpose=purpose,
            action=action,
            source=source,
            occurred_at=base - offset,
        )
    if lapse_tick:
        consent.lapse_requests(session=session)
    session.commit()
    facts = [
        Fact(e.id, str(e.purpose), str(e.action), str(e.source), e.occurred_at)
        for e in session.exec(select(ConsentEvent).where(ConsentEvent.contact_id == contact_id))
    ]
    marketing, transactional = expected_allowed(facts)

    # then the admin view (and the single form) say what the rule says
    states = consent_state.states(session, store_id=store_id, contact_ids=[contact_id])
    for purpose in Purpose:
        state = states[(contact_id, purpose)]
        assert (state.action.value if state.action else None) == expected(facts, purpose.value)
        single = consent_state.state(
            session, store_id=store_id, contact_id=contact_id, purpose=purpose
        )
        assert single == state
    # the send-time batch check
    for purpose, allowed in (
        (Purpose.MARKETING, marketing),
        (Purpose.TRANSACTIONAL, transactional),
    ):
        ids = consent_state.allowed_contact_ids(
            session, store_id=store_id, contact_ids=[contact_id], purpose=purpose
        )
        assert ids == ({contact_id} if allowed else set())
    # the segment SQL
    mine = {"field": "tags", "op": "has", "value": case}
    segment = Audience(rule={"all": [mine, CONSENTED]})
    consented = count_audience(session, store_id=store_id, audience=segment)
    assert consented == int(marketing)
    # consented within 30 days: allowed by a deciding grant from the last 30 days (also negated)
    winner = deciding(facts, "marketing")
    recently = marketing and winner is not None and winner.at >= clock.now() - timedelta(days=30)
    for rule, want in ((RECENTLY, recently), ({"not": RECENTLY}, not recently)):
        audience = Audience(rule={"all": [mine, rule]})
        assert count_audience(session, store_id=store_id, audience=audience) == int(want), rule
    # the campaign estimate
    campaign = Campaign(
        store_id=store_id,
        name="Bahar",
        rule=mine,
        variants=[
            {
                "key": "A",
                "template_id": session.exec(
                    select(MessageTemplate.id).where(
                        MessageTemplate.store_id == store_id, MessageTemplate.name == "cart_promo"
                    )
                ).one(),
                "template_name": "cart_promo",
                "template_language": "tr",
                "share": 100,
                "body_fields": ["first_name"],
                "fallbacks": {"first_name": "Ayşe"},
            }
        ],
        test_sent_at=clock.now(),
    )
    session.add(campaign)
    session.commit()
    estimate = campaigns.estimate_campaign(session, store_id=store_id, campaign_id=campaign.id)
    assert (estimate["audience"], estimate["consented"]) == (1, int(marketing))

    # when the campaign is launched and the engine runs
    campaigns.launch_campaign(session, store_id=store_id, campaign_id=campaign.id)
    session.commit()
    while campaigns.run_batch(session, campaign_id=campaign.id):
        session.commit()
    session.commit()
    run_tick(wait=True)
    drain_queue()
    # then the phone has the campaign exactly when marketing is allowed — never when revoked
    received = sandbox.messages(phone(number))
    assert len(received) == int(marketing)
    if expected(facts, "marketing") == "revoked":
        assert received == []
