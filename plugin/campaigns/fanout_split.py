"""A fan-out turn written by two connections at once (PostgreSQL, no plan limit).

Writing a turn's 50,000 snapshot and outbox rows is bound by one backend's CPU and WAL (the
heap, the indexes): on two cores two backends write a turn about 1.6× as fast as one (1M
outbox rows with the outbox's indexes: 16–20 s from one connection, 8–12 s from two, measured
on 2026-12-06, docs/benchmarks.md). Each half of the turn's contact-id range is its own
transaction, committed before the turn's checkpoint moves. A crash in between leaves a half
written and the checkpoint behind it, so the turn is redone: both inserts skip what exists (ON
CONFLICT DO NOTHING), and the turn's totals are counted from the snapshot afterwards rather than
from what each statement inserted, so a redone turn counts each recipient once. No half touches
the campaign's row, whose lock the turn's own transaction keeps, so pause and cancel still wait
for the whole turn.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plugin.campaigns.audience_sql import chunk_end
from plugin.campaigns.models import Campaign, CampaignRecipient

SPLIT_FROM = 20_000  # store contacts in a turn worth a second connection


def turn_settings() -> list[sa.TextClause]:
    """Each turn planned with its own bounds and constants (psycopg prepares a statement run
    five times, and a generic plan would guess the id range and re-parse constants per row);
    the chunk is kept in memory."""
    return [
        sa.text("SET LOCAL plan_cache_mode = force_custom_plan"),
        sa.text("SET LOCAL work_mem = '64MB'"),
    ]


def ranges(
    session: Session, campaign: Campaign, *, size: int, end: int | None, limit: int | None
) -> list[tuple[int, int | None]] | None:
    """The turn's two contact-id ranges, or None when it is written by one statement: a plan
    limit (the first N of the audience by contact id is one ordered statement), a small turn,
    or a session bound to a connection rather than the engine (a caller's open transaction
    that other connections cannot see)."""
    if limit is not None or size < SPLIT_FROM or not isinstance(session.get_bind(), sa.Engine):
        return None
    mid = chunk_end(session, campaign, size // 2)
    if mid is None or (end is not None and mid >= end):
        return None
    return [(campaign.snapshot_checkpoint, mid), (mid, end)]


def write(session: Session, statements: list[Any]) -> None:
    """Run each statement in its own transaction on its own connection, at once; an error in
    either is raised here (the other may have committed: the turn is then redone)."""
    engine = session.get_bind()
    assert isinstance(engine, sa.Engine)

    def run(statement: Any) -> None:
        with engine.begin() as conn:
            for setting in turn_settings():
                conn.execute(setting)
            conn.execute(statement)

    with ThreadPoolExecutor(max_workers=len(statements)) as pool:
        for future in [pool.submit(run, s) for s in statements]:
            future.result()


def totals(session: Session, campaign: Campaign, end: int | None) -> tuple[Any, int, int, int]:
    """The turn's last contact, recipients, holdouts and outbox rows, read from the snapshot:
    a recipient has an outbox row when it is neither in the holdout nor waiting for the A/B
    winner (the fan-out's own condition), and both were written in the same statement."""
    r: Any = CampaignRecipient
    window = [r.campaign_id == campaign.id, r.contact_id > campaign.snapshot_checkpoint]
    if end is not None:
        window.append(r.contact_id <= end)
    sent = sa.and_(r.holdout.is_(False), r.variant.is_not(None), r.variant != "")
    last, taken, held, written = session.execute(
        sa.select(
            sa.func.max(r.contact_id),
            sa.func.count(),
            sa.func.count(sa.case((r.holdout.is_(True), 1))),
            sa.func.count(sa.case((sent, 1))),
        ).where(*window)
    ).one()
    return last, int(taken), int(held), int(written)
