"""The one consent read model (docs/adr/0005-consent-read-model.md): every reader — the send-time
policy, segments, campaign estimates, flows, the admin and the İYS export — asks here.

The rule, written once as SQL (`effective_action`) so the single, batch and in-query forms
cannot drift apart:

1. For a (contact, purpose) the fact with the latest `occurred_at` wins; at equal instants
   revoked > declined > lapsed > requested > granted (then the one recorded last). A backdated
   fact stays in the ledger as evidence but cannot undo a later revocation.
2. After the customer's own "no" — a STOP keyword or button, Meta's marketing opt-out, error
   131050, or declining the opt-in request — a marketing grant that someone else vouched for
   (CSV import, admin, API, storefront) counts only as `requested` until the customer says yes
   on WhatsApp themselves (a confirmation or START, Meta's resume).
3. Marketing is allowed when the effective action is `granted`. Transactional is allowed on a
   transactional grant, or on an allowed marketing consent (someone who agreed to promotions
   agreed to hear about their own orders) unless their transactional state is an explicit
   revoke — a "no" to order messages wins over a marketing "yes".

The SQL correlates to `contact` (its id and store id) and reads one index in the rule's own
order, (store_id, contact_id, purpose, occurred_at, precedence, id) with the action and source
included (`DECIDING_INDEX`): one backward index-only probe per contact and purpose, no sort.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.contacts import batch as contacts_batch
from plugin.contacts.models import Contact
from plugin.db import batch_memo

# At equal instants the higher wins: a "no" is never lost to a "yes" of the same second.
PRECEDENCE: dict[ConsentAction, int] = {
    ConsentAction.REVOKED: 5,
    ConsentAction.DECLINED: 4,
    ConsentAction.LAPSED: 3,
    ConsentAction.REQUESTED: 2,
    ConsentAction.GRANTED: 1,
}
# What the customer did themselves, on WhatsApp or through Meta.
CUSTOMER_SOURCES = frozenset(
    {
        ConsentSource.WHATSAPP_KEYWORD,
        ConsentSource.BUTTON_REPLY,
        ConsentSource.META_PREFERENCES,
        ConsentSource.META_ERROR,
    }
)
CUSTOMER_NO = frozenset({ConsentAction.REVOKED, ConsentAction.DECLINED})
# Grants someone else vouches for: after the customer's own "no" they only request.
VOUCHED_SOURCES = frozenset(
    {
        ConsentSource.CSV_IMPORT,
        ConsentSource.ADMIN,
        ConsentSource.API,
        ConsentSource.CHECKOUT,
        ConsentSource.CUSTOMER,
        ConsentSource.ORDER,
        ConsentSource.STOREFRONT,
    }
)

_TABLE: Any = ConsentEvent.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ConsentState:
    """The effective consent for one contact and purpose (no fact: action None, not granted).

    `action` is the effective action (a vouched grant after the customer's own "no" reads
    `requested`); `at`, `source` and `event_id` are those of the deciding fact."""

    action: ConsentAction | None
    granted: bool
    at: datetime | None
    source: ConsentSource | None
    event_id: int | None = None


NO_CONSENT = ConsentState(action=None, granted=False, at=None, source=None)


def _precedence(action: Any) -> ColumnElement[int]:
    """The tie-break rank as SQL with its values written out, not bound: the same expression
    is indexed (below), and PostgreSQL matches an index expression only to an identical one."""
    whens: dict[Any, Any] = {
        sa.literal_column(f"'{a.value}'"): sa.literal_column(str(n)) for a, n in PRECEDENCE.items()
    }
    return sa.case(whens, value=action, else_=sa.literal_column("0"))


# The read model's one probe, in the ledger's order: the deciding fact of a contact and purpose
# is the first entry read backwards, with no sort, and (PostgreSQL) from the index alone.
DECIDING_INDEX = sa.Index(
    "ix_consent_deciding",
    _TABLE.c.store_id,
    _TABLE.c.contact_id,
    _TABLE.c.purpose,
    _TABLE.c.occurred_at,
    _precedence(_TABLE.c.action),
    _TABLE.c.id,
    postgresql_include=["action", "source"],
)


def _latest(ce: Any) -> tuple[Any, ...]:
    """The ledger's order, latest first: occurred_at, then precedence, then recorded last."""
    return (ce.c.occurred_at.desc(), _precedence(ce.c.action).desc(), ce.c.id.desc())


def _deciding(
    contact_id: Any, store_id: Any, purpose: Purpose, *columns: Any, as_of: Any = None
) -> Any:
    """SELECT `columns` of the deciding fact of `purpose` for the correlated contact (as of
    an instant: only facts that had occurred by then)."""
    ce = _TABLE.alias()
    cols = [c(ce) if callable(c) else c for c in columns]
    where = [
        ce.c.store_id == store_id,
        ce.c.contact_id == contact_id,
        ce.c.purpose == purpose.value,
    ]
    if as_of is not None:
        where.append(ce.c.occurred_at <= as_of)
    return sa.select(*cols).where(*where).order_by(*_latest(ce)).limit(1)


