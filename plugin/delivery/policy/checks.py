"""The send policy's checks, one function each, in the order a row meets them. Each takes the
rows still pending and returns those that pass; the others are suppressed or deferred on the
batch with their reason (plugin/delivery/policy/__init__.py lists every code)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from plugin.consent.models import Purpose
from plugin.consent.queries import suppressed_phones
from plugin.consent.state import allowed_contact_ids
from plugin.contacts.models import PhoneStatus
from plugin.delivery import window
from plugin.delivery.models import MessageKind, MessagePurpose, MessageStatus, OutboundMessage
from plugin.delivery.pace import PAIR_SPACING_SECONDS, Pacer
from plugin.delivery.policy.address import address_problem, send_address
from plugin.delivery.policy.codes import (
    ACCOUNT_INACTIVE,
    ACCOUNT_RECHECK,
    CAP_7D,
    CAP_24H,
    DAILY_TIER_EXHAUSTED,
    ERASED,
    EXEMPT_KINDS,
    MARKETING_LIMIT_REST,
    NO_ACCOUNT,
    NO_CONSENT,
    NUMBER_QUALITY_RED,
    PAIR_RATE,
    PHONE_REQUIRED,
    QUIET_HOURS,
    QUOTA_EXCEEDED,
    RECENT_ORDER,
    SERVICE_WINDOW,
    STORE_INACTIVE,
    SUPPRESSED,
    TEMPLATE_CATEGORY_CHANGED,
    TEMPLATE_NOT_APPROVED,
    TIER_RESERVED,
    UNDELIVERABLE,
    UNDELIVERABLE_FOR,
    UNKNOWN_CONTACT,
    WINDOW_CLOSED,
    Decision,
)
from plugin.delivery.policy.context import StoreContext
from plugin.delivery.policy.quiet import quiet_applies, quiet_until, zone
from plugin.rows import OneOf
from plugin.settings import get_settings as get_app_settings
from plugin.stores import usage
from plugin.templates.models import TemplateCategory, TemplateStatus


@dataclass
class Batch:
    """One store's claimed rows being decided, and what was decided so far."""

    session: Session
    store_id: int
    ctx: StoreContext
    staff: set[int]  # TEST rows to a staff test number (plugin.delivery.policy.context)
    now: datetime
    pacer: Pacer
    decided: dict[int, Decision] = field(default_factory=dict)
    returned: Counter[str] = field(default_factory=Counter)  # quota units by plan month

    def suppress(self, d: Decision, reason: str) -> None:
        d.outcome, d.reason = "suppressed", reason
        self.decided[d.row.id] = d

    def defer(self, d: Decision, reason: str, due_at: datetime) -> None:
        """Put the row off; a marketing row deferred after the quota was reserved (Meta's
        tier, the pair rate) gives its unit back."""
        d.outcome, d.reason, d.due_at = "deferred", reason, due_at
        if d.quota_period is not None:
            self.returned[d.quota_period] += 1
            d.quota_period = None
        self.decided[d.row.id] = d

    def counts_as_marketing(self, d: Decision) -> bool:
        """Marketing that the caps and quota apply to (never a staff test)."""
        return d.row.marketing and d.row.id not in self.staff

    def give_back_units(self) -> None:
        """Return the units of the rows deferred after their reservation, in one statement."""
        for period, amount in self.returned.items():
            usage.give_back(
                session=self.session, store_id=self.store_id, period=period, amount=amount
            )
        self.returned.clear()


Check = Callable[[Batch, list[Decision]], list[Decision]]


def installation(b: Batch, pending: list[Decision]) -> list[Decision]:
    """1. The app installed and a WhatsApp number connected and active."""
    out = []
    for d in pending:
        if b.ctx.store is None or not b.ctx.store.is_active:
            b.suppress(d, STORE_INACTIVE)
        elif b.ctx.account is None:
            b.suppress(d, NO_ACCOUNT)
        elif not b.ctx.account_active:
            b.defer(d, ACCOUNT_INACTIVE, b.now + ACCOUNT_RECHECK)
        elif d.row.marketing and b.ctx.account.marketing_share == 0.0:  # a red number
            b.defer(d, NUMBER_QUALITY_RED, b.now + ACCOUNT_RECHECK)
        else:
            out.append(d)
    return out


