"""A batch's contacts, read and created before its events are acted on (contacts.service acts
on each event as it would alone and finds them here).

Acting on events one by one reads the contact behind each payload and inserts the new ones a
row at a time. For a batch the reads are one query and the inserts one statement: every
contact the events would insert whose event can be told up front (a new number; a person known
by email or user id only whom the batch names first). The rules of which contact a payload
maps to stay in contacts.service; this module only creates, before the events run, the rows
those rules would have them insert.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session

from plugin.contacts import batch as contacts_batch
from plugin.contacts import suppression
from plugin.contacts.identity import Identity
from plugin.contacts.models import Contact, PhoneStatus
from plugin.contacts.phones import PhoneResult, normalize_phone
from plugin.contacts.suppression import is_suppressed
from plugin.db import batch_memo, insert_ignoring_conflicts
from plugin.rows import OneOf, insert_rows
from plugin.stores.service import get_settings

# What `Contact` columns hold at most (longer values are cut when stored, so a lookup by the
# full value would not find the stored one).
_EMAIL_MAX, _USER_MAX = 254, 100


def pick_phone(identity: Identity, region: str) -> tuple[PhoneResult, str | None]:
    """The first valid number; else the first typed one with its reason."""
    first_bad: tuple[PhoneResult, str | None] | None = None
    for raw in identity.phones:
        result = normalize_phone(raw, region=identity.country or region)
        if result.valid:
            return result, raw
        if result.status is PhoneStatus.INVALID and first_bad is None:
            first_bad = (result, raw)
    return first_bad or (normalize_phone(None, region=region), None)


def by_phone_memo(session: Session) -> dict[tuple[int, str], Contact | None] | None:
    """In a batch: (store id, number) -> its contact or None, for the numbers prefetched and
    every contact given a number since (upsert and insert keep it right)."""
    memo = batch_memo(session)
    if memo is None:
        return None
    found: dict[tuple[int, str], Contact | None] = memo.setdefault("contacts.by_phone", {})
    return found


def remember(session: Session, contact: Contact) -> None:
    """The batch holds `contact` (and knows it by its number)."""
    contacts_batch.remember(session, contact)
    memo = by_phone_memo(session)
    if memo is not None and contact.phone_e164:
        memo[(contact.store_id, contact.phone_e164)] = contact


_COLUMNS = [c.name for c in Contact.__table__.columns if c.name != "id"]  # type: ignore[attr-defined]
_FIELDS = [(name, Contact.model_fields[name]) for name in _COLUMNS if name != "store_id"]


def values(contact: Contact) -> dict[str, Any]:
    """A new contact's row, every column but the id."""
    return {name: getattr(contact, name) for name in _COLUMNS}


def new_row(store_id: int, **given: Any) -> dict[str, Any]:
    """The row `values(Contact(store_id=…, **given))` gives, without building the model: its
    validation cost about 0.2 ms a contact, more than the rest of creating it."""
    row = {name: field.get_default(call_default_factory=True) for name, field in _FIELDS}
    row.update(given, store_id=store_id)
    return row


def region(session: Session, store_id: int) -> str:
    """The store's default region (numbers written without +CC), read once per batch."""
    memo = batch_memo(session)
    regions: dict[int, str] = {} if memo is None else memo.setdefault("contacts.region", {})
    if store_id not in regions:
        regions[store_id] = get_settings(session, store_id).default_region
    return regions[store_id]


def insert_statement(session: Session) -> Any:
    """INSERT of contacts (a number already taken: nothing), returning the new ones. NULLs are
    sent as values, so rows with and without a number go in one statement."""
    return (
        insert_ignoring_conflicts(session, Contact)
        .on_conflict_do_nothing(index_elements=["store_id", "phone_e164"])
        .returning(Contact)
        .execution_options(render_nulls=True)
    )


def prefetch(session: Session, *, store_id: int, identities: Iterable[Identity]) -> None:
    """Batch form of the reads `upsert_contact` makes per payload: the batch's contacts loaded
    and its numbers checked against the suppression list in one query, kept in the batch
    memo; then the contacts its events would insert, in one statement (outside a batch:
    nothing)."""
    memo = by_phone_memo(session)
    if memo is None:
        return
    identities = list(identities)
    default = region(session, store_id)
    picked = [pick_phone(identity, default) for identity in identities]
    phones = {result.e164 for result, _ in picked if result.e164 is not None}
    phones -= {phone for (store, phone) in memo if store == store_id}
    users = {i.saleor_user_id for i in identities if i.saleor_user_id}
    emails = {i.email for i in identities if i.email}
    unchecked = suppression.unchecked(session, store_id=store_id, phones=phones)
    if not (phones or users or emails):
        return
    rows = _read(session, store_id, phones, users, emails, unchecked)
    contacts_batch.remember(session, *rows)
    contacts_batch.note_loaded(session, store_id, "saleor_user_id", users)
    contacts_batch.note_loaded(session, store_id, "email", emails)
    found = {row.phone_e164: row for row in rows if row.phone_e164 in phones}
    for phone in phones:
        memo[(store_id, phone)] = found.get(phone)
    new = _new_numbers(session, store_id, identities, picked)
    new += _new_without_number(session, store_id, identities, picked)
    for contact in insert_rows(session, insert_statement(session), new).scalars() if new else ():
        remember(session, contact)
        contacts_batch.note_created(session, contact.id)


