"""A large fan-out turn written by two connections at once still queues every recipient once,
keeps the A/B split, the holdout and the totals right, and survives a crash between its halves'
commits and its checkpoint (PostgreSQL: the one-statement turn is PostgreSQL's)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlmodel import Session, select

from plugin.campaigns import fanout, fanout_split, service
from plugin.campaigns.models import Campaign, CampaignRecipient
from plugin.delivery.pace import LEAD_SECONDS
from tests.campaigns.test_lifecycle import campaign_rows, ready_campaign
from tests.segments.factories import make_contact, make_store

pytestmark = pytest.mark.postgres_only

AB_WITH_HOLDOUT: dict[str, Any] = {
    "holdout_percent": 10,
    "ab_decide_after_hours": 4,
    "variants": [
        {"template_name": n, "template_language": "tr", "share": 30, "body_fields": ["first_name"]}
        for n in ("spring_sale", "spring_sale_b")
    ],
}


@pytest.fixture()
def split_turns(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Turns of 40 store contacts, each written as two halves; records each split's size."""
    monkeypatch.setattr(fanout, "BATCH_SIZE", 40)
    monkeypatch.setattr(fanout, "FIRST_BATCH", 40)
    monkeypatch.setattr(fanout_split, "SPLIT_FROM", 2)
    splits: list[int] = []
    real = fanout_split.write

    def counting(session: Session, statements: list[Any]) -> None:
        splits.append(len(statements))
        real(session, statements)

    monkeypatch.setattr(fanout_split, "write", counting)
    return splits


def launch(session: Session, count: int) -> tuple[Campaign, list[int]]:
    from tests.segments.factories import make_template

    store = make_store(session)
    contacts = [make_contact(session, store).id for _ in range(count)]
    make_template(session, store, name="spring_sale_b")
    campaign = ready_campaign(session, store, **AB_WITH_HOLDOUT)
    service.launch_campaign(session, store_id=store.id, campaign_id=campaign.id)
    session.commit()
    return campaign, [c for c in contacts if c is not None]


def recipients(session: Session, campaign_id: int) -> list[CampaignRecipient]:
    return list(
        session.exec(select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign_id))
    )


def test_a_turn_written_in_two_halves_queues_each_recipient_once_with_true_totals(
    session: Session, split_turns: list[int]
) -> None:
    # given 100 contacts, an A/B split with a 10 % holdout
    campaign, contacts = launch(session, 100)
    # when the loop runs to the end, then twice more (duplicate loop messages)
    while service.run_batch(session, campaign_id=campaign.id):
        session.commit()
    session.commit()
    service.run_batch(session, campaign_id=campaign.id)
    session.commit()
    # then every turn was written by two connections
    assert split_turns and set(split_turns) == {2}
    snapshot = recipients(session, campaign.id)
    rows = campaign_rows(session, campaign.id)
    sent_to = [r.contact_id for r in rows]
    assert len(sent_to) == len(set(sent_to))
    held = {r.contact_id for r in snapshot if r.holdout}
    waiting = {r.contact_id for r in snapshot if r.variant is None}
    assert set(sent_to) == {r.contact_id for r in snapshot} - held - waiting
    assert Counter(r.variant for r in rows) == Counter(
        r.variant for r in snapshot if r.variant and not r.holdout
    )
    session.expire_all()
    done = session.get(Campaign, campaign.id)
    assert done is not None
    assert (done.recipients_total, done.holdout_total, done.queued_total) == (
        len(snapshot),
        len(held),
        len(rows),
    )
    assert {r.contact_id for r in snapshot} == set(contacts) and done.snapshot_done


