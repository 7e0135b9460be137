"""Concurrent writers of outbox rows never deadlock (issue 21: six send batches lost their
write-back to PostgreSQL deadlocks in the 30-minute soak): two real transactions on their own
connections, overlapping rows, the second started while the first holds what its first
locking statement took, then the first let go on."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from psycopg.errors import DeadlockDetected
from sqlmodel import Session, col, select

from plugin import clock
from plugin.db import get_engine
from plugin.delivery import claims, sender, service
from plugin.delivery.claims import SendOutcome
from plugin.delivery.models import MessageStatus, OutboundMessage
from plugin.delivery.policy import Decision, Row
from plugin.whatsapp.errors import Disposition, ErrorClass
from plugin.whatsapp.statuses import StatusUpdate
from tests.delivery.test_policy import enqueue

pytestmark = pytest.mark.postgres_only

Work = Callable[[Session], Any]


def _takes_locks(statement: str) -> bool:
    text = statement.lstrip().upper()
    return "OUTBOUND_MESSAGE" in text and (text.startswith("UPDATE") or "FOR UPDATE" in text)


def _run(
    work: Work,
    errors: list[BaseException],
    *,
    pid: list[int] | None = None,
    locked: threading.Event | None = None,
    go_on: threading.Event | None = None,
) -> None:
    """`work` in its own transaction on its own connection; with `locked`, it stops after its
    first statement that locks outbox rows until `go_on` is set."""
    try:
        with Session(get_engine()) as session:
            if pid is not None:
                pid.append(int(session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()))
            if locked is not None and go_on is not None:

                def pause(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
                    if not locked.is_set() and _takes_locks(statement):
                        locked.set()
                        go_on.wait(20)

                sa.event.listen(session.connection(), "after_cursor_execute", pause)
            work(session)
            session.commit()
    except BaseException as exc:  # reported by the test
        errors.append(exc)


def _interleave(first: Work, second: Work) -> tuple[list[BaseException], bool]:
    """`first` takes its first locks; `second` runs until it waits for a lock (or ends); then
    `first` goes on. Returns what either raised, and whether `second` waited for `first`."""
    errors: list[BaseException] = []
    locked, go_on, pid = threading.Event(), threading.Event(), []
    one = threading.Thread(
        target=_run, args=(first, errors), kwargs={"locked": locked, "go_on": go_on}
    )
    one.start()
    assert locked.wait(20), "the first writer never locked outbox rows"
    two = threading.Thread(target=_run, args=(second, errors), kwargs={"pid": pid})
    two.start()
    waited = False
    with get_engine().connect() as watcher:
        deadline = time.monotonic() + 10
        while two.is_alive() and time.monotonic() < deadline:
            waiting = watcher.execute(
                sa.text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :p"),
                {"p": pid[0] if pid else -1},
            ).scalar()
            watcher.rollback()
            if waiting == "Lock":
                waited = True
                break
            time.sleep(0.02)
    go_on.set()
    one.join(30)
    two.join(30)
    assert not one.is_alive() and not two.is_alive()
    return errors, waited


def _claimed_rows(world: Any, make_contacts: Any, n: int) -> list[int]:
    """n transactional rows claimed for sending (`sending`, with a lease), committed."""
    ids = [
        enqueue(world, cid, key=f"lock-{cid}", marketing=False).id
        for cid in make_contacts(n, consents=("transactional",))
    ]
    rows = claims.claim(world.session, ids=ids, now=clock.now())
    world.session.commit()
    assert sorted(r.id for r in rows) == sorted(ids)
    return sorted(ids)


def _rows(session: Session, ids: list[int]) -> dict[int, OutboundMessage]:
    found = session.exec(select(OutboundMessage).where(col(OutboundMessage.id).in_(ids)))
    return {int(r.id or 0): r for r in found}


def test_a_write_back_and_metas_statuses_for_the_same_rows_do_not_deadlock(
    world, make_contacts, sandbox
):
    # given three claimed rows: Meta took the first and the third, the second's answer timed
    # out (it may have been sent: `unknown`), and Meta's statuses for the second and the third
    # (naming their rows in biz_opaque_callback_data) arrive while the results are written
    r1, r2, r3 = _claimed_rows(world, make_contacts, 3)
    rows = _rows(world.session, [r1, r2, r3])

    def decision(row_id: int) -> Decision:
        row = rows[row_id]
        fields = {name: getattr(row, name) for name in Row.__dataclass_fields__}
        return Decision(row=Row(**fields), outcome="send")

    outcomes = [
        SendOutcome(decision(r1), wamid="wamid.one"),
        SendOutcome(decision(r2), error=ErrorClass(Disposition.OUTCOME_UNKNOWN)),
        SendOutcome(decision(r3), wamid="wamid.three"),
    ]
    at = clock.now() - timedelta(seconds=1)
    statuses = [
        StatusUpdate("wamid.two", "sent", at, biz_opaque_callback_data=f"ulak:{r2}"),
        StatusUpdate("wamid.three", "delivered", at, biz_opaque_callback_data=f"ulak:{r3}"),
    ]

    def write_back(session: Session) -> None:
        claims.record_results(session, outcomes, now=clock.now())

    def apply_statuses(session: Session) -> None:
        service.apply_statuses(session, updates=statuses, store_id=world.store_id)

    # when the write-back holds its first rows and the statuses are applied meanwhile
    errors, waited = _interleave(write_back, apply_statuses)
    # then the statuses waited for the rows the write-back held, neither transaction was
    # rolled back, and every row ends where both writes take it
    assert waited
    assert errors == []
    world.session.expire_all()
    final = {i: (r.status, r.wamid) for i, r in _rows(world.session, [r1, r2, r3]).items()}
    assert final == {
        r1: (MessageStatus.SENT, "wamid.one"),
        r2: (MessageStatus.SENT, "wamid.two"),
        r3: (MessageStatus.DELIVERED, "wamid.three"),
    }


def _deadlock() -> sa.exc.OperationalError:
    return sa.exc.OperationalError("UPDATE outbound_message …", {}, DeadlockDetected("deadlock"))


def test_a_send_batch_chosen_as_deadlock_victim_writes_again_and_sends_nothing_twice(
    world, make_contacts, sandbox, monkeypatch
):
    # given two due rows, and a PostgreSQL that picks the batch's claim and its write-back as
    # deadlock victims once each
    ids = [
        enqueue(world, cid, key=f"victim-{cid}", marketing=False).id
        for cid in make_contacts(2, consents=("transactional",))
    ]
    calls = {"claim": 0, "record_results": 0}
    for name in calls:
        real = getattr(claims, name)

        def once(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls[_name] += 1
            result = _real(*args, **kwargs)
            if calls[_name] == 1:
                raise _deadlock()
            return result

        monkeypatch.setattr(claims, name, once)
    # when the batch is sent
    totals = sender.send_batch(message_ids=ids)
    # then both transactions ran again, each row was sent once and its result written
    assert calls == {"claim": 2, "record_results": 2}
    assert totals["sent"] == 2
    world.session.expire_all()
    rows = _rows(world.session, ids)
    assert {r.status for r in rows.values()} == {MessageStatus.SENT}
    assert all(r.wamid for r in rows.values())
    assert sandbox.total() == 2
