"""The resumable batched loop that fans a running campaign out into the outbox.

The audience is fixed at start into `campaign_recipient` (variant and holdout assigned
there); each turn writes outbox rows from it with delivery's one set-based INSERT … SELECT
(plugin.delivery.outbox), advancing its checkpoint in the same transaction, so a crash, a
duplicate message or a resume never queues anyone twice. Consent, caps, quiet hours and quota
are decided by delivery at send time."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, select

from plugin import broker, clock
from plugin.campaigns import fanout_split
from plugin.campaigns.audience_sql import audience_chunk, audience_ranges, start_instant
from plugin.campaigns.config import LOOP_ACTOR, account_id_for
from plugin.campaigns.models import Campaign, CampaignRecipient, CampaignStatus, SendMode
from plugin.campaigns.personalise import PERSONAL_FIELDS, sql_parameters
from plugin.contacts.models import Contact
from plugin.db import dialect_name, insert_ignoring_conflicts
from plugin.delivery import outbox_fanout
from plugin.delivery.models import MessageKind, MessagePurpose, OutboundMessage
from plugin.stores import service as stores_service
from plugin.stores.models import StoreSettings

BATCH_SIZE = 50_000  # store contacts (snapshot + outbox) or recipients (outbox) per turn


FIRST_BATCH = 10_000  # the first turn is small, so the first messages are queued at once


SNAPSHOT_CHUNK = 100_000  # store contacts per snapshot-only turn (paused, SQLite)


RECIPIENT_COLUMNS = ("campaign_id", "contact_id", "variant", "holdout", "due_at")


def _advance_snapshot(
    campaign: Campaign,
    *,
    taken: int,
    held: int,
    last: int | None,
    end: int | None,
    limit: int | None,
) -> None:
    """Move the snapshot checkpoint past the chunk: to its end, or to the last contact taken
    when the plan's limit stopped it (then, or past the last contact, the snapshot is done)."""
    campaign.recipients_total += taken
    campaign.holdout_total += held
    capped = limit is not None and taken >= limit
    if capped or end is None:
        campaign.snapshot_done = True
    if capped:
        if last is not None:
            campaign.snapshot_checkpoint = last
    elif end is not None:
        campaign.snapshot_checkpoint = end
    elif last is not None:
        campaign.snapshot_checkpoint = max(campaign.snapshot_checkpoint, last)


def _snapshot_chunk(session: Session, campaign: Campaign, settings: StoreSettings) -> int:
    """Snapshot the next chunk of the audience into campaign_recipient (no outbox rows): the
    turns of a paused campaign, and every turn on SQLite."""
    size = SNAPSHOT_CHUNK if campaign.snapshot_checkpoint else _first_turn()
    chunk, end, limit = audience_chunk(session, campaign, settings, size)
    picked = chunk.subquery("picked")
    # WHERE true: SQLite cannot parse INSERT … SELECT … ON CONFLICT without a WHERE
    rows = sa.select(*(picked.c[k] for k in RECIPIENT_COLUMNS)).where(sa.true())
    stmt = insert_ignoring_conflicts(session, CampaignRecipient).from_select(
        RECIPIENT_COLUMNS, rows
    )
    session.execute(stmt.on_conflict_do_nothing(index_elements=["campaign_id", "contact_id"]))
    r: Any = CampaignRecipient
    window = [r.campaign_id == campaign.id, r.contact_id > campaign.snapshot_checkpoint]
    if end is not None:
        window.append(r.contact_id <= end)
    taken = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.max(r.contact_id),
            sa.func.count(sa.case((r.holdout.is_(True), 1))),
        ).where(*window)
    ).one()
    count = int(taken[0])
    _advance_snapshot(
        campaign, taken=count, held=int(taken[2]), last=taken[1], end=end, limit=limit
    )
    return count


def _one_statement(session: Session) -> bool:
    """Snapshot and outbox rows in one statement needs data-modifying CTEs (PostgreSQL)."""
    return dialect_name(session) == "postgresql"