@cache
def _read_statement(suppressed: bool) -> Any:
    """`_read`'s SELECT, built once per shape (only its parameters change): the contacts, and
    with `suppressed` the suppressed hashes as rows without a contact."""
    table: Any = Contact.__table__  # type: ignore[attr-defined]
    contacts = sa.select(sa.null().label("suppressed"), *table.c).where(
        table.c.store_id == sa.bindparam("store_id"),
        sa.or_(
            OneOf(table.c.phone_e164, "phones"),
            OneOf(table.c.saleor_user_id, "users"),
            OneOf(table.c.email, "emails"),
        ),
    )
    query: Any = contacts
    if suppressed:
        hashes = suppression.suppressed_hashes().subquery()
        query = sa.union_all(
            contacts, sa.select(hashes.c.phone_hash, *(sa.null() for _ in table.c))
        )
    both = query.subquery()
    return sa.select(both.c.suppressed, aliased(Contact, both))


def _read(
    session: Session,
    store_id: int,
    phones: Iterable[str],
    users: Iterable[str],
    emails: Iterable[str],
    unchecked: dict[str, str],
) -> list[Contact]:
    """The store's contacts with one of the numbers, user ids or emails, and (same statement,
    UNION ALL: a row without a contact is a suppressed number's hash) which of the `unchecked`
    numbers are on the suppression list, noted in the batch memo."""
    params = {
        "store_id": store_id,
        "phones": sorted(phones),
        "users": sorted(users),
        "emails": sorted(emails),
    }
    if unchecked:
        params.update(suppression.hash_params(store_id, unchecked))
    found = session.execute(_read_statement(bool(unchecked)), params).all()
    suppressed = {unchecked[h] for h, contact in found if h is not None}
    suppression.note_checked(
        session, store_id=store_id, phones=unchecked.values(), suppressed=suppressed
    )
    return [contact for h, contact in found if h is None]


def _new_numbers(
    session: Session,
    store_id: int,
    identities: list[Identity],
    picked: list[tuple[PhoneResult, str | None]],
) -> list[dict[str, Any]]:
    """The batch's new numbers, whose contacts acting on the events one by one would insert
    too: a number no contact has, not erased, whose first payload names no email or user id
    that a contact without a number has, or that an earlier payload without a number names
    (that contact would be given the number instead). Only the first payload decides: it
    makes the number's contact, and every later one finds it by the number. The events then
    find and fill them in as usual. In number order (the order concurrent batches take the
    unique index's entries in)."""
    memo = by_phone_memo(session)
    assert memo is not None
    held = contacts_batch.without_number(session, store_id)
    emails = {c.email for c in held if c.email}
    users = {c.saleor_user_id for c in held if c.saleor_user_id}
    first: dict[str, tuple[Identity, str | None, bool]] = {}
    for identity, (result, raw) in zip(identities, picked, strict=True):
        if result.e164 is None:
            emails.update([identity.email] if identity.email else ())
            users.update([identity.saleor_user_id] if identity.saleor_user_id else ())
        elif result.e164 not in first:
            named = identity.email in emails or identity.saleor_user_id in users
            first[result.e164] = (identity, raw, named)
    rows = []
    for phone, (_, raw, named) in sorted(first.items()):
        if named or memo.get((store_id, phone), False) is not None:
            continue  # a known number, or one a contact without a number may be given
        if not is_suppressed(session, store_id=store_id, phone_e164=phone):
            rows.append(
                new_row(
                    store_id,
                    phone_e164=phone,
                    phone_raw=(raw or phone)[:64],
                    phone_status=PhoneStatus.VALID,
                )
            )
    return rows


def _new_without_number(
    session: Session,
    store_id: int,
    identities: list[Identity],
    picked: list[tuple[PhoneResult, str | None]],
) -> list[dict[str, Any]]:
    """The contacts without a number the batch's events would insert one by one: a payload
    without a valid number, naming a user id or email that no contact has and no earlier
    payload of the batch names. Its event looks the person up by those two and inserts them;
    created up front, the event finds the row by the same lookups and fills it in, and every
    later payload naming either finds it as it would find the inserted one. No earlier
    payload names them, so none can find the row before its event runs."""
    named_users: set[str] = set()
    named_emails: set[str] = set()
    rows = []
    for identity, (result, _) in zip(identities, picked, strict=True):
        user, email = identity.saleor_user_id or None, identity.email or None
        if (
            result.e164 is None
            and (user or email)
            and user not in named_users
            and email not in named_emails
            and len(user or "") <= _USER_MAX
            and len(email or "") <= _EMAIL_MAX
            and _unmatched(session, store_id, "saleor_user_id", user)
            and _unmatched(session, store_id, "email", email)
        ):
            rows.append(new_row(store_id, saleor_user_id=user, email=email))
        named_users.update([user] if user else ())
        named_emails.update([email] if email else ())
    return rows


def _unmatched(session: Session, store_id: int, column: str, value: str | None) -> bool:
    """True when no contact the batch knows of has `value` in `column` (nothing to match)."""
    if value is None:
        return True
    answered, match = contacts_batch.newest_match(session, store_id, column, value)
    return answered and match is None


def contacts_for_phones(session: Session, *, store_id: int) -> list[Contact]:
    """The store's contacts the running batch holds, for batch reads keyed by contact: those
    known by number, and those found by Saleor user id or email or locked for their orders
    (an event may give one of these a number, a checkout or consent; read later, alone, each
    cost a query and a write of the run's pending changes)."""
    memo = by_phone_memo(session) or {}
    found = {c.id: c for (store, _), c in memo.items() if store == store_id and c is not None}
    for contact in contacts_batch.held(session, store_id):
        found.setdefault(contact.id, contact)
    return list(found.values())
