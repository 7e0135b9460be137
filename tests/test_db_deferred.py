"""A run's deferred writes (plugin.db_compose `deferring`, `later`) and the deferred row updates
built on them (plugin.db.deferred_updates): a run of events changes many stored contacts, and
what it changes reaches the database once, in one statement per table, when the run ends —
never in the middle, however often a query autoflushes — or when a reader asks for it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from plugin import db_compose
from plugin.contacts.models import Contact
from plugin.db import deferred_updates, get_engine, set_deferred, write_deferred
from tests.factories import make_store
from tests.support import QueryCounter

pytestmark = pytest.mark.sqlite


def _stored(contact_id: int) -> tuple[str | None, str | None]:
    with get_engine().connect() as conn:
        row = conn.execute(
            sa.text("SELECT first_name, email FROM contact WHERE id = :i"), {"i": contact_id}
        ).one()
    return row[0], row[1]


def _stored_contacts(session: Session, store_id: int | None, count: int) -> list[Contact]:
    contacts = [
        Contact(store_id=store_id, phone_e164=f"+90532111220{i}", first_name="Old")
        for i in range(count)
    ]
    session.add_all(contacts)
    session.commit()
    return contacts


def test_changes_to_stored_rows_are_written_once_when_the_block_ends(session: Session) -> None:
    # given three stored contacts
    store = make_store(session)
    contacts = _stored_contacts(session, store.id, 3)
    ids = [c.id for c in contacts]
    # when a block changes each of them between queries that autoflush
    with QueryCounter(get_engine()) as queries, deferred_updates(session, Contact):
        for i, contact in enumerate(contacts):
            contact.first_name = f"New{i}"
            if i == 1:
                contact.email = "one@example.com"
            session.exec(select(Contact.id).where(Contact.store_id == store.id)).all()
        # then nothing was written meanwhile, and the objects hold the new values
        assert queries.count == 3
        assert [c.first_name for c in contacts] == ["New0", "New1", "New2"]
    # and the block's end wrote all of them in one statement
    assert queries.count == 4
    assert "UPDATE contact" in queries.statements[-1]
    session.commit()
    assert [_stored(i) for i in ids] == [
        ("New0", None),
        ("New1", "one@example.com"),
        ("New2", None),
    ]


def test_a_reader_writes_the_deferred_changes_first(session: Session) -> None:
    # given a contact changed inside a block
    store = make_store(session)
    contact = Contact(store_id=store.id, phone_e164="+905321112299", email="old@example.com")
    session.add(contact)
    session.commit()
    with deferred_updates(session, Contact):
        contact.email = "new@example.com"
        session.exec(select(Contact.id)).all()  # an autoflush keeps the change
        # when a reader that selects by the changed column writes first
        write_deferred(session)
        found = session.exec(select(Contact.id).where(Contact.email == "new@example.com")).all()
    # then it finds the row by its new value
    assert found == [contact.id]


def test_an_error_in_the_block_writes_nothing(session: Session) -> None:
    # given a stored contact
    store = make_store(session)
    contact = Contact(store_id=store.id, phone_e164="+905321112298", first_name="Old")
    session.add(contact)
    session.commit()
    assert contact.id is not None
    # when a block changes it and then fails
    with pytest.raises(RuntimeError), deferred_updates(session, Contact):
        contact.first_name = "New"
        session.exec(select(Contact.id)).all()
        raise RuntimeError("the batch fails")
    session.rollback()
    # then the stored row is as it was
    assert _stored(contact.id) == ("Old", None)


def test_values_set_into_the_block_are_written_with_its_other_changes(session: Session) -> None:
    # given two stored contacts
    store = make_store(session)
    first, second = _stored_contacts(session, store.id, 2)
    assert first.id is not None and second.id is not None
    # when a block sets values into one row directly and changes the other as usual
    with QueryCounter(get_engine()) as queries, deferred_updates(session, Contact):
        assert set_deferred(session, first, {"first_name": "Set", "email": "set@example.com"})
        assert set_deferred(session, first, {"first_name": "Again"})
        second.first_name = "Changed"
        session.exec(select(Contact.id).where(Contact.store_id == store.id)).all()
        # then the object holds the new values and nothing was written meanwhile
        assert (first.first_name, first.email) == ("Again", "set@example.com")
        assert queries.count == 1
    # and the block's end wrote both rows in one statement
    assert queries.count == 2
    session.commit()
    assert _stored(first.id) == ("Again", "set@example.com")
    assert _stored(second.id) == ("Changed", None)


def test_outside_a_block_set_deferred_sets_nothing(session: Session) -> None:
    store = make_store(session)
    contact = Contact(store_id=store.id, phone_e164="+905321112310", first_name="Old")
    session.add(contact)
    session.commit()
    assert not set_deferred(session, contact, {"first_name": "New"})
    assert contact.first_name == "Old"


def test_a_row_not_stored_yet_is_left_to_the_flush(session: Session) -> None:
    store = make_store(session)
    contact = Contact(store_id=store.id, phone_e164="+905321112311", first_name="Old")
    session.add(contact)
    with deferred_updates(session, Contact):
        assert not set_deferred(session, contact, {"first_name": "New"})
    assert contact.first_name == "Old"


class _Names:
    """A run's owner of contacts' new first names (the last one given wins)."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}

    def write(self, session: Session) -> None:
        rows = [{"id": i, "first_name": n} for i, n in sorted(self.names.items())]
        self.names.clear()
        db_compose.update(session, Contact.__table__, rows)  # type: ignore[attr-defined]


