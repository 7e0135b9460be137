"""A batch's writes composed into one statement (plugin.db_compose): on PostgreSQL the writes an
owner hands over are sent together when the batch ends, leaving the rows their statements one
after the other would leave; a statement of the batch in between sends them first; outside a
batch (and on SQLite) the owner writes at once."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from plugin import db_compose
from plugin.contacts.models import Contact, ContactOrder
from plugin.db import batch_scope, get_engine
from tests.factories import make_store
from tests.support import QueryCounter

CONTACTS: Any = Contact.__table__  # type: ignore[attr-defined]
ORDERS: Any = ContactOrder.__table__  # type: ignore[attr-defined]
AT = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def _contacts(session: Session, store_id: int, n: int) -> list[int]:
    rows = [Contact(store_id=store_id, phone_e164=f"+9053211122{i:02}") for i in range(n)]
    session.add_all(rows)
    session.commit()
    return [int(r.id or 0) for r in rows]


def _stored(sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with get_engine().connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql), params).all()]


def _order(store_id: int, contact_id: int, order_id: str, **values: Any) -> dict[str, Any]:
    row = {
        "store_id": store_id,
        "contact_id": contact_id,
        "order_id": order_id,
        "created_at": AT,
        "total": Decimal("12.50"),
        "currency": "TRY",
        "status": "UNFULFILLED",
        "counts": True,
        "product_ids": ["p1"],
        "skus": [],
        "category_slugs": [],
        "counted_at": None,
        "cancelled": False,
        "recorded_at": AT,
    }
    return {**row, **values}


@pytest.mark.postgres_only
def test_a_batchs_writes_go_in_one_statement_with_the_rows_each_would_leave(
    session: Session,
) -> None:
    # given stored contacts and an order row
    store = make_store(session)
    assert store.id is not None
    a, b = _contacts(session, store.id, 2)
    session.execute(sa.insert(ORDERS), [_order(store.id, a, "gone")])
    session.commit()
    with QueryCounter(get_engine()) as queries:
        with batch_scope(session):
            # when a batch updates both contacts (a JSON value, a time, a NULL), inserts two
            # order rows (JSON lists, a decimal) and deletes the stored one
            kept = [
                db_compose.update_rows(
                    session,
                    CONTACTS,
                    [
                        {
                            "id": a,
                            "first_name": "Ayşe",
                            "total_spent": {"TRY": "10"},
                            "erased_at": AT,
                        },
                        {"id": b, "first_name": None, "total_spent": None, "erased_at": None},
                    ],
                ),
                db_compose.delete_in(session, ORDERS, "order_id", ["gone"]),
                db_compose.insert_rows(
                    session,
                    ORDERS,
                    [
                        _order(store.id, a, "o1"),
                        _order(store.id, b, "o2", product_ids=[], total=Decimal("0.10")),
                    ],
                ),
            ]
            # then nothing is written before the batch ends
            assert kept == [True, True, True]
            assert queries.count == 0
    session.commit()
    # and one statement wrote what the three would have written
    assert queries.count == 1
    assert _stored("SELECT first_name, total_spent::text, erased_at FROM contact ORDER BY id") == [
        ("Ayşe", '{"TRY": "10"}', AT),
        (None, "null", None),
    ]
    assert _stored(
        "SELECT order_id, contact_id, total, product_ids::text FROM contact_order ORDER BY order_id"
    ) == [("o1", a, Decimal("12.50"), '["p1"]'), ("o2", b, Decimal("0.10"), "[]")]


@pytest.mark.postgres_only
def test_a_statement_in_the_batch_finds_the_kept_writes_made(session: Session) -> None:
    # given a batch that keeps a contact's new name
    store = make_store(session)
    assert store.id is not None
    (a,) = _contacts(session, store.id, 1)
    with batch_scope(session):
        db_compose.update_rows(session, CONTACTS, [{"id": a, "first_name": "Kept"}])
        # when the batch reads the contact
        name = session.execute(sa.select(CONTACTS.c.first_name).where(CONTACTS.c.id == a)).one()
        # then it reads the kept value (sent before the read)
        assert name == ("Kept",)
        # and an UPDATE of the same row kept after it is made after it, not lost
        db_compose.update_rows(session, CONTACTS, [{"id": a, "first_name": "Later"}])
    session.commit()
    assert _stored("SELECT first_name FROM contact WHERE id = :a", a=a) == [("Later",)]


@pytest.mark.postgres_only
def test_a_kept_write_short_of_its_rows_fails_the_batch(session: Session) -> None:
    # given a contact and a batch expecting to update it and a contact that does not exist
    store = make_store(session)
    assert store.id is not None
    (a,) = _contacts(session, store.id, 1)
    with pytest.raises(RuntimeError, match="taken by another writer"), batch_scope(session):
        rows = [{"id": a, "first_name": "X"}, {"id": a + 1000, "first_name": "Y"}]
        db_compose.update_rows(session, CONTACTS, rows, expect="taken by another writer")
    session.rollback()
    # then nothing of it is stored
    assert _stored("SELECT first_name FROM contact WHERE id = :a", a=a) == [(None,)]


@pytest.mark.postgres_only
def test_reserved_ids_are_handed_out_once_in_increasing_order(session: Session) -> None:
    make_store(session)
    with batch_scope(session):
        db_compose.reserve(session, {ORDERS: 3})
        first = db_compose.take_ids(session, ORDERS, 2)
        second = db_compose.take_ids(session, ORDERS, 1)
        # then a take beyond what is reserved gets none (the caller inserts with RETURNING)
        assert db_compose.take_ids(session, ORDERS, 1) is None
    assert first is not None and second is not None
    assert first == sorted(first) and second[0] > first[-1]


@pytest.mark.sqlite
def test_outside_a_batch_or_on_sqlite_the_owner_writes_at_once(session: Session) -> None:
    store = make_store(session)
    assert store.id is not None
    (a,) = _contacts(session, store.id, 1)
    # outside a batch nothing is kept
    assert not db_compose.update_rows(session, CONTACTS, [{"id": a, "first_name": "N"}])
    postgres = session.get_bind().dialect.name == "postgresql"
    with QueryCounter(get_engine()) as queries, batch_scope(session):
        kept = db_compose.update_rows(session, CONTACTS, [{"id": a, "first_name": "M"}])
        db_compose.insert(session, ORDERS, [_order(store.id, a, "o1")])
        # in a batch on PostgreSQL both are kept; on SQLite the insert is written at once
        during = queries.count
    session.commit()
    assert (kept, during) == ((True, 0) if postgres else (False, 1))
    assert _stored("SELECT count(*) FROM contact_order") == [(1,)]