def _first_turn() -> int:
    return min(FIRST_BATCH, BATCH_SIZE)


def _outbox_select(
    session: Session,
    campaign: Campaign,
    source: Any,
    personal: dict[str, Any],
    *,
    winner: bool,
    ahead: int = 0,
) -> Any:
    """SELECT of outbox rows (delivery's `fanout_rows`) for the recipients in `source` (a
    FROM clause with contact_id, variant, holdout, due_at), personal fields read from
    `personal`: campaign rows with the variant's template and parameters; none for the
    holdout, and the group waiting for the A/B winner only once it is picked (`winner`).
    Rows of a campaign sent from one instant fall due at the number's marketing rate after
    those written before (delivery's `paced_due`) and `ahead` more: the rows of the earlier
    parts of a turn written by several statements at once."""
    s = source.c
    by_key = {v["key"]: v for v in campaign.variants}
    dialect = dialect_name(session)
    if winner:
        chosen = by_key[campaign.winner_variant or ""]
        variant_col: Any = sa.literal(chosen["key"])
        pick = {
            k: sa.literal(chosen[k]) for k in ("template_id", "template_name", "template_language")
        }
        params = sql_parameters(chosen, dialect, personal)
    else:
        variant_col = s.variant

        def case_of(key: str) -> Any:
            if len(by_key) == 1:  # one variant: no CASE per row
                return sa.literal(campaign.variants[0][key])
            return sa.case(*((s.variant == k, sa.literal(v[key])) for k, v in by_key.items()))

        pick = {k: case_of(k) for k in ("template_id", "template_name", "template_language")}
        documents = {k: sql_parameters(v, dialect, personal) for k, v in by_key.items()}
        params = (
            next(iter(documents.values()))
            if len(documents) == 1
            else sa.case(*((s.variant == k, doc) for k, doc in documents.items()))
        )
    account_id = account_id_for(session, campaign)
    due_at = s.due_at
    if campaign.send_mode != SendMode.LOCAL_TIME:  # (one instant per time zone: not spread)
        ordinal = sa.func.row_number().over(order_by=s.contact_id) - 1 + ahead
        due_at = outbox_fanout.paced_due(
            session,
            account_id=account_id,
            due_at=s.due_at,
            ordinal=ordinal,
            first_at=start_instant(campaign),
            before=campaign.queued_total,
        )
    fanout = outbox_fanout.FanOut(
        store_id=campaign.store_id,
        account_id=account_id,
        purpose=MessagePurpose.MARKETING,
        kind=MessageKind.CAMPAIGN,
        source_type="campaign",
        source_id=str(campaign.id),
        campaign_id=campaign.id,
        key_source="campaign",
        key_parts=(campaign.id,),
    )
    return outbox_fanout.fanout_rows(
        fanout,
        contact_id=s.contact_id,
        template_id=pick["template_id"],
        template_name=pick["template_name"],
        template_language=pick["template_language"],
        parameters=params,
        variant=variant_col,
        due_at=due_at,
    ).where(*_written(s, winner=winner))


def _written(s: Any, *, winner: bool) -> tuple[Any, ...]:
    """Which recipients get an outbox row: none in the holdout; the group waiting for the A/B
    winner only once it is picked (`winner`), the others at once."""
    if winner:
        return (s.holdout.is_(False), s.variant.is_(None))
    return (s.holdout.is_(False), s.variant.is_not(None), s.variant != "")


