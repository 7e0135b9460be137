"""The one consent read model (docs/adr/0005-consent-read-model.md): every reader — the send-time
policy, segments, campaign estimates, flows, the admin and the İYS export — asks here. The
rule itself is plugin/consent/rule.py, as SQL and as the in-memory step a batch takes when it
records a fact; here are its in-query, batch and single forms, and the batch's memo.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from plugin import db_fold
from plugin.consent import captures, facts
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.consent.rule import DECIDING_INDEX as DECIDING_INDEX
from plugin.consent.rule import NO_CONSENT as NO_CONSENT
from plugin.consent.rule import TABLE as _TABLE
from plugin.consent.rule import ConsentState as ConsentState
from plugin.consent.rule import deciding_fact, effective, following
from plugin.consent.rule import deciding_id as deciding_id
from plugin.consent.rule import effective_action as effective_action
from plugin.contacts import batch as contacts_batch
from plugin.contacts.models import Contact
from plugin.db import batch_memo, dialect_name
from plugin.rows import OneOf


def took_effect(fact: Any, purpose: Purpose) -> ColumnElement[bool]:
    """SQL condition on a ledger row `fact` (a table or alias): when it occurred it became the
    contact's effective state, as recorded — not a backdated fact under a later revocation,
    not a vouched grant demoted after the customer's own "no" (İYS exports only these)."""
    at = {"contact_id": fact.c.contact_id, "store_id": fact.c.store_id, "as_of": fact.c.occurred_at}
    return sa.and_(
        fact.c.id == deciding_id(purpose, **at),
        fact.c.action == effective_action(purpose, **at),
    )


def allows(purpose: Purpose | str, *, contact_id: Any = None, store_id: Any = None) -> Any:
    """SQL condition: the enclosing query's contact may receive messages of `purpose` now."""
    purpose = Purpose(purpose)
    granted = ConsentAction.GRANTED.value
    kw = {"contact_id": contact_id, "store_id": store_id}
    # never NULL (no fact reads ""), so NOT(allows) means "not allowed" in SQL's logic too
    marketing = sa.func.coalesce(effective_action(Purpose.MARKETING, **kw), "") == granted
    if purpose is Purpose.MARKETING:
        return marketing
    transactional = sa.func.coalesce(effective_action(Purpose.TRANSACTIONAL, **kw), "")
    return sa.or_(
        transactional == granted,
        sa.and_(marketing, transactional != ConsentAction.REVOKED.value),
    )


def decided_at(purpose: Purpose) -> ColumnElement[datetime | None]:
    """SQL: when the deciding fact of `purpose` occurred, for the enclosing query's contact."""
    deciding: sa.Select[Any] = deciding_fact(
        Contact.id, Contact.store_id, purpose, lambda ce: ce.c.occurred_at
    )
    return deciding.scalar_subquery()


def granted_since(since: Any, *, store_id: int) -> ColumnElement[bool]:
    """SQL condition: the enclosing contact may receive marketing now, by a grant that occurred
    at or after `since` (segments' "consented in the last N days"); never NULL.

    The deciding fact of an allowed contact is a grant, so only contacts with a grant since then
    can match: an EXISTS on the ledger's recent grants filters first (PostgreSQL hashes it once
    when it fits in memory, else probes the index), and one deciding-fact probe then answers
    both questions, whether it is recent and whether it is in effect, the latter only for
    a recent one. (As `allows` AND `decided_at`, two probes per contact, a rule with this
    condition in an OR took 3 s on 1M contacts.)"""
    recent = sa.exists().where(
        _TABLE.c.store_id == store_id,
        _TABLE.c.contact_id == Contact.id,
        _TABLE.c.purpose == Purpose.MARKETING.value,
        _TABLE.c.action == ConsentAction.GRANTED.value,
        _TABLE.c.occurred_at >= since,
    )

    def in_effect_since(ce: Any) -> ColumnElement[bool]:
        return sa.and_(ce.c.occurred_at >= since, effective(ce) == ConsentAction.GRANTED.value)

    deciding: sa.Select[Any] = deciding_fact(
        Contact.id, Contact.store_id, Purpose.MARKETING, in_effect_since
    )
    return sa.and_(recent, sa.func.coalesce(deciding.scalar_subquery(), sa.false()))


# --- batch and single forms (the same SQL, for a list of contacts) --------------------------

CHUNK = 1000


