"""The consent rule (docs/adr/0005-consent-read-model.md), written once as SQL (`effective_action`)
so the single, batch and in-query forms of the read model (plugin/consent/state.py) cannot drift
apart, and once more beside it as the step a batch takes in memory when it records a fact
(`following`), proven equal to the SQL or declining:

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

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.contacts.models import Contact

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

TABLE: Any = ConsentEvent.__table__  # type: ignore[attr-defined]


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
    TABLE.c.store_id,
    TABLE.c.contact_id,
    TABLE.c.purpose,
    TABLE.c.occurred_at,
    _precedence(TABLE.c.action),
    TABLE.c.id,
    postgresql_include=["action", "source"],
)


def latest(ce: Any) -> tuple[Any, ...]:
    """The ledger's order, latest first: occurred_at, then precedence, then recorded last."""
    return (ce.c.occurred_at.desc(), _precedence(ce.c.action).desc(), ce.c.id.desc())


def deciding_fact(
    contact_id: Any, store_id: Any, purpose: Purpose, *columns: Any, as_of: Any = None
) -> Any:
    """SELECT `columns` of the deciding fact of `purpose` for the correlated contact (as of
    an instant: only facts that had occurred by then)."""
    ce = TABLE.alias()
    cols = [c(ce) if callable(c) else c for c in columns]
    where = [
        ce.c.store_id == store_id,
        ce.c.contact_id == contact_id,
        ce.c.purpose == purpose.value,
    ]
    if as_of is not None:
        where.append(ce.c.occurred_at <= as_of)
    return sa.select(*cols).where(*where).order_by(*latest(ce)).limit(1)


def effective(ce: Any) -> ColumnElement[str]:
    """The deciding fact's action, a vouched marketing grant demoted to `requested` while the
    customer's own latest word is a "no"."""
    own = TABLE.alias()
    own_latest = (
        sa.select(own.c.action)
        .where(
            own.c.store_id == ce.c.store_id,
            own.c.contact_id == ce.c.contact_id,
            own.c.purpose == Purpose.MARKETING.value,
            own.c.source.in_([s.value for s in CUSTOMER_SOURCES]),
            own.c.occurred_at <= ce.c.occurred_at,  # what the customer had said by then
        )
        .order_by(*latest(own))
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
    deciding: sa.Select[Any] = deciding_fact(contact_id, store_id, purpose, effective, as_of=as_of)
    return deciding.scalar_subquery()


def deciding_id(
    purpose: Purpose, *, contact_id: Any = None, store_id: Any = None, as_of: Any = None
) -> ColumnElement[int | None]:
    """SQL: the id of the deciding fact of `purpose` (NULL: none) for the enclosing contact."""
    contact_id = Contact.id if contact_id is None else contact_id
    store_id = Contact.store_id if store_id is None else store_id
    deciding: sa.Select[Any] = deciding_fact(
        contact_id, store_id, purpose, lambda ce: ce.c.id, as_of=as_of
    )
    return deciding.scalar_subquery()


# --- the same rule in memory: one new fact, from the state before it -------------------------


def following(before: ConsentState, fact: ConsentEvent) -> ConsentState | None:
    """The state of `fact`'s purpose once `fact` is recorded, from `before` (that purpose's state
    just before) alone, as the SQL above reads it; None when that needs the ledger's history,
    and the caller reads the state again.

    Why it equals the SQL. Rule 1: the deciding fact becomes the later of `before`'s deciding
    fact D and `fact` (`_outranks`): every other fact of the purpose is earlier than D. The
    other purpose's state stays: rule 2 reads only marketing facts, and rule 3 is not part of a
    state. Rule 2 when `fact` decides: only a vouched marketing grant is demoted, by the
    customer's own latest fact up to its instant. No fact is later than D, so the customer said
    nothing between D and `fact`: their latest word is D itself when D is theirs, and when D is
    a vouched grant read `granted` it was no "no" at D's instant and still is none. Otherwise it
    is not known here (None). Rule 2 when D still decides: a fact of the customer's own can
    change only a vouched D's demotion (a vouched `requested` may be a demoted grant): None.
    """
    purpose = Purpose(fact.purpose)
    action = ConsentAction(fact.action)
    source = ConsentSource(fact.source)
    assert fact.id is not None
    new = ConsentState(
        action=action,
        granted=action is ConsentAction.GRANTED,
        at=fact.occurred_at.astimezone(UTC),
        source=source,
        event_id=fact.id,
    )
    if before.event_id is None:
        return new  # the purpose's first fact: the customer has said nothing before it
    marketing = purpose is Purpose.MARKETING
    vouched_before = before.source in VOUCHED_SOURCES
    decides = _outranks(fact, before, demoted_may_hide=marketing and vouched_before)
    if decides is None:
        return None
    if not decides:
        own_word = marketing and source in CUSTOMER_SOURCES
        demotable = vouched_before and before.action in _MAY_BE_GRANTS
        return None if own_word and demotable else before
    if not (marketing and action is ConsentAction.GRANTED and source in VOUCHED_SOURCES):
        return new
    if before.source in CUSTOMER_SOURCES:
        said_no = before.action in CUSTOMER_NO
    elif vouched_before and before.action is ConsentAction.GRANTED:
        said_no = False
    else:
        return None
    return replace(new, action=ConsentAction.REQUESTED, granted=False) if said_no else new


# A vouched marketing state reading one of these may be a grant (`requested`: a demoted one).
_MAY_BE_GRANTS = frozenset({ConsentAction.GRANTED, ConsentAction.REQUESTED})


def _outranks(fact: ConsentEvent, before: ConsentState, *, demoted_may_hide: bool) -> bool | None:
    """Whether `fact` comes after `before`'s deciding fact in the ledger's order (instant, rank,
    id); None when that turns on the deciding fact's own action, which a demoted grant hides
    (it reads `requested`)."""
    assert before.action is not None and before.at is not None and before.event_id is not None
    ranks = {PRECEDENCE[before.action]}
    if demoted_may_hide and before.action is ConsentAction.REQUESTED:
        ranks.add(PRECEDENCE[ConsentAction.GRANTED])
    mine = (fact.occurred_at, PRECEDENCE[ConsentAction(fact.action)], fact.id)
    answers = {mine > (before.at, rank, before.event_id) for rank in ranks}
    return answers.pop() if len(answers) == 1 else None