def _updates(queries: QueryCounter) -> list[str]:
    return [s for s in queries.statements if s.startswith("UPDATE contact")]


def test_a_runs_kept_writes_are_made_once_with_the_last_values_when_it_ends(
    session: Session,
) -> None:
    # given two stored contacts
    store = make_store(session)
    first, second = _stored_contacts(session, store.id, 2)
    assert first.id is not None and second.id is not None
    # when a run keeps new names for them, one of them twice, around a read
    with QueryCounter(get_engine()) as queries, db_compose.deferring(session):
        names = db_compose.later(session, _Names)
        assert names is not None and db_compose.later(session, _Names) is names
        names.names[first.id] = "First"
        session.exec(select(Contact.id)).all()
        names.names.update({first.id: "Last", second.id: "Other"})
        # then nothing is written while it runs
        assert _updates(queries) == []
    # and its end wrote them in one statement, each row's last value
    assert len(_updates(queries)) == 1
    session.commit()
    assert [_stored(first.id)[0], _stored(second.id)[0]] == ["Last", "Other"]


def test_a_reader_has_the_runs_kept_writes_made_first(session: Session) -> None:
    # given a run that keeps a contact's new name
    store = make_store(session)
    (contact,) = _stored_contacts(session, store.id, 1)
    with db_compose.deferring(session):
        names = db_compose.later(session, _Names)
        assert names is not None and contact.id is not None
        names.names[contact.id] = "Kept"
        # when a reader that selects by the name asks for them first
        db_compose.send_later(session, _Names)
        found = session.exec(select(Contact.id).where(Contact.first_name == "Kept")).all()
    # then it finds the row by its new name
    assert found == [contact.id]


def test_a_failing_run_writes_nothing_it_kept_and_outside_a_run_nothing_is_kept(
    session: Session,
) -> None:
    # given a stored contact
    store = make_store(session)
    (contact,) = _stored_contacts(session, store.id, 1)
    assert contact.id is not None
    # when a run keeps its new name and then fails
    with pytest.raises(RuntimeError), db_compose.deferring(session):
        names = db_compose.later(session, _Names)
        assert names is not None
        names.names[contact.id] = "New"
        raise RuntimeError("the batch fails")
    session.rollback()
    # then the stored row is as it was, and no run keeps anything now
    assert _stored(contact.id) == ("Old", None)
    assert db_compose.later(session, _Names) is None