def allowed_contact_ids(
    session: Session, *, store_id: int, contact_ids: Iterable[int], purpose: Purpose | str
) -> set[int]:
    """The contacts among `contact_ids` whose consent allows `purpose` now (a query per 1,000)."""
    wanted = sorted(set(contact_ids))
    facts.write(session, contact_ids=wanted)
    allowed: set[int] = set()
    statement = _allowed_statement(Purpose(purpose))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        rows = session.execute(statement, {"store_id": store_id, "contact_ids": chunk}).all()
        allowed.update(int(r[0]) for r in rows)
    return allowed


@lru_cache(maxsize=len(Purpose))
def _allowed_statement(purpose: Purpose) -> sa.Select[Any]:
    """`allowed_contact_ids`' query, built once per purpose: the send path asks it for every
    chunk it decides, and building the rule's correlated subqueries cost 8 % of the delivery
    benchmark's CPU (py-spy) against a few milliseconds of PostgreSQL's."""
    return sa.select(col(Contact.id)).where(
        col(Contact.store_id) == sa.bindparam("store_id"),
        OneOf(col(Contact.id), "contact_ids"),
        allows(purpose),
    )


@lru_cache(maxsize=2)
def _states_statement(with_keys: bool = False) -> sa.Select[Any]:
    """`states`' query, built once: constructing the rule's correlated subqueries cost more
    CPU than PostgreSQL spends running them (a profile of the Saleor events showed it). Per
    purpose: the effective action, and the deciding fact joined for its id, instant and
    source (one statement, where a second query read the facts back); `with_keys`, then the
    contact's capture keys (PostgreSQL)."""
    columns: list[Any] = [Contact.id]
    source: Any = Contact.__table__  # type: ignore[attr-defined]
    for p in Purpose:
        fact = _TABLE.alias(f"deciding_{p.value}")
        source = source.outerjoin(fact, fact.c.id == deciding_id(p))
        columns += [effective_action(p), fact.c.id, fact.c.occurred_at, fact.c.source]
    if with_keys:
        columns.append(captures.keys_of(Contact.id))
    return (
        sa.select(*columns)
        .select_from(source)
        .where(
            col(Contact.store_id) == sa.bindparam("store_id"),
            OneOf(col(Contact.id), "contact_ids"),
        )
    )


# A row of `_states_statement`: the contact id, then four columns per purpose.
_WIDTH = 1 + 4 * len(Purpose)


@lru_cache(maxsize=1)
def _batch_statement() -> sa.Select[Any]:
    """A batch's prefetch on PostgreSQL, one statement: `states`' columns, the contact's
    capture keys, then the ids its facts may take (facts.reserving). OFFSET 0 keeps the inner
    select from being merged into the outer one, which would run the rule's subqueries twice."""
    inner = _states_statement(with_keys=True).offset(0).subquery("known")
    columns = list(inner.c)
    actions = {p: columns[1 + 4 * i] for i, p in enumerate(Purpose)}
    return sa.select(*columns, *facts.reserving(actions))


def states(
    session: Session, *, store_id: int, contact_ids: Iterable[int]
) -> dict[tuple[int, Purpose], ConsentState]:
    """The effective state of every purpose for many contacts (NO_CONSENT when no fact)."""
    reading = _reading(session, _states_statement(), store_id=store_id, contact_ids=contact_ids)
    return db_fold.value(session, reading)


def _reading(
    session: Session,
    statement: sa.Select[Any],
    *,
    store_id: int,
    contact_ids: Iterable[int],
    rest: Callable[[int, Sequence[Any]], None] | None = None,
) -> Generator[db_fold.Read, list[Any], dict[tuple[int, Purpose], ConsentState]]:
    """`states` by `statement` (its first columns are `_states_statement`'s); `rest` is given
    each contact's row from `_WIDTH` on."""
    wanted = sorted(set(contact_ids))
    facts.write(session, contact_ids=wanted)
    found = {(c, p): NO_CONSENT for c in wanted for p in Purpose}
    purposes = list(Purpose)
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        rows = yield db_fold.Read(statement, {"store_id": store_id, "contact_ids": chunk})
        for row in rows:
            contact_id = int(row[0])
            if rest is not None:
                rest(contact_id, row[_WIDTH:])
            for i, p in enumerate(purposes):
                action, event_id, occurred_at, source = row[1 + 4 * i : 5 + 4 * i]
                if event_id is None:
                    continue
                found[(contact_id, p)] = ConsentState(
                    action=ConsentAction(action),
                    granted=action == ConsentAction.GRANTED.value,
                    at=occurred_at,
                    source=ConsentSource(source),
                    event_id=int(event_id),
                )
    return found


def _memo(session: Session) -> dict[tuple[int, int, Purpose], ConsentState] | None:
    memo = batch_memo(session)
    if memo is None:
        return None
    known: dict[tuple[int, int, Purpose], ConsentState] = memo.setdefault("consent.states", {})
    return known


