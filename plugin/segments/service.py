"""Segments: who is in an audience (built-in or rule), previews and saved segments. The
orders and RFM scores audiences read are kept in `plugin.segments.orders`.

Every audience is one SELECT over `contact`: the store's reachable contacts (a valid phone,
not erased) AND a built-in definition or a compiled rule. Services never commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BooleanClauseList, ColumnElement
from sqlalchemy.sql.selectable import Exists, ScalarSelect, Select
from sqlalchemy.sql.util import ClauseAdapter
from sqlalchemy.sql.visitors import iterate
from sqlmodel import Session, col, select

from plugin import clock
from plugin.contacts.models import Contact, PhoneStatus
from plugin.db import Deadline, QueryTooCostly, statement_budget, without_jit
from plugin.errors import InvalidPayload
from plugin.segments.builtin import builtin_condition, thresholds_for
from plugin.segments.compiler import RuleContext, compile_rule
from plugin.segments.models import ContactTag, Segment
from plugin.segments.rules import validate_rule
from plugin.settings import get_settings as get_app_settings
from plugin.stores import service as stores_service
from plugin.stores.models import StoreSettings
from plugin.stores.plans import Feature, require_feature

SAMPLE_SIZE = 20


@dataclass(frozen=True)
class Audience:
    """Who a campaign or a preview targets: exactly one of the three."""

    builtin: str | None = None
    segment_id: int | None = None
    rule: dict[str, Any] | None = None

    def check(self) -> None:
        if sum(x is not None for x in (self.builtin, self.segment_id, self.rule)) != 1:
            raise InvalidPayload(
                "choose one audience: a built-in segment, a saved segment or a rule",
                code="INVALID_AUDIENCE",
            )


def context_for(settings: StoreSettings) -> RuleContext:
    t = thresholds_for(settings)
    return RuleContext(
        store_id=settings.store_id,
        currency=settings.default_currency,
        now=clock.now(),
        abandoned_idle=timedelta(minutes=t.abandoned_idle_minutes),
    )


class AudienceTooCostly(InvalidPayload):
    """An audience the database could not evaluate within the request's budget."""

    code = "AUDIENCE_TOO_COSTLY"
    status_code = 422

    def __init__(self, milliseconds: int) -> None:
        seconds = f"{milliseconds / 1000:g}"
        self.message_en = (
            f"This audience takes longer than {seconds} s to work out on your contacts. "
            "Narrow it with a condition on the contact (country, orders, last order) or merge "
            "similar conditions, then try again."
        )
        self.message_tr = (
            f"Bu kitleyi kişileriniz üzerinde hesaplamak {seconds} sn'den uzun sürüyor. "
            "Kişiye ait bir koşulla (ülke, sipariş sayısı, son sipariş) daraltın ya da benzer "
            "koşulları birleştirin, sonra yeniden deneyin."
        )
        super().__init__(self.message_en)


@contextmanager
def audience_budget(session: Session, *, campaign: bool = False) -> Iterator[Deadline]:
    """The block's statements within the audience budget (a campaign's estimate and launch
    count have their own, larger one); past it, AudienceTooCostly (TR/EN). JIT is off for
    them: PostgreSQL compiles when a plan's estimate is high, and the correlated consent
    probes inflate it — a contact list filtered by consent over a handful of test contacts
    spent its whole 1.8 s compiling on a loaded CI machine."""
    without_jit(session)
    settings = get_app_settings()
    ms = settings.campaign_query_budget_ms if campaign else settings.audience_query_budget_ms
    try:
        with statement_budget(session, ms) as deadline:
            yield deadline
    except QueryTooCostly as exc:
        raise AudienceTooCostly(ms) from exc


STAFF_TAG = "ulak:staff"  # staff numbers that received test sends: never in an audience


def reachable(store_id: int) -> ColumnElement[bool]:
    """The universe of every segment: the store's contacts with a valid phone or a
    business-scoped user id (a username user, sent to by `recipient`), not erased, not a staff
    test number, not resting from marketing after Meta's per-user limit (131049)."""
    erased: Any = Contact.erased_at
    contact_id: Any = Contact.id
    bsuid: Any = Contact.bsuid
    limited: Any = Contact.marketing_limited_at
    rest_since = clock.now() - timedelta(days=get_app_settings().marketing_limit_rest_days)
    staff = sa.select(col(ContactTag.contact_id)).where(
        col(ContactTag.store_id) == store_id, col(ContactTag.tag) == STAFF_TAG
    )
    return sa.and_(
        col(Contact.store_id) == store_id,
        sa.or_(col(Contact.phone_status) == PhoneStatus.VALID.value, bsuid.is_not(None)),
        erased.is_(None),
        sa.or_(limited.is_(None), limited < rest_since),
        contact_id.not_in(staff),
    )


def audience_condition(
    session: Session, *, settings: StoreSettings, audience: Audience, ctx: RuleContext | None = None
) -> ColumnElement[bool]:
    """The audience as a WHERE over `contact`, after the plan check (own segments: Silver)."""
    audience.check()
    ctx = ctx or context_for(settings)
    if audience.builtin is not None:
        require_feature(settings, Feature.BUILTIN_SEGMENTS)
        condition = builtin_condition(audience.builtin, ctx, thresholds_for(settings))
    else:
        require_feature(settings, Feature.OWN_SEGMENTS)
        rule = audience.rule
        if audience.segment_id is not None:
            segment = get_segment(
                session, store_id=settings.store_id, segment_id=audience.segment_id
            )
            rule = segment.rule
        condition = compile_rule(rule, ctx)
    return sa.and_(reachable(settings.store_id), condition)


