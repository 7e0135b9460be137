"""plugin/rows.py: many rows in one INSERT (PostgreSQL: one parameter per column) and model
objects built without SQLModel's constructor — the same rows and objects as the plain ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.contacts.models import Contact, PhoneStatus
from plugin.contacts.prefetch import insert_statement, new_row
from plugin.db import insert_ignoring_conflicts
from plugin.delivery.models import MessageKind, MessagePurpose, MessageStatus, OutboundMessage
from plugin.rows import OneOf, built, insert_rows
from tests.factories import make_contact, make_store

pytestmark = pytest.mark.sqlite

T = OutboundMessage.__table__  # type: ignore[attr-defined]
# what a JSON column may hold: quotes, backslashes, braces and commas (an array literal's
# syntax), non-ASCII text, nesting, and JSON null
AWKWARD = [
    {"text": 'say "hi", {x}', "path": "C:\\dir\\"},
    {"text": "Çağ ığüş", "list": [1, None, {"a": "b,c"}]},
    None,
    {},
]


def _outbox_rows(store_id: int, contact_id: int, keys: list[str]) -> list[dict[str, object]]:
    now = datetime.now(UTC)
    return [
        {
            "store_id": store_id,
            "contact_id": contact_id,
            "purpose": MessagePurpose.MARKETING.value,
            "kind": MessageKind.CART_RECOVERY.value,
            "idempotency_key": key,
            "parameters": AWKWARD[i % len(AWKWARD)],
            "text": None if i % 2 else 'a "quoted", {braced} text\\',
            "source_type": "flow",
            "due_at": now + timedelta(minutes=i),
            "status": MessageStatus.SCHEDULED.value,
            "created_at": now,
            "updated_at": now,
        }
        for i, key in enumerate(keys)
    ]


def _insert(session: Session, rows: list[dict[str, object]]) -> dict[str, int]:
    stmt = (
        insert_ignoring_conflicts(session, T)
        .on_conflict_do_nothing(index_elements=["store_id", "idempotency_key"])
        .returning(T.c.idempotency_key, T.c.id)
    )
    return {str(key): int(i) for key, i in insert_rows(session, stmt, rows).all()}


def test_insert_rows_stores_every_value_in_order_and_skips_conflicts(session: Session) -> None:
    # given
    store = make_store(session)
    contact = make_contact(session, store)
    assert store.id is not None and contact.id is not None
    keys = [f"rows-{i}" for i in range(6)]
    first = _outbox_rows(store.id, contact.id, keys[:4])
    again = _outbox_rows(store.id, contact.id, keys[2:])  # two stored already
    # when
    ids = _insert(session, first)
    more = _insert(session, again)
    # then
    assert list(ids) == keys[:4] and sorted(ids.values()) == list(ids.values())
    assert list(more) == keys[4:]
    stored = {
        m.idempotency_key: m
        for m in session.exec(select(OutboundMessage).where(OutboundMessage.store_id == store.id))
    }
    assert len(stored) == 6
    for row in first + again[2:]:
        message = stored[str(row["idempotency_key"])]
        assert message.parameters == row["parameters"]
        assert message.text == row["text"]
        assert message.due_at == row["due_at"]
        assert message.status == MessageStatus.SCHEDULED.value


def test_insert_rows_returns_the_entities_of_an_orm_insert(session: Session) -> None:
    # given
    store = make_store(session)
    assert store.id is not None
    phones = ["+905320000001", "+905320000002", "+905320000003"]
    rows = [
        new_row(store.id, phone_e164=p, phone_raw=p, phone_status=PhoneStatus.VALID) for p in phones
    ]
    # when
    created = insert_rows(session, insert_statement(session), rows).scalars().all()
    # then
    assert [c.phone_e164 for c in created] == phones
    assert all(isinstance(c, Contact) and c.id is not None for c in created)
    stored = session.exec(select(Contact.phone_e164).where(Contact.store_id == store.id)).all()
    assert sorted(stored) == phones


def test_a_built_object_equals_the_constructed_one_and_inserts_the_same_row(
    session: Session,
) -> None:
    # given
    store = make_store(session)
    contact = make_contact(session, store)
    values = {
        "store_id": store.id,
        "contact_id": contact.id,
        "purpose": Purpose.MARKETING,
        "action": ConsentAction.GRANTED,
        "source": ConsentSource.CHECKOUT,
        "text": "Evet",
        "occurred_at": datetime.now(UTC),
    }
    # when
    fact = built(ConsentEvent, values)
    session.add(fact)
    session.flush()
    # then
    expected = ConsentEvent(**values)
    assert fact.model_dump(exclude={"id", "recorded_at"}) == expected.model_dump(
        exclude={"id", "recorded_at"}
    )
    session.expire_all()
    row = session.execute(sa.select(ConsentEvent.__table__).where(sa.column("id") == fact.id))
    stored = dict(row.mappings().one())
    assert stored["evidence"] == {} and stored["text"] == "Evet"
    assert stored["action"] == "granted" and stored["iys_exported_at"] is None


def test_one_of_selects_the_rows_whose_value_is_in_the_list(session: Session) -> None:
    # given: more values than psycopg caches a query for (50 parameters)
    store = make_store(session)
    phones = [f"+9053200{i:05d}" for i in range(120)]
    rows = [new_row(store.id, phone_e164=p, phone_raw=p) for p in phones]
    insert_rows(session, insert_statement(session), rows).all()
    table = Contact.__table__  # type: ignore[attr-defined]
    query = sa.select(table.c.phone_e164).where(
        table.c.store_id == store.id, OneOf(table.c.phone_e164, "phones")
    )
    wanted = [*phones[::3], "+905329999999"]
    # when
    found = session.execute(query, {"phones": wanted}).scalars().all()
    none = session.execute(query, {"phones": []}).scalars().all()
    # then
    assert sorted(found) == phones[::3]
    assert none == []
