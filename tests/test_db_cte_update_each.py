"""Per-row UPDATEs sent as one statement (plugin.db_cte.update_each): on PostgreSQL one
`UPDATE … FROM` the rows as one JSON parameter, elsewhere executemany; either way each row ends
as its own UPDATE would leave it: NULLs, times with their zone, booleans, quotes and
non-ASCII text, and expressions of the row's old values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from plugin import db_cte
from plugin.db import get_engine
from plugin.delivery.models import OutboundMessage
from tests.factories import make_contact, make_store
from tests.support import QueryCounter

T: Any = OutboundMessage.__table__  # type: ignore[attr-defined]
AT = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
TYPES = {
    "b_id": T.c.id.type,
    "b_status": T.c.status.type,
    "b_message": T.c.error_message.type,
    "b_read": T.c.read_at.type,
    "b_billable": T.c.billable.type,
    "b_attempts": T.c.attempts.type,
}


def _rows(session: Session, n: int) -> list[int]:
    store = make_store(session)
    contact = make_contact(session, store)
    ids = []
    for i in range(n):
        message = OutboundMessage(
            store_id=store.id,  # type: ignore[arg-type]
            contact_id=contact.id,  # type: ignore[arg-type]
            purpose="transactional",
            kind="order_update",
            idempotency_key=f"update-rows:{i}",
            status="sending",
            error_message="old",
            attempts=2,
        )
        session.add(message)
        session.flush()
        ids.append(int(message.id or 0))
    session.commit()
    return ids


def _statement(value: Any) -> Any:
    return (
        sa.update(T)
        .where(T.c.id == value("b_id"))
        .values(
            status=value("b_status"),
            error_message=sa.func.coalesce(value("b_message"), T.c.error_message),
            read_at=value("b_read"),
            billable=value("b_billable"),
            attempts=T.c.attempts + value("b_attempts"),
        )
    )


@pytest.mark.sqlite
def test_each_row_ends_as_its_own_update_would_leave_it(session: Session) -> None:
    first, second, third = _rows(session, 3)
    rows = [
        {
            "b_id": first,
            "b_status": "sent",
            "b_message": 'Ödeme "alındı"; \\ ğüşıöç',
            "b_read": AT + timedelta(hours=3),
            "b_billable": True,
            "b_attempts": 1,
        },
        {
            "b_id": second,
            "b_status": "failed",
            "b_message": None,  # coalesce keeps the old text
            "b_read": None,
            "b_billable": False,
            "b_attempts": 0,
        },
    ]
    with QueryCounter(get_engine()) as queries:
        db_cte.update_each(session, rows, types=TYPES, statement=_statement)
    session.commit()
    if get_engine().dialect.name == "postgresql":
        assert queries.count == 1  # one statement for the rows, not one per row
    got = {
        r.id: r
        for r in session.execute(
            sa.select(
                T.c.id, T.c.status, T.c.error_message, T.c.read_at, T.c.billable, T.c.attempts
            )
        ).all()
    }
    assert got[first].status == "sent"
    assert got[first].error_message == 'Ödeme "alındı"; \\ ğüşıöç'
    assert got[first].read_at == AT + timedelta(hours=3)
    assert got[first].billable is True
    assert got[first].attempts == 3
    assert (got[second].status, got[second].error_message) == ("failed", "old")
    assert got[second].read_at is None
    assert got[second].billable is False
    assert got[second].attempts == 2
    assert (got[third].status, got[third].error_message, got[third].attempts) == (
        "sending",
        "old",
        2,
    )


@pytest.mark.sqlite
def test_no_rows_writes_nothing(session: Session) -> None:
    with QueryCounter(get_engine()) as queries:
        db_cte.update_each(session, [], types=TYPES, statement=_statement)
    assert queries.count == 0