def _conjuncts(clause: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    if isinstance(clause, BooleanClauseList) and clause.operator is operators.and_:
        return [c for part in clause.clauses for c in _conjuncts(part)]
    return [clause]


def _reads_other_tables(clause: ColumnElement[bool]) -> bool:
    return any(isinstance(e, (Select, ScalarSelect, Exists)) for e in iterate(clause))


def count_select(where: ColumnElement[bool]) -> sa.Select[Any]:
    """`SELECT count(*)` of the contacts matching `where`, the conditions on `contact`'s own
    columns applied first, in a subquery the planner keeps apart (OFFSET 0), and the ones
    that read other tables (tags, purchases, the consent ledger) on what is left.

    Why: PostgreSQL charges every condition's cost to every row it scans, short-circuits
    aside, so a rule's correlated consent probe made a random walk of 664k rows through the
    `last_order_at` index look cheaper than reading the table: on 1M contacts the bench rule
    counted in 2.6 s that way and 1.7 s this way (same answer)."""
    parts = _conjuncts(where)
    own = [p for p in parts if not _reads_other_tables(p)]
    rest = [p for p in parts if _reads_other_tables(p)]
    if not own or not rest:
        return sa.select(sa.func.count()).select_from(Contact).where(where)
    table: Any = Contact.__table__  # type: ignore[attr-defined]  # SQLModel leaves it undeclared
    read = {e for p in rest for e in iterate(p) if isinstance(e, sa.Column) and e.table is table}
    columns = sorted(read | {table.c.id}, key=lambda c: c.name)  # only what the rest reads
    first = sa.select(*columns).where(*own).offset(0).subquery("matching")
    adapter = ClauseAdapter(first)
    return sa.select(sa.func.count()).select_from(first).where(*(adapter.traverse(p) for p in rest))


def count_audience(session: Session, *, store_id: int, audience: Audience) -> int:
    settings = stores_service.get_settings(session, store_id)
    with audience_budget(session) as deadline:  # from here: a 200-condition rule's SQL takes
        where = audience_condition(session, settings=settings, audience=audience)  # ~0.3 s
        query = count_select(where)
        deadline.next_statement()
        return int(session.execute(query).scalar_one())


def mask_phone(phone: str | None) -> str | None:
    """+905551112233 -> +90555•••2233: enough for a merchant to recognise, not to copy."""
    if not phone:
        return None
    return phone[:6] + "•••" + phone[-4:] if len(phone) > 10 else "•••" + phone[-2:]


def preview_audience(session: Session, *, store_id: int, audience: Audience) -> dict[str, Any]:
    """The count and the first 20 contacts of an audience (what the builder shows)."""
    settings = stores_service.get_settings(session, store_id)
    c: Any = Contact
    with audience_budget(session) as deadline:
        where = audience_condition(session, settings=settings, audience=audience)
        query = count_select(where)
        deadline.next_statement()
        count = int(session.execute(query).scalar_one())
        deadline.next_statement()
        # nobody to show: no second pass over the store (it would read every contact again)
        rows = (
            session.execute(
                sa.select(
                    c.id,
                    c.first_name,
                    c.last_name,
                    c.phone_e164,
                    c.country,
                    c.locale,
                    c.orders_count,
                    c.last_order_at,
                )
                .where(where)
                .order_by(c.id)
                .limit(SAMPLE_SIZE)
            ).all()
            if count
            else []
        )
    sample = [
        {
            "id": r.id,
            "first_name": r.first_name,
            "last_name": r.last_name,
            "phone": mask_phone(r.phone_e164),
            "country": r.country,
            "locale": r.locale,
            "orders_count": r.orders_count,
            "last_order_at": r.last_order_at,
        }
        for r in rows
    ]
    return {"count": count, "sample": sample}


# --- saved segments --------------------------------------------------------------------------


def get_segment(session: Session, *, store_id: int, segment_id: int) -> Segment:
    """The store's segment; another store's id is "not found", and its row is never loaded
    (the admin request's store guard would turn that into an error telling the id exists)."""
    segment = session.exec(
        select(Segment).where(Segment.id == segment_id, Segment.store_id == store_id)
    ).first()
    if segment is None:
        raise InvalidPayload("segment not found", code="NOT_FOUND", status_code=404)
    return segment


def list_segments(session: Session, *, store_id: int) -> list[Segment]:
    return list(
        session.exec(select(Segment).where(Segment.store_id == store_id).order_by(Segment.name))
    )


def save_segment(
    session: Session,
    *,
    store_id: int,
    name: str,
    rule: dict[str, Any],
    segment_id: int | None = None,
) -> Segment:
    """Create or update a merchant's segment (Silver), refusing an invalid rule with its errors."""
    require_feature(stores_service.get_settings(session, store_id), Feature.OWN_SEGMENTS)
    from plugin.segments.rules import InvalidRule

    errors = validate_rule(rule)
    if errors:
        raise InvalidRule(errors)
    name = name.strip()
    if not name:
        raise InvalidPayload("a segment needs a name", code="INVALID_NAME")
    if segment_id is None:
        segment = Segment(store_id=store_id, name=name, rule=rule)
        session.add(segment)
    else:
        segment = get_segment(session, store_id=store_id, segment_id=segment_id)
        segment.name, segment.rule, segment.updated_at = name, rule, clock.now()
    session.flush()
    return segment


def delete_segment(session: Session, *, store_id: int, segment_id: int) -> None:
    session.delete(get_segment(session, store_id=store_id, segment_id=segment_id))
    session.flush()