def prefetch(session: Session, *, store_id: int, contact_ids: Iterable[int]) -> None:
    """Batch form of `state`: every purpose of the batch's contacts read in one pass and kept
    in the batch memo, kept right as the batch records facts (`note`); and their capture keys
    (plugin/consent/captures.py); on PostgreSQL in one statement that also reserves ids for
    the facts the batch may record (plugin/consent/facts.py), else the keys in a second one, of
    the contacts that have a fact at all. `prefetch_reads`: the same as a reader
    (plugin.db_fold: a batch folds it with its other reads).

    The batch's contacts are those given (known by number) and those it holds without one
    (a person known by email or Saleor user id only, whose number a later event brings): their
    events read their consent too, and asked one by one they cost a statement each."""
    db_fold.alone(session, prefetch_reads(session, store_id=store_id, contact_ids=contact_ids))


def prefetch_reads(
    session: Session, *, store_id: int, contact_ids: Iterable[int]
) -> db_fold.Reader:
    known = _memo(session)
    if known is None:
        return
    held = (c.id for c in contacts_batch.without_number(session, store_id) if c.id is not None)
    wanted = {c for c in (*contact_ids, *held) if (store_id, c, Purpose.MARKETING) not in known}
    if not wanted:
        return
    if dialect_name(session) == "postgresql":
        keys: dict[int, list[str]] = {}
        ids: list[int] = []

        def rest(contact_id: int, row: Sequence[Any]) -> None:
            keys[contact_id] = list(row[0] or ())
            ids.extend(int(i) for i in row[1:] if i is not None)

        found = yield from _reading(
            session, _batch_statement(), store_id=store_id, contact_ids=wanted, rest=rest
        )
        known.update(((store_id, c, p), s) for (c, p), s in found.items())
        captures.remember(session, keys)
        facts.stock(session, ids)
        return
    found = states(session, store_id=store_id, contact_ids=wanted)
    known.update(((store_id, c, p), s) for (c, p), s in found.items())
    factless = {c for c in wanted if all(found[(c, p)].event_id is None for p in Purpose)}
    captures.prefetch(session, contact_ids=wanted, factless=factless)


FACTS = "consent"  # what `contacts_batch.touch` records when a fact is recorded


def note(session: Session, fact: ConsentEvent) -> None:
    """`fact` was just recorded. In a batch the memoised state follows it in memory when the
    rule can say how from the state before alone (rule.following), as for a contact the batch
    created with no fact yet; else the contact's state is dropped and read again when asked."""
    known = _memo(session)
    store_id, contact_id, purpose = fact.store_id, fact.contact_id, Purpose(fact.purpose)
    if known is not None:
        keys = {p: (store_id, contact_id, p) for p in Purpose}
        if keys[purpose] not in known and no_facts(session, contact_id=contact_id):
            known.update((key, NO_CONSENT) for key in keys.values())
        before = known.get(keys[purpose])
        after = following(before, fact) if before is not None else None
        if after is not None:
            known[keys[purpose]] = after
        else:
            for key in keys.values():
                known.pop(key, None)
    contacts_batch.touch(session, contact_id, FACTS)


def known(
    session: Session, *, store_id: int, contact_id: int, purpose: Purpose
) -> ConsentState | None:
    """The state the running batch holds for the contact, without asking (None: not held)."""
    memo = _memo(session)
    key = (store_id, contact_id, Purpose(purpose))
    if memo is not None and key in memo:
        return memo[key]
    return NO_CONSENT if no_facts(session, contact_id=contact_id) else None


def batch_contacts(session: Session) -> int:
    """How many contacts' consent the running batch holds (0 outside a batch)."""
    known = _memo(session)
    return len(known) // len(Purpose) if known else 0


def no_facts(session: Session, *, contact_id: int) -> bool:
    """True when the running batch created the contact and recorded no fact for it since:
    its ledger is empty without asking."""
    return contacts_batch.untouched(session, contact_id, FACTS)


def state(session: Session, *, store_id: int, contact_id: int, purpose: Purpose) -> ConsentState:
    """The effective state of one contact for one purpose."""
    known = _memo(session)
    key = (store_id, contact_id, Purpose(purpose))
    if known is not None and key in known:
        return known[key]
    if no_facts(session, contact_id=contact_id):
        return NO_CONSENT
    found = states(session, store_id=store_id, contact_ids=[contact_id])
    if known is not None:
        known.update(((store_id, c, p), s) for (c, p), s in found.items())
    return found[(contact_id, Purpose(purpose))]