def _turn_statement(session: Session, campaign: Campaign, chunk: Any, ahead: int = 0) -> Any:
    """ONE statement for a range of the audience (data-modifying CTEs over one read of
    `contact`): its snapshot rows, their outbox rows, and the range's last contact, recipients,
    holdouts and outbox rows written."""
    picked = chunk.cte("picked")
    snap = (
        postgresql.insert(CampaignRecipient)
        .from_select(RECIPIENT_COLUMNS, sa.select(*(picked.c[k] for k in RECIPIENT_COLUMNS)))
        .on_conflict_do_nothing(index_elements=["campaign_id", "contact_id"])
        .returning(CampaignRecipient.__table__.c.holdout)  # type: ignore[attr-defined]
        .cte("snap")
    )
    personal = {f: picked.c[f] for f in PERSONAL_FIELDS}
    rows = _outbox_select(session, campaign, picked, personal, winner=False, ahead=ahead)
    written_rows = (
        outbox_fanout.insert_rows(session, rows)
        .returning(OutboundMessage.__table__.c.id)  # type: ignore[attr-defined]
        .cte("outbox")
    )
    return sa.select(
        sa.select(sa.func.max(picked.c.contact_id)).scalar_subquery(),
        sa.select(sa.func.count()).select_from(snap).scalar_subquery(),
        sa.select(sa.func.count())
        .select_from(snap)
        .where(snap.c.holdout.is_(True))
        .scalar_subquery(),
        sa.select(sa.func.count()).select_from(written_rows).scalar_subquery(),
    )


def _fanout_turn(session: Session, campaign: Campaign, settings: StoreSettings) -> int:
    """PostgreSQL, running and caught up: snapshot the next chunk and write its outbox rows in
    one statement, so both are in the same transaction, followed by the checkpoints; a large
    turn without a plan limit is written as two halves at once (fanout_split). Returns the
    outbox rows written."""
    size = BATCH_SIZE if campaign.snapshot_checkpoint else _first_turn()
    for setting in fanout_split.turn_settings():
        session.execute(setting)
    chunk, end, limit = audience_chunk(session, campaign, settings, size)
    halves = fanout_split.ranges(session, campaign, size=size, end=end, limit=limit)
    if halves is None:
        counts = session.execute(_turn_statement(session, campaign, chunk)).one()
        last, inserted, held, written = counts
    else:
        parts = audience_ranges(session, campaign, settings, halves)
        aheads = [0]
        for earlier in parts[:-1]:  # each part's rows fall due after the earlier parts' rows
            aheads.append(aheads[-1] + _rows_to_write(session, earlier))
        fanout_split.write(
            session,
            [_turn_statement(session, campaign, p, a) for p, a in zip(parts, aheads, strict=True)],
        )
        last, inserted, held, written = fanout_split.totals(session, campaign, end)
    _advance_snapshot(
        campaign, taken=int(inserted), held=int(held), last=last, end=end, limit=limit
    )
    campaign.send_checkpoint = campaign.snapshot_checkpoint
    campaign.queued_total += int(written)
    return int(written)


def _rows_to_write(session: Session, chunk: Any) -> int:
    """How many outbox rows a part of a turn will write (its audience, less the holdout and
    the group waiting for the A/B winner)."""
    source = chunk.subquery("part")
    count = sa.select(sa.func.count()).select_from(source).where(*_written(source.c, winner=False))
    return int(session.execute(count).scalar_one())


def _outbox_batch(session: Session, campaign: Campaign, *, winner: bool) -> int:
    """Write the next BATCH_SIZE snapshotted recipients' outbox rows and advance the checkpoint
    (after a pause, for the A/B winner's group, and on SQLite)."""
    r: Any = CampaignRecipient
    checkpoint = campaign.winner_checkpoint if winner else campaign.send_checkpoint
    window = (
        sa.select(r.contact_id)
        .where(
            r.campaign_id == campaign.id,
            r.contact_id > checkpoint,
            r.contact_id <= campaign.snapshot_checkpoint,
        )
        .order_by(r.contact_id)
        .limit(BATCH_SIZE)
        .subquery()
    )
    seen, upper = session.execute(
        sa.select(sa.func.count(), sa.func.max(window.c.contact_id))
    ).one()
    if int(seen) < BATCH_SIZE:  # the rest of the snapshot (ranges may end past the last one)
        upper = campaign.snapshot_checkpoint
    source = (
        sa.select(r.contact_id, r.variant, r.holdout, r.due_at)
        .where(r.campaign_id == campaign.id, r.contact_id > checkpoint, r.contact_id <= upper)
        .subquery("recipient")
    )
    contact_id: Any = Contact.id
    rows = _outbox_select(
        session,
        campaign,
        source,
        {f: getattr(Contact, f) for f in PERSONAL_FIELDS},
        winner=winner,
    ).join_from(source, Contact.__table__, contact_id == source.c.contact_id)  # type: ignore[attr-defined]
    result = session.execute(
        outbox_fanout.insert_rows(session, rows), execution_options={"preserve_rowcount": True}
    )
    written = max(int(getattr(result, "rowcount", 0) or 0), 0)
    if winner:
        campaign.winner_checkpoint = int(upper)
    else:
        campaign.send_checkpoint = int(upper)
    campaign.queued_total += written
    return written


