"""Independent reads sent as one statement (plugin.db_fold): each reader gets the rows its
SELECT gives alone, in its order and shape (entities as the session's objects), whether the
reads were folded (PostgreSQL) or sent one by one (SQLite, or `alone`)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from plugin import db_fold
from plugin.contacts.models import Contact
from plugin.db import get_engine
from tests.factories import make_store
from tests.support import QueryCounter

pytestmark = pytest.mark.sqlite


def _seed(session: Session) -> tuple[int, list[int]]:
    store = make_store(session)
    assert store.id is not None
    rows = [
        Contact(store_id=store.id, phone_e164=f"+9053211133{i:02}", first_name=f"N{i}")
        for i in range(4)
    ]
    session.add_all(rows)
    session.commit()
    return store.id, [int(r.id or 0) for r in rows]


def _readers(store_id: int, ids: list[int], answers: dict[str, Any]) -> list[db_fold.Reader]:
    def entities() -> db_fold.Reader:
        query = select(Contact).where(col(Contact.id).in_(ids[:3])).order_by(col(Contact.id).desc())
        answers["entities"] = [c for (c,) in (yield db_fold.Read(query))]

    def columns() -> db_fold.Reader:
        table: Any = Contact.__table__  # type: ignore[attr-defined]
        query = (
            sa.select(table.c.id, table.c.first_name)
            .where(table.c.store_id == sa.bindparam("store_id"))
            .order_by(table.c.id)
        )
        answers["columns"] = list((yield db_fold.Read(query, {"store_id": store_id})))
        # a second step: read after the first answers
        last = answers["columns"][-1][0]
        answers["second"] = list(
            (yield db_fold.Read(sa.select(table.c.first_name).where(table.c.id == last)))
        )

    def nothing() -> db_fold.Reader:
        return
        yield db_fold.Read(sa.select(sa.literal(1)))  # pragma: no cover

    return [entities(), columns(), nothing()]


def test_folded_reads_answer_as_each_read_alone(session: Session) -> None:
    # given contacts, and the answers of three readers run one read at a time
    store_id, ids = _seed(session)
    if session.get_bind().dialect.name == "postgresql":  # timestamps come back in +03:00
        session.execute(sa.text("SET LOCAL TIME ZONE 'Europe/Istanbul'"))
    alone: dict[str, Any] = {}
    db_fold.alone(session, *_readers(store_id, ids, alone))
    session.expunge_all()
    # when the same readers run together
    together: dict[str, Any] = {}
    with QueryCounter(get_engine()) as queries:
        db_fold.together(session, _readers(store_id, ids, together))
    # then each got the same rows, in its order and shape
    assert [c.id for c in together["entities"]] == [ids[2], ids[1], ids[0]]
    assert [c.model_dump() for c in together["entities"]] == [
        c.model_dump() for c in alone["entities"]
    ]
    # (a UTC timestamp column is read as UTC, as alone: plugin.db.UTCDateTime's processing)
    stamps = [(c.created_at, c.created_at.tzinfo) for c in together["entities"]]
    assert stamps == [(c.created_at, UTC) for c in alone["entities"]]
    assert together["columns"] == alone["columns"] == [(i, f"N{n}") for n, i in enumerate(ids)]
    assert together["second"] == alone["second"] == [("N3",)]
    # and the entities are the session's, as loaded (stored, no change pending)
    contact = together["entities"][0]
    assert session.get(Contact, ids[2]) is contact
    assert contact not in session.dirty
    # on PostgreSQL the first step's two reads were one statement
    folded = session.get_bind().dialect.name == "postgresql"
    assert queries.count == (2 if folded else 3)


def test_a_read_with_populate_existing_refreshes_the_sessions_object(session: Session) -> None:
    # given a contact the session holds, changed since by a statement (its object not told)
    store_id, ids = _seed(session)
    held = session.get(Contact, ids[0])
    assert held is not None
    session.execute(sa.text("UPDATE contact SET first_name = 'New' WHERE id = :i"), {"i": ids[0]})
    assert held.first_name == "N0"
    seen: dict[str, Any] = {}

    def fresh() -> db_fold.Reader:
        query = (
            select(Contact).where(Contact.id == ids[0]).execution_options(populate_existing=True)
        )
        seen["fresh"] = [c for (c,) in (yield db_fold.Read(query))]

    def other() -> db_fold.Reader:
        seen["other"] = list((yield db_fold.Read(sa.select(sa.literal(store_id)))))

    # when a reader asks for it again with populate_existing, folded with another read
    db_fold.together(session, [fresh(), other()])
    # then it gets the session's object, with the stored value
    assert seen["fresh"] == [held]
    assert held.first_name == "New"
    assert seen["other"] == [(store_id,)]