def test_a_crash_after_the_halves_commit_redoes_the_turn_without_counting_twice(
    session: Session, split_turns: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a launched campaign whose first turn dies after both halves committed
    campaign, contacts = launch(session, 60)
    real_advance = fanout._advance_snapshot
    crashes = []

    def crash_once(*args: Any, **kwargs: Any) -> None:
        if not crashes:
            crashes.append(1)
            raise RuntimeError("worker killed between the halves and the checkpoint")
        real_advance(*args, **kwargs)

    monkeypatch.setattr(fanout, "_advance_snapshot", crash_once)
    with pytest.raises(RuntimeError):
        service.run_batch(session, campaign_id=campaign.id)
    session.rollback()
    written_before_redo = len(campaign_rows(session, campaign.id))
    # when the queue redelivers the turn and the loop runs to the end
    while service.run_batch(session, campaign_id=campaign.id):
        session.commit()
    session.commit()
    # then the crashed turn's rows were there already, and nobody is counted or queued twice
    assert written_before_redo > 0
    snapshot = recipients(session, campaign.id)
    rows = campaign_rows(session, campaign.id)
    assert len({r.contact_id for r in rows}) == len(rows)
    session.expire_all()
    done = session.get(Campaign, campaign.id)
    assert done is not None
    assert (done.recipients_total, done.holdout_total, done.queued_total) == (
        len(snapshot),
        sum(1 for r in snapshot if r.holdout),
        len(rows),
    )
    assert {r.contact_id for r in snapshot} == set(contacts)


def _number(session: Session, store_id: int, *, mps: int, quality: str | None = None) -> None:
    from plugin import crypto
    from plugin.whatsapp.accounts import WhatsAppAccount

    session.add(
        WhatsAppAccount(
            store_id=store_id,
            phone_number_id=f"pn-{store_id}",
            waba_id="waba-1",
            access_token_encrypted=crypto.encrypt("token"),
            throughput_mps=mps,
            quality_rating=quality,
        )
    )
    session.commit()


def _due_offsets(session: Session, campaign: Campaign) -> list[float]:
    rows = campaign_rows(session, campaign.id)
    session.refresh(campaign)
    assert campaign.started_at is not None
    return sorted((r.due_at - campaign.started_at).total_seconds() for r in rows)


def test_a_campaigns_rows_fall_due_one_after_another_at_its_numbers_marketing_rate(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a number Meta lets send 20 messages a second, and 90 recipients written in turns
    # of 40 store contacts (one statement each)
    monkeypatch.setattr(fanout, "BATCH_SIZE", 40)
    monkeypatch.setattr(fanout, "FIRST_BATCH", 40)
    store = make_store(session)
    for _ in range(90):
        make_contact(session, store)
    _number(session, store.id, mps=20)
    campaign = ready_campaign(session, store)
    service.launch_campaign(session, store_id=store.id, campaign_id=campaign.id)
    session.commit()
    # when the loop writes the outbox
    while service.run_batch(session, campaign_id=campaign.id):
        session.commit()
    session.commit()
    # then the rows fall due 1/20 s apart from the launch, across the turns: the tick queues
    # them about as fast as the number sends, instead of 90 at once
    # (each LEAD_SECONDS before its turn, so the first second's rows are due at the launch)
    offsets = _due_offsets(session, campaign)
    turns = [max(0.0, i / 20 - LEAD_SECONDS) for i in range(90)]
    assert offsets == pytest.approx(turns, abs=0.001)


def test_a_flagged_numbers_campaign_is_spread_at_its_marketing_share_across_halves(
    session: Session, split_turns: list[int]
) -> None:
    # given a number at 20/s that Meta flagged (marketing may use half: 10/s), and a campaign
    # whose turns are each written by two connections at once
    campaign, _ = launch(session, 100)
    _number(session, campaign.store_id, mps=20, quality="FLAGGED")
    # when the loop writes the outbox
    while service.run_batch(session, campaign_id=campaign.id):
        session.commit()
    session.commit()
    # then the rows fall due one after another at 10 a second, each half's after the rows
    # before it (the halves differ in size: an even share would leave gaps and overlaps)
    assert split_turns and set(split_turns) == {2}
    offsets = _due_offsets(session, campaign)
    turns = [max(0.0, i / 10 - LEAD_SECONDS) for i in range(len(offsets))]
    assert offsets == pytest.approx(turns, abs=0.001)