def _effective(ce: Any) -> ColumnElement[str]:
    """The deciding fact's action, a vouched marketing grant demoted to `requested` while the
    customer's own latest word is a "no"."""
    own = _TABLE.alias()
    own_latest = (
        sa.select(own.c.action)
        .where(
            own.c.store_id == ce.c.store_id,
            own.c.contact_id == ce.c.contact_id,
            own.c.purpose == Purpose.MARKETING.value,
            own.c.source.in_([s.value for s in CUSTOMER_SOURCES]),
            own.c.occurred_at <= ce.c.occurred_at,  # what the customer had said by then
        )
        .order_by(*_latest(own))
        .limit(1)
        .scalar_subquery()
    )
    demoted = sa.and_(
        ce.c.action == ConsentAction.GRANTED.value,
        ce.c.purpose == Purpose.MARKETING.value,
        ce.c.source.in_([s.value for s in VOUCHED_SOURCES]),
        own_latest.in_([a.value for a in CUSTOMER_NO]),
    )
    return sa.case((demoted, ConsentAction.REQUESTED.value), else_=ce.c.action)


def effective_action(
    purpose: Purpose, *, contact_id: Any = None, store_id: Any = None, as_of: Any = None
) -> ColumnElement[str | None]:
    """SQL: the effective action (NULL: no fact) of the contact in the enclosing query
    (default: `contact.id` / `contact.store_id`), for PostgreSQL and SQLite alike."""
    contact_id = Contact.id if contact_id is None else contact_id
    store_id = Contact.store_id if store_id is None else store_id
    deciding: sa.Select[Any] = _deciding(contact_id, store_id, purpose, _effective, as_of=as_of)
    return deciding.scalar_subquery()


def deciding_id(
    purpose: Purpose, *, contact_id: Any = None, store_id: Any = None, as_of: Any = None
) -> ColumnElement[int | None]:
    """SQL: the id of the deciding fact of `purpose` (NULL: none) for the enclosing contact."""
    contact_id = Contact.id if contact_id is None else contact_id
    store_id = Contact.store_id if store_id is None else store_id
    deciding: sa.Select[Any] = _deciding(
        contact_id, store_id, purpose, lambda ce: ce.c.id, as_of=as_of
    )
    return deciding.scalar_subquery()


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
    deciding: sa.Select[Any] = _deciding(
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
        return sa.and_(ce.c.occurred_at >= since, _effective(ce) == ConsentAction.GRANTED.value)

    deciding: sa.Select[Any] = _deciding(
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
        col(Contact.id).in_(sa.bindparam("contact_ids", expanding=True)),
        allows(purpose),
    )


@lru_cache(maxsize=1)
def _states_statement() -> sa.Select[Any]:
    """`states`' query, built once: constructing the rule's correlated subqueries cost more
    CPU than PostgreSQL spends running them (a profile of the Saleor events showed it). Per
    purpose: the effective action, and the deciding fact joined for its id, instant and
    source (one statement, where a second query read the facts back)."""
    columns: list[Any] = [Contact.id]
    source: Any = Contact.__table__  # type: ignore[attr-defined]
    for p in Purpose:
        fact = _TABLE.alias(f"deciding_{p.value}")
        source = source.outerjoin(fact, fact.c.id == deciding_id(p))
        columns += [effective_action(p), fact.c.id, fact.c.occurred_at, fact.c.source]
    return (
        sa.select(*columns)
        .select_from(source)
        .where(
            col(Contact.store_id) == sa.bindparam("store_id"),
            col(Contact.id).in_(sa.bindparam("contact_ids", expanding=True)),
        )
    )


def states(
    session: Session, *, store_id: int, contact_ids: Iterable[int]
) -> dict[tuple[int, Purpose], ConsentState]:
    """The effective state of every purpose for many contacts (NO_CONSENT when no fact)."""
    wanted = sorted(set(contact_ids))
    found = {(c, p): NO_CONSENT for c in wanted for p in Purpose}
    purposes = list(Purpose)
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        rows = session.execute(
            _states_statement(), {"store_id": store_id, "contact_ids": chunk}
        ).all()
        for row in rows:
            for i, p in enumerate(purposes):
                action, event_id, occurred_at, source = row[1 + 4 * i : 5 + 4 * i]
                if event_id is None:
                    continue
                found[(int(row[0]), p)] = ConsentState(
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
    in the batch memo until a new fact about the contact is recorded (`forget`)."""
    known = _memo(session)
    if known is None:
        return
    wanted = {c for c in contact_ids if (store_id, c, Purpose.MARKETING) not in known}
    if wanted:
        found = states(session, store_id=store_id, contact_ids=wanted)
        known.update(((store_id, c, p), s) for (c, p), s in found.items())


FACTS = "consent"  # what `contacts_batch.touch` records when a fact is recorded


def forget(session: Session, *, store_id: int, contact_id: int) -> None:
    """A fact about the contact was just recorded: its state is read again."""
    known = _memo(session)
    if known is not None:
        for purpose in Purpose:
            known.pop((store_id, contact_id, purpose), None)
    contacts_batch.touch(session, contact_id, FACTS)


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