def person(b: Batch, pending: list[Decision]) -> list[Decision]:
    """2. The person: erased, address (number or BSUID), suppression list, undeliverable,
    Meta's marketing limit. The suppression list holds numbers, and erased users' BSUIDs."""
    addresses = {
        address
        for c in b.ctx.contacts.values()
        if (address := c.phone_e164 or c.bsuid) and c.erased_at is None
    }
    suppressed = suppressed_phones(b.session, store_id=b.store_id, phones=addresses)
    rest = timedelta(days=get_app_settings().marketing_limit_rest_days)
    out = []
    for d in pending:
        contact = b.ctx.contacts.get(d.row.contact_id)
        if contact is None:
            b.suppress(d, UNKNOWN_CONTACT)
        elif contact.erased_at is not None or contact.phone_status == PhoneStatus.ERASED:
            b.suppress(d, ERASED)
        elif (reason := address_problem(contact, marketing=d.row.marketing)) is not None:
            b.suppress(d, reason)
        elif (contact.phone_e164 or contact.bsuid) in suppressed:
            b.suppress(d, SUPPRESSED)
        elif contact.undeliverable_at is not None and (
            b.now - contact.undeliverable_at < UNDELIVERABLE_FOR
        ):
            b.suppress(d, UNDELIVERABLE)
        elif (
            d.row.marketing
            and contact.marketing_limited_at is not None
            and b.now - contact.marketing_limited_at < rest
        ):
            b.suppress(d, MARKETING_LIMIT_REST)
        else:
            d.to, d.recipient = send_address(contact)
            out.append(d)
    return out


def consent(b: Batch, pending: list[Decision]) -> list[Decision]:
    """3. Consent for the purpose, from the one read model (one ledger query per purpose)."""

    def exempt(d: Decision) -> bool:
        return d.row.kind in EXEMPT_KINDS or d.row.id in b.staff

    need: dict[str, set[int]] = defaultdict(set)
    for d in pending:
        if not exempt(d):
            need[d.row.purpose].add(d.row.contact_id)
    granted = {
        purpose: allowed_contact_ids(
            b.session, store_id=b.store_id, contact_ids=ids, purpose=Purpose(purpose)
        )
        for purpose, ids in need.items()
    }
    out = []
    for d in pending:
        if exempt(d) or d.row.contact_id in granted[d.row.purpose]:
            out.append(d)
        else:
            b.suppress(d, NO_CONSENT)
    return out


def message(b: Batch, pending: list[Decision]) -> list[Decision]:
    """4. The message: its template approved and of the expected category, or free text
    inside the 24-hour service window."""
    out = []
    for d in pending:
        row = d.row
        contact = b.ctx.contacts[row.contact_id]
        last_inbound = contact.last_inbound_at
        window_open = last_inbound is not None and b.now - last_inbound < SERVICE_WINDOW
        if row.template_name:
            template = b.ctx.templates.get((row.template_name, row.template_language or ""))
            if template is None or template.status != TemplateStatus.APPROVED:
                b.suppress(d, TEMPLATE_NOT_APPROVED)
                continue
            if not row.marketing and template.category == TemplateCategory.MARKETING:
                b.suppress(d, TEMPLATE_CATEGORY_CHANGED)
                continue
            if d.to is None and template.category == TemplateCategory.AUTHENTICATION:
                b.suppress(d, PHONE_REQUIRED)  # Meta: never an authentication template to a BSUID
                continue
            d.template_id = template.id
        elif not window_open:
            b.suppress(d, WINDOW_CLOSED)
            continue
        if row.kind == MessageKind.SERVICE_REPLY and not window_open:
            b.suppress(d, WINDOW_CLOSED)
            continue
        out.append(d)
    return out


def quiet_hours(b: Batch, pending: list[Decision]) -> list[Decision]:
    """5. Quiet hours in the contact's time zone: deferred, never dropped."""
    settings = b.ctx.settings
    out = []
    for d in pending:
        if d.row.id not in b.staff and quiet_applies(d.row, settings):
            contact = b.ctx.contacts[d.row.contact_id]
            until = quiet_until(
                b.now,
                tz=zone(contact.timezone, settings.timezone),
                start=settings.quiet_hours_start,
                end=settings.quiet_hours_end,
            )
            if until is not None:
                b.defer(d, QUIET_HOURS, until)
                continue
        out.append(d)
    return out


def caps(b: Batch, pending: list[Decision]) -> list[Decision]:
    """6. Cart recovery right after an order, and the marketing frequency caps."""

    def capped(d: Decision) -> bool:
        return b.counts_as_marketing(d) and d.row.kind not in EXEMPT_KINDS

    counts = _cap_counts(b.session, [d for d in pending if capped(d)], now=b.now)
    in_batch_24h: Counter[int] = Counter()
    pause = timedelta(hours=b.ctx.settings.recovery_pause_after_order_hours)
    out = []
    for d in pending:
        row = d.row
        contact = b.ctx.contacts[row.contact_id]
        if row.kind == MessageKind.CART_RECOVERY and (
            contact.last_order_at is not None and b.now - contact.last_order_at < pause
        ):
            b.suppress(d, RECENT_ORDER)
            continue
        if capped(d):
            day, week = counts.get(row.contact_id, (0, 0))
            extra = in_batch_24h[row.contact_id]
            # A cart-recovery sequence answers the shopper's own checkout and spaces its steps
            # itself (default +1 h, +24 h): the daily cap would always stop its second step, so
            # only the weekly cap applies to it (its steps still count for other marketing).
            daily_capped = row.kind != MessageKind.CART_RECOVERY
            if daily_capped and day + extra >= b.ctx.settings.marketing_cap_24h:
                b.suppress(d, CAP_24H)
                continue
            if week + extra >= b.ctx.settings.marketing_cap_7d:
                b.suppress(d, CAP_7D)
                continue
            in_batch_24h[row.contact_id] += 1
        out.append(d)
    return out