def winner_group_pending(campaign: Campaign) -> bool:
    return (
        len(campaign.variants) > 1
        and sum(v["share"] for v in campaign.variants) + campaign.holdout_percent < 100
    )


ANALYZE_AFTER_ROWS = 10_000  # a fan-out this large changes the outbox's statistics at once


def _refresh_planner_statistics(session: Session, campaign: Campaign) -> None:
    """After a large fan-out, refresh the planner's statistics of the tables it grew.

    Until autovacuum's next analyze (a minute or more later, never when an operator turned it
    off) the planner still believes the outbox is as small as before, and the queries every
    webhook runs on it (an order cancelling a contact's waiting recovery steps) picked a
    store-wide index scan over a contact's: 5 ms per order at 100,000 queued rows, measured in
    the soak benchmark. ANALYZE samples a fixed number of rows and takes a lock that blocks
    neither reads nor writes."""
    if session.get_bind().dialect.name != "postgresql":
        return
    if campaign.queued_total < ANALYZE_AFTER_ROWS:
        return
    session.execute(sa.text("ANALYZE outbound_message"))
    session.execute(sa.text("ANALYZE campaign_recipient"))


def run_batch(session: Session, *, campaign_id: int) -> bool:
    """One turn of the loop; True when it re-enqueued itself. Pause and cancel are read here,
    at the top of every batch, under the campaign's row lock."""
    query = select(Campaign).where(Campaign.id == campaign_id).with_for_update()
    campaign = session.exec(query).first()
    if campaign is None or campaign.status not in (CampaignStatus.RUNNING, CampaignStatus.PAUSED):
        return False
    settings = stores_service.get_settings(session, campaign.store_id)
    running = campaign.status == CampaignStatus.RUNNING
    caught_up = campaign.send_checkpoint >= campaign.snapshot_checkpoint
    if running and caught_up and not campaign.snapshot_done and _one_statement(session):
        _fanout_turn(session, campaign, settings)
    else:
        if not campaign.snapshot_done:
            # the snapshot goes on while paused: the audience is the one at launch
            _snapshot_chunk(session, campaign, settings)
        if running:
            if campaign.send_checkpoint < campaign.snapshot_checkpoint:
                _outbox_batch(session, campaign, winner=False)
            elif (
                campaign.winner_variant
                and campaign.winner_checkpoint < campaign.snapshot_checkpoint
            ):
                _outbox_batch(session, campaign, winner=True)
    main_done = campaign.snapshot_done and campaign.send_checkpoint >= campaign.snapshot_checkpoint
    winner_done = not winner_group_pending(campaign) or (
        campaign.winner_variant is not None
        and campaign.winner_checkpoint >= campaign.snapshot_checkpoint
    )
    if main_done and winner_done and campaign.fanout_done_at is None:
        campaign.fanout_done_at = clock.now()
        _refresh_planner_statistics(session, campaign)
    campaign.batches += 1
    campaign.updated_at = clock.now()
    session.add(campaign)
    more = not campaign.snapshot_done or (
        campaign.status == CampaignStatus.RUNNING
        and (
            campaign.send_checkpoint < campaign.snapshot_checkpoint
            or (
                campaign.winner_variant is not None
                and campaign.winner_checkpoint < campaign.snapshot_checkpoint
            )
        )
    )
    if more:
        broker.enqueue_after_commit(session, LOOP_ACTOR, campaign.id)
    return more
