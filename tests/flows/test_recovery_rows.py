"""The recovery rows of a batch's checkouts: created when unknown and read back in one
statement, and changed within a run of events in the run's one UPDATE."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from plugin.db import batch_scope, deferred_updates, get_engine
from plugin.flows import recovery
from plugin.flows.models import CheckoutState, TrackedCheckout
from tests.factories import make_store
from tests.support import QueryCounter

pytestmark = pytest.mark.sqlite


def _stored(checkout_id: str) -> tuple[str, int, str | None]:
    with get_engine().connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT state, sequence, stop_reason FROM tracked_checkout WHERE checkout_id = :c"
            ),
            {"c": checkout_id},
        ).one()
    return row[0], row[1], row[2]


def test_a_batch_creates_and_reads_its_checkouts_rows_in_one_statement(session: Session) -> None:
    # given a store that already tracks one checkout, further along its recovery
    store = make_store(session)
    assert store.id is not None
    session.add(
        TrackedCheckout(
            store_id=store.id, checkout_id="known", lines_count=2, sequence=3, stop_reason="x"
        )
    )
    session.commit()
    session.expunge_all()
    # when a batch asks for it and for an unknown one (twice, in any order)
    with QueryCounter(get_engine()) as queries, batch_scope(session):
        rows = recovery.track_all(session, store_id=store.id, checkout_ids=["new", "known", "new"])
        again = recovery.tracked(session, store_id=store.id, checkout_id="known")
    # then one statement created the unknown row and returned both, the stored one unchanged
    assert queries.count == 1
    assert set(rows) == {"new", "known"}
    assert (rows["known"].lines_count, rows["known"].sequence, rows["known"].stop_reason) == (
        2,
        3,
        "x",
    )
    assert (rows["new"].state, rows["new"].sequence, rows["new"].lines_count) == ("open", 0, 0)
    assert again is rows["known"]
    session.commit()
    assert _stored("new") == ("open", 0, None)
    assert _stored("known") == ("open", 3, "x")


def test_a_runs_changes_to_a_checkout_are_written_when_the_run_ends(session: Session) -> None:
    # given a tracked checkout of a batch
    store = make_store(session)
    assert store.id is not None
    session.commit()
    with QueryCounter(get_engine()) as queries, batch_scope(session):
        tc = recovery.tracked(session, store_id=store.id, checkout_id="c1")
        # when a run of events stops it
        with deferred_updates(session, TrackedCheckout):
            recovery.stop(session, tc, reason="emptied", state=CheckoutState.EMPTY)
            # then the row holds the change and nothing was written to it meanwhile
            assert tc.state == CheckoutState.EMPTY
            assert not [s for s in queries.statements if "UPDATE tracked_checkout" in s]
    # and one statement wrote it: the run's end's UPDATE (on PostgreSQL kept with the batch's
    # other writes and sent as the batch ends, plugin.db_compose)
    assert len([s for s in queries.statements if "UPDATE tracked_checkout" in s]) == 1
    session.commit()
    assert _stored("c1") == ("empty", 0, None)


@pytest.mark.postgres_only
def test_a_stored_checkout_row_stays_locked_until_its_batch_ends(session: Session) -> None:
    # given a tracked checkout one batch has read (and locked) in its transaction
    store = make_store(session)
    assert store.id is not None
    recovery.track_all(session, store_id=store.id, checkout_ids=["held"])
    session.commit()
    with Session(get_engine()) as first, Session(get_engine()) as second:
        recovery.track_all(first, store_id=store.id, checkout_ids=["held", "other"])
        # when another batch asks for the same checkout
        second.execute(sa.text("SET LOCAL lock_timeout = '300ms'"))
        # then it waits for the first one's end
        with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
            recovery.track_all(second, store_id=store.id, checkout_ids=["held"])
        second.rollback()
        first.commit()
        assert recovery.track_all(second, store_id=store.id, checkout_ids=["held"])["held"].id