def _cap_counts(
    session: Session, decisions: list[Decision], *, now: datetime
) -> dict[int, tuple[int, int]]:
    """contact_id -> (marketing messages in the last 24 h, in the last 7 days), one query over
    the rows that may have reached the person (MessageStatus.counted)."""
    if not decisions:
        return {}
    table = OutboundMessage.__table__  # type: ignore[attr-defined]
    contact_ids = sorted({d.row.contact_id for d in decisions})
    batch_ids = [d.row.id for d in decisions]
    moment = sa.func.coalesce(table.c.sent_at, table.c.updated_at)
    day_ago, week_ago = now - timedelta(hours=24), now - timedelta(days=7)
    rows = session.execute(
        sa.select(
            table.c.contact_id,
            sa.func.sum(sa.case((moment >= day_ago, 1), else_=0)),
            sa.func.count(),
        )
        .where(
            OneOf(table.c.contact_id, "cap_contacts"),
            table.c.purpose == MessagePurpose.MARKETING.value,
            table.c.kind != MessageKind.TEST.value,  # a staff test is no customer's marketing
            table.c.status.in_(MessageStatus.sql(MessageStatus.counted())),
            moment >= week_ago,
            sa.not_(OneOf(table.c.id, "cap_batch")),
        )
        .group_by(table.c.contact_id),
        {"cap_contacts": contact_ids, "cap_batch": batch_ids},
    ).all()
    return {int(cid): (int(day or 0), int(week or 0)) for cid, day, week in rows}


def quota(b: Batch, pending: list[Decision]) -> list[Decision]:
    """7. The plan's monthly marketing quota (plugin.stores.usage, the counter the admin shows),
    reserved atomically across workers. Marketing past it is held, not dropped: it waits for
    the next plan month, or for the tick to release it once units are free again."""
    marketing = [d for d in pending if b.counts_as_marketing(d)]
    if not marketing:
        return pending
    reservation = usage.reserve(
        session=b.session, store_id=b.store_id, want=len(marketing), now=b.now
    )
    for d in marketing[: reservation.granted]:
        d.quota_period = reservation.period
    refused = {d.row.id for d in marketing[reservation.granted :]}
    out = []
    for d in pending:
        if d.row.id in refused:
            b.defer(d, QUOTA_EXCEEDED, reservation.resets_at)
        else:
            out.append(d)
    return out


def tier_window(b: Batch, pending: list[Decision]) -> list[Decision]:
    """8. Meta's messaging limit, a moving 24 h window of unique recipients of business-
    initiated messages (plugin/delivery/window.py): marketing leaves the store's reserve to
    order updates; a refused row waits until its slot frees, a marketing row gives its quota
    unit back (Batch.defer)."""
    for d in pending:
        last_inbound = b.ctx.contacts[d.row.contact_id].last_inbound_at
        d.business_initiated = window.counts(
            template_name=d.row.template_name,
            kind=d.row.kind,
            last_inbound_at=last_inbound,
            now=b.now,
        )
    tier = b.ctx.settings.daily_recipient_tier
    counted = [d for d in pending if d.business_initiated]
    if tier is None or not counted:
        return pending
    verdict = window.admit(
        b.session,
        store_id=b.store_id,
        now=b.now,
        tier=tier,
        reserve_percent=b.ctx.settings.tier_reserve_percent,
        wants=[(d.row.contact_id, b.counts_as_marketing(d)) for d in counted],
    )
    out = []
    for d in pending:
        cid = d.row.contact_id
        if d.business_initiated and cid not in verdict.admitted:
            full = cid in verdict.window_full
            b.defer(d, DAILY_TIER_EXHAUSTED if full else TIER_RESERVED, verdict.due[cid])
        else:
            out.append(d)
    return out


def pair_rate(b: Batch, pending: list[Decision]) -> list[Decision]:
    """9. At most one message per person per 6 s from this number (last, so a refused message
    never holds a slot); a deferred marketing row gives its quota unit back."""
    if not pending or b.ctx.account is None:
        return pending
    allowed = b.pacer.reserve_recipients(
        b.ctx.account.phone_number_id,
        [str(d.row.contact_id) for d in pending],
        now=b.now.timestamp(),
        spacing=PAIR_SPACING_SECONDS,
    )
    out = []
    for d, ok in zip(pending, allowed, strict=True):
        if ok:
            out.append(d)
        else:
            b.defer(d, PAIR_RATE, b.now + timedelta(seconds=PAIR_SPACING_SECONDS))
    return out
