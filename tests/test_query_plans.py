"""Reads made on every unit of work or every tick stay bounded as the tables grow (issue 21).

The soak showed four that did not. A unit of work sorted every pending row of its lane to take
500, so it cost more the longer the backlog it was meant to shorten. A batch's read of its
orders' outbox keys scanned the whole outbox, a 100,000-message campaign included. Each tick's
orphan sweep walked the inbox's primary key through every processed row, and its search for
the outbox's lost queue messages read every queued row of a running campaign. Each test gives
PostgreSQL tables of the shape that showed the problem, with statistics taken, and reads the
plan it runs (EXPLAIN ANALYZE): what it reads, not how long that takes on this machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from plugin import clock
from plugin.db import batch_scope
from plugin.delivery import outbox_memo
from plugin.delivery import tick as delivery_tick
from plugin.inbox import service as inbox_service
from plugin.inbox import take
from tests.factories import make_store, queued_campaign_rows

pytestmark = pytest.mark.postgres_only


def _plan(session: Session, statement: Any, params: dict[str, Any]) -> dict[str, Any]:
    compiled = statement.compile(session.get_bind())
    merged = compiled.construct_params(params)
    found = session.connection().exec_driver_sql(
        "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + str(compiled), merged
    )
    plan: dict[str, Any] = found.scalar_one()[0]["Plan"]
    return plan


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _rows_read(plan: dict[str, Any], relation: str) -> int:
    """Rows the plan's scans of `relation` produced or threw away."""
    return sum(
        int(n.get("Actual Rows", 0)) * int(n.get("Actual Loops", 1))
        + int(n.get("Rows Removed by Filter", 0))
        for n in _nodes(plan)
        if n.get("Relation Name") == relation
    )


def _analyze(session: Session, *tables: str) -> None:
    session.commit()
    for table in tables:
        session.connection().exec_driver_sql(f"ANALYZE {table}")


def _inbox(session: Session, store_id: int, *, processed: int, pending: int) -> None:
    """`processed` rows acted on, then `pending` Saleor deliveries of one store waiting, each
    with an order's payload (1.6 kB)."""
    session.connection().exec_driver_sql(
        "INSERT INTO inbox_event (store_id, source, event, dedupe_key, payload, status, "
        "attempts, received_at) SELECT %(store)s, 'saleor', 'ORDER_CREATED', md5(g::text), "
        "repeat('x', 1600), CASE WHEN g <= %(processed)s THEN 'processed' ELSE 'pending' END, "
        "0, now() FROM generate_series(1, %(total)s) g",
        {"store": store_id, "processed": processed, "total": processed + pending},
    )
    _analyze(session, "inbox_event")


def _outbox(session: Session, store_id: int, total: int, **columns: Any) -> None:
    """A campaign's queued outbox rows (tests/factories.py), with statistics taken."""
    queued_campaign_rows(session, store_id, total, **columns)
    _analyze(session, "outbound_message")


def test_a_unit_of_work_under_a_backlog_reads_its_500_rows_not_the_backlog(
    session: Session,
) -> None:
    # given: a store's Saleor lane 6,000 deliveries behind, after 30,000 acted on
    store = make_store(session)
    assert store.id is not None
    _inbox(session, store.id, processed=30_000, pending=6_000)
    # when: a unit of work takes the lane's earliest 500
    plan = _plan(
        session,
        take._one_statement(500, True),
        {"ids": [1], "lane_store": store.id, "lane_source": "saleor"},
    )
    # then: it read those 500 in the index's order, sorting nothing
    assert plan["Actual Rows"] == 500
    assert _rows_read(plan, "inbox_event") <= 510  # the 500, and the message's own ids
    assert not [n for n in _nodes(plan) if n["Node Type"] == "Sort"]


def test_the_tick_finds_lost_deliveries_without_reading_the_processed_ones(
    session: Session,
) -> None:
    # given: 20,000 deliveries acted on and 200 just recorded (none lost)
    store = make_store(session)
    assert store.id is not None
    _inbox(session, store.id, processed=20_000, pending=200)
    # when: the tick looks for deliveries whose queue message was lost (30 s ago)
    plan = _plan(session, inbox_service.orphans_query(clock.now() - timedelta(seconds=30)), {})
    # then: it finds none and reads none of the 20,200 rows
    assert plan["Actual Rows"] == 0
    assert _rows_read(plan, "inbox_event") == 0


def test_a_batch_reads_its_orders_outbox_keys_without_scanning_a_campaigns_rows(
    session: Session,
) -> None:
    # given: an outbox holding a 30,000-message campaign, 1,500 order updates and 1,500 cart
    # recovery messages
    store = make_store(session)
    assert store.id is not None
    _outbox(
        session,
        store.id,
        33_000,
        order_id="CASE WHEN g > 31500 THEN 'T3JkZXI6' || g END",
        checkout_id="CASE WHEN g BETWEEN 30001 AND 31500 THEN 'Q2hlY2tvdXQ6' || g END",
    )
    # when: a batch of events reads the keys of its 40 orders' and 40 checkouts' rows
    orders = [f"T3JkZXI6{g}" for g in range(31_501, 31_541)]
    checkouts = [f"Q2hlY2tvdXQ6{g}" for g in range(30_001, 30_041)]
    with batch_scope(session):
        reader = outbox_memo.keys_reads(
            session, store_id=store.id, checkout_ids=checkouts, order_ids=orders
        )
        read = next(reader)
        plan = _plan(session, read.statement, read.params or {})
    # then: it reads the 80 rows it asked about, and no row of the campaign's
    assert plan["Actual Rows"] == 80
    assert _rows_read(plan, "outbound_message") <= 80
    assert not [n for n in _nodes(plan) if n["Node Type"] == "Seq Scan"]


def test_the_tick_finds_the_outboxs_lost_messages_without_reading_a_campaigns_queued_rows(
    session: Session,
) -> None:
    # given: a campaign's 30,000 rows queued a moment ago, and 20 queued five minutes ago whose
    # queue message was lost
    store = make_store(session)
    assert store.id is not None
    _outbox(session, store.id, 20, queued_at="now() - interval '5 minutes'")
    _outbox(session, store.id, 30_000, first=21)
    # when: the tick looks for queued rows whose message was lost (30 s ago)
    now = clock.now()
    plan = _plan(session, delivery_tick.orphans_query(now - timedelta(seconds=30), now), {})
    # then: it finds the 20 and reads no row of the campaign's
    assert plan["Actual Rows"] == 20
    assert _rows_read(plan, "outbound_message") <= 20
    assert not [n for n in _nodes(plan) if n["Node Type"] == "Seq Scan"]


def test_the_reads_of_an_empty_store_are_no_different(session: Session) -> None:
    # an empty lane: the take returns nothing, and the sweep nothing
    store = make_store(session)
    assert store.id is not None
    _analyze(session, "inbox_event")
    found = session.execute(
        take._one_statement(500, True),
        {"ids": [1], "lane_store": store.id, "lane_source": "saleor"},
    ).all()
    assert found == []
    assert session.execute(inbox_service.orphans_query(clock.now())).all() == []
    assert session.execute(sa.select(sa.literal(1))).scalar_one() == 1
