"""Campaign lifecycle: launch, the batched loop, pause/resume/cancel mid-run with nobody
queued twice, scheduling, local time, A/B winner, estimates and plan limits."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from plugin import clock
from plugin.campaigns import fanout, service
from plugin.campaigns.models import Campaign, CampaignRecipient, CampaignStatus
from plugin.consent.models import ConsentAction
from plugin.contacts.staff_numbers import set_staff_test_numbers
from plugin.delivery.models import MessageKind, MessageStatus, OutboundMessage
from plugin.saleor.models import Store
from plugin.segments.service import Audience
from plugin.stores.models import Plan
from plugin.stores.plans import PlanLimitError
from tests.segments.factories import (
    grant_marketing,
    make_contact,
    make_inbound,
    make_store,
    make_template,
)
from tests.support import drain_queue

pytestmark = pytest.mark.sqlite

STAFF = "+905550000001"
EVERYONE = {"field": "orders_count", "op": "gte", "value": 0}


def campaign_rows(session: Session, campaign_id: int) -> list[OutboundMessage]:
    session.expire_all()
    return list(
        session.exec(
            select(OutboundMessage).where(
                OutboundMessage.campaign_id == campaign_id,
                OutboundMessage.kind == MessageKind.CAMPAIGN,
            )
        )
    )


def ready_campaign(
    session: Session,
    store: Store,
    *,
    variants: list[dict[str, Any]] | None = None,
    audience: Audience | None = None,
    **options: Any,
) -> Campaign:
    make_template(session, store)
    campaign = service.configure_campaign(
        session,
        store_id=store.id,
        name="Spring sale",
        audience=audience or Audience(rule=EVERYONE),
        variants=variants
        or [
            {
                "template_name": "spring_sale",
                "template_language": "tr",
                "body_fields": ["first_name"],
            }
        ],
        **options,
    )
    set_staff_test_numbers(session, store_id=store.id, numbers=[STAFF])
    service.send_test(session, store_id=store.id, campaign_id=campaign.id, phone_e164=STAFF)
    session.commit()
    return campaign


def run_loop(session: Session, campaign_id: int, *, turns: int = 1) -> None:
    for _ in range(turns):
        service.run_batch(session, campaign_id=campaign_id)
        session.commit()


def test_launch_fans_out_every_recipient_once_with_personalised_parameters(
    app: Any, session: Session
) -> None:
    # given
    store = make_store(session)
    named = make_contact(session, store, first_name="Ayşe")
    unnamed = make_contact(session, store, first_name="  ")
    campaign = ready_campaign(session, store)
    # when
    service.launch_campaign(session, store_id=store.id, campaign_id=campaign.id)
    session.commit()
    drain_queue()
    # then
    rows = {r.contact_id: r for r in campaign_rows(session, campaign.id)}
    assert set(rows) == {named.id, unnamed.id}
    first = rows[named.id]
    assert first.idempotency_key == f"campaign:{campaign.id}:{named.id}"
    assert (first.purpose, first.kind, first.status, first.variant) == (
        "marketing",
        "campaign",
        "scheduled",
        "A",
    )
    assert (first.template_name, first.template_language) == ("spring_sale", "tr")
    assert first.parameters == {
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ayşe"}]}]
    }
    assert (
        rows[unnamed.id].parameters["components"][0]["parameters"][0]["text"]
        == "Değerli müşterimiz"
    )
    session.expire_all()
    progress = service.campaign_progress(session, store_id=store.id, campaign_id=campaign.id)
    assert (
        progress["status"],
        progress["recipients"],
        progress["queued"],
        progress["fanout_done"],
    ) == ("running", 2, 2, True)
    assert progress["by_status"] == {"scheduled": 2}


def test_the_python_and_sql_personalisation_agree(session: Session) -> None:
    # given a variant saved before whole documents (body fields only)
    from tests.templates.test_builder import assert_sql_agrees_with_python

    store = make_store(session)
    contacts = [
        make_contact(session, store, first_name=n, last_name=s)
        for n, s in [("Ali", None), (None, "Kaya"), ("  Can ", 'Ö"z')]
    ]
    variant = {
        "template_language": "en",
        "body_fields": ["first_name", "last_name"],
        "fallbacks": {"last_name": "friend"},
    }
    # then the fan-out's SQL fills it as the Python does
    assert_sql_agrees_with_python(session, store.id, variant, contacts)


def test_pause_and_resume_mid_run_never_queue_anyone_twice(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: ten recipients, three per batch
    monkeypatch.setattr(fanout, "BATCH_SIZE", 3)
    store = make_store(session)
    contacts = [make_contact(session, store) for _ in range(10)]
    campaign = ready_campaign(session, store)
    service.launch_campaign(session, store_id=store.id, campaign_id=campaign.id)
    session.commit()
    run_loop(session, campaign.id)
    first_batch = campaign_rows(session, campaign.id)
    first_batch[0].status = MessageStatus.SENT  # the delivery engine sent one already
    session.add(first_batch[0])
    session.commit()
    # when paused mid-run
    service.pause_campaign(session, store_id=store.id, campaign_id=campaign.id)
    session.commit()
    run_loop(session, campaign.id, turns=3)  # a duplicate loop message changes nothing
    # then
    paused = Counter((r.status, r.status_reason) for r in campaign_rows(session, campaign.id))
    assert paused == {("sent", None): 1, ("cancelled", "campaign_paused"): 2}
    # when resumed, then run to the end (and once more)
    service.resume_campaign(session, store_id=store.id, campaign_id=campaign.id)
    session.commit()
    run_loop(session, campaign.id, turns=6)
    # then
    rows = campaign_rows(session, campaign.id)
    assert sorted(r.contact_id for r in rows) == sorted(c.id for c in contacts)
    assert Counter(r.status for r in rows) == {"sent": 1, "scheduled": 9}
    session.expire_all()
    assert session.get(Campaign, campaign.id).queued_total == 10  # type: ignore[union-attr]


def test_a_sparse_audience_among_another_stores_contacts_is_walked_in_chunks_once(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given two stores whose contacts interleave by id, and an audience of every third
    # contact of ours (a rule on the country); four of our contacts per turn
    monkeypatch.setattr(fanout, "BATCH_SIZE", 4)
    monkeypatch.setattr(fanout, "SNAPSHOT_CHUNK", 4)
    store, other = make_store(session), make_store(session)
    ours = []
    for i in range(14):
        ours.append(make_contact(session, store, country="TR" if i % 3 == 0 else "DE"))
        make_contact(session, other, country="TR")
    wanted = {c.id for c in ours if c.country == "TR"}
    campaign = ready_campaign(
        session, store, audience=Audience(rule={"field": "country", "op": "eq", "value": "TR"})
    )
    # when launched and run to the end (and twice more: duplicate loop messages)
    service.launch_campaign(session, store_id=store.id, campaign_id=campaign.id)
    session.commit()
    turns = 0
    while service.run_batch(session, campaign_id=campaign.id):
        session.commit()
        turns += 1
    session.commit()
    run_loop(session, campaign.id, turns=2)
    # then each of our TR contacts has exactly one row, nobody else has one
    rows = campaign_rows(session, campaign.id)
    assert sorted(r.contact_id for r in rows) == sorted(wanted)
    recipients = session.exec(
        select(CampaignRecipient.contact_id).where(CampaignRecipient.campaign_id == campaign.id)
    ).all()
    assert sorted(recipients) == sorted(wanted)
    # 15 store contacts (the staff number included) in turns of four
    assert turns == 3
    session.expire_all()
    done = session.get(Campaign, campaign.id)
    assert done is not None
    assert (done.recipients_total, done.queued_total, done.snapshot_done) == (5, 5, True)
    assert done.fanout_done_at is not None


@pytest.mark.postgres_only
def test_a_large_fan_out_leaves_the_planner_knowing_the_outbox_size(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a campaign counted as large (the threshold lowered to two recipients)
    monkeypatch.setattr(fanout, "ANALYZE_AFTER_ROWS", 2)
    store = make_store(session)
    for _ in range(3):
        make_contact(session, store)
    campaign = ready_campaign(session, store)

    def planner_rows() -> float:
        return float(
            session.execute(
                sa.text("SELECT reltuples FROM pg_class WHERE relname = 'outbound_message'")
            ).scalar_one()
        )

    before = planner_rows()
    # when it is launched and its loop writes every outbox row
    service.launch_campaign(session, store_id=store.id, campaign_id=campaign.id)
    session.commit()
    run_loop(session, campaign.id, turns=3)
    # then the planner's row count is the table's, without waiting for autovacuum
    actual = session.execute(sa.text("SELECT count(*) FROM outbound_message")).scalar_one()
    assert planner_rows() == actual != before


def test_cancel_mid_run_stops_the_loop_and_cancels_unsent_rows(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setattr(fanout, "BATCH_SIZE", 4)
    store = make_store(session)
    for _ in range(10):
        make_contact(session, store)
    campaign = ready_campaign(session, store)
    service.launch_campaign(session, store_id=store.id, campaign_id=campaign.id)
    session.commit()
    run_loop(session, campaign.id)
    # when
    service.cancel_campaign(session, store_id=store.id, campaign_id=campaign.id)
    session.commit()
    more = service.run_batch(session, campaign_id=campaign.id)
    session.commit()
    # then
    assert more is False
    rows = campaign_rows(session, campaign.id)
    assert Counter((r.status, r.status_reason) for r in rows) == {
        ("cancelled", "campaign_cancelled"): 4
    }
    with pytest.raises(service.CampaignError) as caught:
        service.resume_campaign(session, store_id=store.id, campaign_id=campaign.id)
    assert caught.value.code == "INVALID_TRANSITION"


def test_the_campaign_completes_when_every_message_is_settled(session: Session) -> None:
    # given
    store = make_store(session)
    make_contact(session, store)
    campaign = ready_campaign(session, store)
    service.launch_campaign(session, store_id=store.id, campaign_id=campaign.id)
    session.commit()
    run_loop(session, campaign.id)
    service.tick(session=session)
    session.commit()
    assert session.get(Campaign, campaign.id).status == CampaignStatus.RUNNING  # type: ignore[union-attr]
    # when the delivery engine suppresses the only message
    row = campaign_rows(session, campaign.id)[0]
    row.status, row.status_reason = MessageStatus.SUPPRESSED, "no_consent"
    session.add(row)
    session.commit()
    service.tick(session=session)
    session.commit()
    # then
    session.expire_all()
    assert session.get(Campaign, campaign.id).status == CampaignStatus.COMPLETED  # type: ignore[union-attr]
    progress = service.campaign_progress(session, store_id=store.id, campaign_id=campaign.id)
    assert progress["by_reason"] == {"no_consent": 1}


def test_launch_needs_a_test_send_first(session: Session) -> None:
    # given
    store = make_store(session)
    make_template(session, store)
    campaign = service.configure_campaign(
        session,
        store_id=store.id,
        name="x",
        audience=Audience(builtin="new"),
        variants=[{"template_name": "spring_sale", "template_language": "tr"}],
    )
    # when
    with pytest.raises(service.CampaignError) as caught:
        service.launch_campaign(session, store_id=store.id, campaign_id=campaign.id)
    # then
    assert caught.value.code == "TEST_SEND_REQUIRED"
    assert caught.value.message_tr == "Önce bir personel numarasına test mesajı gönderin."
    assert campaign.status == CampaignStatus.DRAFT


def test_the_test_send_goes_to_the_staff_number_for_each_variant(session: Session) -> None:
    # given
    store = make_store(session)
    make_template(session, store)
    make_template(session, store, name="spring_sale_b")
    campaign = service.configure_campaign(
        session,
        store_id=store.id,
        name="x",
        audience=Audience(rule=EVERYONE),
        variants=[
            {
                "template_name": "spring_sale",
                "template_language": "tr",
                "share": 50,
                "body_fields": ["first_name"],
            },
            {
                "template_name": "spring_sale_b",
                "template_language": "tr",
                "share": 50,
                "body_fields": ["first_name"],
            },
        ],
    )
    set_staff_test_numbers(session, store_id=store.id, numbers=[STAFF])
    # when
    rows = service.send_test(session, store_id=store.id, campaign_id=campaign.id, phone_e164=STAFF)
    session.commit()
    # then
    assert [(r.kind, r.variant, r.template_name) for r in rows] == [
        ("test", "A", "spring_sale"),
        ("test", "B", "spring_sale_b"),
    ]
    assert campaign.test_sent_at is not None
    assert campaign_rows(session, campaign.id) == []
    assert {r.purpose for r in rows} == {"marketing"}
    # and the test records no consent: a campaign would not count it as the number's grant
    from plugin.consent.models import Purpose
    from plugin.consent.state import state as current_state

    state = current_state(
        session, store_id=store.id, contact_id=rows[0].contact_id, purpose=Purpose.MARKETING
    )
    assert state.granted is False


def test_a_scheduled_campaign_starts_at_its_time(session: Session) -> None:
    # given
    store = make_store(session, plan=Plan.SILVER)
    make_contact(session, store)
    at = clock.now() + timedelta(hours=2)
    campaign = ready_campaign(session, store, send_mode="at", send_at=at)
    service.launch_campaign(session, store_id=store.id, campaign_id=campaign.id)
    session.commit()
    service.tick(session=session)
    session.commit()
    assert session.get(Campaign, campaign.id).status == CampaignStatus.SCHEDULED  # type: ignore[union-attr]
    # when
    clock.advance(2 * 3600 + 1)
    service.tick(session=session)
    session.commit()
    run_loop(session, campaign.id)
    # then
    rows = campaign_rows(session, campaign.id)
    assert [r.due_at for r in rows] == [at]
    assert session.get(Campaign, campaign.id).status == CampaignStatus.RUNNING  # type: ignore[union-attr]


def test_local_time_sending_gives_each_contact_their_own_due_time(session: Session) -> None:
    # given
    store = make_store(session)
    istanbul = make_contact(session, store, timezone="Europe/Istanbul")
    new_york = make_contact(session, store, timezone="America/New_York")
    unknown = make_contact(session, store, timezone=None)
    campaign = ready_campaign(
        session, store, send_mode="local_time", local_date="2031-05-06", local_time="10:00"
    )
    # when
    service.launch_campaign(session, store_id=store.id, campaign_id=campaign.id)
    session.commit()
    clock.advance((campaign.send_at - clock.now()).total_seconds() + 1)  # type: ignore[operator]
    service.tick(session=session)
    session.commit()
    run_loop(session, campaign.id)
    # then
    due = {r.contact_id: r.due_at for r in campaign_rows(session, campaign.id)}
    from datetime import datetime

    def local(zone: str) -> datetime:
        return datetime(2031, 5, 6, 10, 0, tzinfo=ZoneInfo(zone))

    assert due == {
        istanbul.id: local("Europe/Istanbul"),
        new_york.id: local("America/New_York"),
        unknown.id: local("Europe/Istanbul"),
    }
    assert campaign.send_at == local("Europe/Istanbul")


def test_ab_variants_split_the_audience_and_the_winner_by_replies_goes_to_the_rest(
    session: Session,
) -> None:
    # given: A and B get 30% each, 10% holdout, 30% wait for the winner
    store = make_store(session)
    contacts = [make_contact(session, store) for _ in range(100)]
    make_template(session, store, name="spring_sale_b")
    campaign = ready_campaign(
        session,
        store,
        holdout_percent=10,
        ab_decide_after_hours=4,
        variants=[
            {
                "template_name": n,
                "template_language": "tr",
                "share": 30,
                "body_fields": ["first_name"],
            }
            for n in ("spring_sale", "spring_sale_b")
        ],
    )
    service.launch_campaign(session, store_id=store.id, campaign_id=campaign.id)
    session.commit()
    run_loop(session, campaign.id, turns=2)
    rows = campaign_rows(session, campaign.id)
    assert Counter(r.variant for r in rows) == {"A": 30, "B": 30}
    # the delivery engine sends them; B's recipients reply more
    sent_at = clock.now()
    for r in rows:
        r.status, r.sent_at = MessageStatus.SENT, sent_at
        session.add(r)
    session.commit()
    by_contact = {c.id: c for c in contacts}
    replied_b = [r for r in rows if r.variant == "B"][:6]
    replied_a = [r for r in rows if r.variant == "A"][:2]
    for r in replied_a + replied_b:
        make_inbound(session, by_contact[r.contact_id], at=sent_at + timedelta(minutes=5))
    # when the decision time passes
    clock.advance(4 * 3600 + 1)
    service.tick(session=session)
    session.commit()
    run_loop(session, campaign.id, turns=2)
    # then
    session.expire_all()
    done = session.get(Campaign, campaign.id)
    assert done is not None
    assert (done.winner_variant, done.winner_metric_used) == ("B", "reply")
    rows = campaign_rows(session, campaign.id)
    assert Counter(r.variant for r in rows) == {"A": 30, "B": 60}
    holdout = set(
        session.exec(
            select(CampaignRecipient.contact_id).where(CampaignRecipient.holdout.is_(True))
        )
    )  # type: ignore[attr-defined]
    assert len(holdout) == 10
    assert not holdout & {r.contact_id for r in rows}
    assert len({r.contact_id for r in rows}) == 90


def test_the_estimate_counts_consented_recipients_at_the_store_rates(session: Session) -> None:
    # given
    table = {"currency": "USD", "rates": {"DE": {"marketing": "0.1365"}}}
    store = make_store(session, rate_table=table, daily_recipient_tier=2)
    # priced by the number's calling code: the German address on a Turkish number is Turkey
    for country, number in (("TR", None), ("DE", None), ("DE", "+4915112345678")):
        extra = {"phone_e164": number} if number else {}
        contact = make_contact(session, store, country=country, **extra)
        grant_marketing(session, contact, at=clock.now() - timedelta(days=3))
    revoked = make_contact(session, store, country="TR")
    grant_marketing(session, revoked, at=clock.now() - timedelta(days=3))
    grant_marketing(
        session, revoked, at=clock.now() - timedelta(days=1), action=ConsentAction.REVOKED
    )
    make_contact(session, store, country="TR")
    campaign = ready_campaign(session, store)
    # when
    estimate = service.estimate_campaign(session, store_id=store.id, campaign_id=campaign.id)
    # then
    from decimal import Decimal

    assert (estimate["audience"], estimate["consented"], estimate["messages"]) == (5, 3, 3)
    assert estimate["cost"] == Decimal("0.0109") * 2 + Decimal("0.1365")
    assert estimate["cost_by_category"] == {"marketing": estimate["cost"]}
    assert set(estimate["by_country"]) == {"TR", "DE"}
    # campaigns get Meta's limit (2) less the reserve kept for order updates (half of it)
    assert (estimate["daily_tier"], estimate["exceeds_daily_tier"], estimate["days_needed"]) == (
        1,
        True,
        3,
    )
    with pytest.raises(service.CampaignError) as caught:
        service.launch_campaign(session, store_id=store.id, campaign_id=campaign.id)
    assert caught.value.code == "DAILY_TIER_EXCEEDED"
    launched = service.launch_campaign(
        session, store_id=store.id, campaign_id=campaign.id, accept_daily_tier=True
    )
    assert launched.status == CampaignStatus.RUNNING


def test_free_plan_campaigns_are_limited_to_250_recipients(session: Session) -> None:
    # given
    store = make_store(session, plan=Plan.FREE, daily_recipient_tier=None)
    session.execute(
        sa.insert(__import__("plugin.contacts.models", fromlist=["Contact"]).Contact),
        [
            {
                "store_id": store.id,
                "phone_e164": f"+9055{i:08d}",
                "phone_status": "valid",
                "orders_count": 0,
                "total_spent": {},
                "created_at": clock.now(),
                "updated_at": clock.now(),
            }
            for i in range(251)
        ],
    )
    session.commit()
    campaign = ready_campaign(session, store, audience=Audience(builtin="new"))
    # when
    with pytest.raises(PlanLimitError) as caught:
        service.launch_campaign(session, store_id=store.id, campaign_id=campaign.id)
    session.rollback()
    # then
    assert caught.value.message_en.startswith(
        "This campaign has 251 recipients; your plan allows up to 250."
    )
    assert session.get(Campaign, campaign.id).status == CampaignStatus.DRAFT  # type: ignore[union-attr]
    assert campaign_rows(session, campaign.id) == []


@pytest.mark.parametrize(
    ("plan", "options", "feature"),
    [
        (Plan.FREE, {"audience": Audience(rule=EVERYONE)}, "own_segments"),
        (
            Plan.FREE,
            {"audience": Audience(builtin="new"), "send_mode": "at", "send_at": "soon"},
            "scheduling",
        ),
        (
            Plan.SILVER,
            {"send_mode": "local_time", "local_date": "2031-01-01", "local_time": "10:00"},
            "local_time",
        ),
        (Plan.SILVER, {"variants": 2}, "ab_testing"),
    ],
)
def test_features_above_the_plan_are_refused_and_no_campaign_is_made(
    session: Session, plan: Plan, options: dict[str, Any], feature: str
) -> None:
    # given
    store = make_store(session, plan=plan)
    make_template(session, store)
    variants = [
        {"template_name": "spring_sale", "template_language": "tr", "share": 50}
    ] * options.pop("variants", 1)
    variants = [dict(v, key="AB"[i]) for i, v in enumerate(variants)]
    if options.get("send_at") == "soon":
        options["send_at"] = clock.now() + timedelta(hours=1)
    options.setdefault("audience", Audience(builtin="new"))
    # when
    with pytest.raises(PlanLimitError) as caught:
        service.configure_campaign(
            session, store_id=store.id, name="x", variants=variants, **options
        )
    session.rollback()
    # then
    assert caught.value.feature == feature
    assert caught.value.message_tr.startswith("Planınız ")
    assert session.execute(sa.select(sa.func.count()).select_from(Campaign)).scalar() == 0
