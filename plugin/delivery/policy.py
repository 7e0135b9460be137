"""The send policy: checked at send time, for a whole claimed batch at once (a fixed number of
bulk queries per batch, whatever its size), so a STOP that arrives mid-campaign stops every
later message to that person.

Every "no" is recorded on the row (`status_reason`) with one of these codes, which the admin
shows when a merchant asks "why didn't she get it?":

Suppressed (final, never sent):
  no_consent                 no current consent for the purpose in the ledger
  consent_revoked            the contact revoked while the message waited (131050 or a STOP)
  suppressed                 the number is on the store's suppression list (erased on request)
  erased                     the contact was erased
  unknown_contact            no contact with the row's id in the row's store (the outbox has no
                             foreign keys: this is where a row is held to its store's contacts)
  undeliverable              Meta said the number cannot receive (131026) in the last 30 days
  invalid_phone              no usable phone number and no business-scoped user id (BSUID)
  phone_required             a BSUID-only contact and a message that needs a number: an
                             authentication template (Meta: BSUID recipients not supported,
                             131062), or marketing to a Turkish user (İYS records commercial
                             consent by phone number): sent once they share their number
  us_marketing_blocked       a marketing template to a number whose region is the United
                             States: Meta does not deliver those since 2025-04-01 (+1 regions
                             such as Canada still are)
  marketing_limit_rest       the contact hit Meta's per-user marketing limit (131049) less than
                             MARKETING_LIMIT_REST_DAYS ago
  cap_24h / cap_7d           marketing frequency caps (store settings; 1 per 24 h, 3 per 7 days;
                             cart-recovery steps answer to the weekly cap only)
  recent_order               cart recovery within `recovery_pause_after_order_hours` of an order
  quota_exceeded             the plan's monthly marketing quota is used up (transactional goes on)
  template_not_approved      the template is missing or not APPROVED (paused, disabled, ...)
  template_category_changed  a transactional message whose template Meta made MARKETING
  store_inactive             the app was uninstalled / the store disabled
  no_account                 the store has no WhatsApp number connected
  window_closed              free text (or a service reply) outside the 24-hour service window

Deferred (the row goes back to `scheduled` with a new `due_at`; never dropped):
  quiet_hours                inside quiet hours in the contact's time zone (store's as fallback)
  account_inactive           the WhatsApp account is suspended: every row of the store waits
  daily_tier_exhausted       Meta's daily unique-recipient tier is used up: next UTC day
  pair_rate                  less than 6 s since the last message to this person from this number
  number_quality_red         marketing on a number whose quality is red (plugin/delivery/quality.py)

Kinds and consent (decided here, documented in docs/delivery.md):
  - OPTIN_REQUEST and SERVICE_REPLY answer the customer's own action: no consent check, no quiet
    hours, no caps. A SERVICE_REPLY (and any free text) needs the 24-hour window open.
  - ORDER_UPDATE and COD_CONFIRMATION are transactional: they need transactional consent (a
    transactional grant, e.g. recorded from the checkout's `ulak.consent`, or a marketing grant),
    as the one read model (plugin/consent/state.py) decides;
    no quiet hours unless the store turns `quiet_hours_transactional` on; no caps.
  - TEST (a staff test send) to one of the store's staff test numbers
    (plugin.stores.staff_numbers) goes at once in its template's own category: no consent check
    (a test records none), no quiet hours, no caps, no quota; the person checks (erased,
    suppression list, undeliverable), Meta's tier and the pair rate still apply. A TEST row to
    any other number gets no exemption: it follows its purpose like everything else.
  - Everything else follows its purpose: marketing needs a marketing grant, quiet hours, caps and
    the quota.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import sqlalchemy as sa
import structlog
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from plugin.consent.models import Purpose
from plugin.consent.queries import suppressed_phones
from plugin.consent.state import allowed_contact_ids
from plugin.contacts.models import Contact, PhoneStatus
from plugin.delivery.models import (
    DeliveryCounter,
    DeliveryRecipientDay,
    MessageKind,
    MessagePurpose,
    MessageStatus,
    OutboundMessage,
)
from plugin.delivery.pace import PAIR_SPACING_SECONDS, Pacer, clamp_rate
from plugin.delivery.quality import NUMBER_RED, marketing_share
from plugin.saleor.models import Store
from plugin.settings import get_settings as get_app_settings
from plugin.stores.models import PLAN_MONTHLY_QUOTA, Plan, StoreSettings
from plugin.stores.service import get_settings as get_store_settings
from plugin.stores.staff_numbers import staff_test_numbers
from plugin.templates.models import MessageTemplate, TemplateCategory, TemplateStatus
from plugin.whatsapp.accounts import AccountStatus, default_account
from plugin.whatsapp.credentials import Credentials

log = structlog.get_logger(__name__)

# Reason codes (see the module docstring).
NO_CONSENT = "no_consent"
CONSENT_REVOKED = "consent_revoked"
SUPPRESSED = "suppressed"
ERASED = "erased"
UNKNOWN_CONTACT = "unknown_contact"
UNDELIVERABLE = "undeliverable"
INVALID_PHONE = "invalid_phone"
PHONE_REQUIRED = "phone_required"
US_MARKETING_BLOCKED = "us_marketing_blocked"
MARKETING_LIMIT_REST = "marketing_limit_rest"
CAP_24H = "cap_24h"
CAP_7D = "cap_7d"
RECENT_ORDER = "recent_order"
QUOTA_EXCEEDED = "quota_exceeded"
TEMPLATE_NOT_APPROVED = "template_not_approved"
TEMPLATE_CATEGORY_CHANGED = "template_category_changed"
STORE_INACTIVE = "store_inactive"
NO_ACCOUNT = "no_account"
WINDOW_CLOSED = "window_closed"
QUIET_HOURS = "quiet_hours"
ACCOUNT_INACTIVE = "account_inactive"
NUMBER_QUALITY_RED = NUMBER_RED
DAILY_TIER_EXHAUSTED = "daily_tier_exhausted"
PAIR_RATE = "pair_rate"

SUPPRESS_REASONS = (
    NO_CONSENT,
    CONSENT_REVOKED,
    SUPPRESSED,
    ERASED,
    UNKNOWN_CONTACT,
    UNDELIVERABLE,
    INVALID_PHONE,
    PHONE_REQUIRED,
    US_MARKETING_BLOCKED,
    MARKETING_LIMIT_REST,
    CAP_24H,
    CAP_7D,
    RECENT_ORDER,
    QUOTA_EXCEEDED,
    TEMPLATE_NOT_APPROVED,
    TEMPLATE_CATEGORY_CHANGED,
    STORE_INACTIVE,
    NO_ACCOUNT,
    WINDOW_CLOSED,
)
DEFER_REASONS = (QUIET_HOURS, ACCOUNT_INACTIVE, DAILY_TIER_EXHAUSTED, PAIR_RATE, NUMBER_QUALITY_RED)

# Kinds that answer the customer's own action: no consent, no quiet hours, no caps.
EXEMPT_KINDS = frozenset({MessageKind.OPTIN_REQUEST, MessageKind.SERVICE_REPLY})
SERVICE_WINDOW = timedelta(hours=24)
UNDELIVERABLE_FOR = timedelta(days=30)
ACCOUNT_RECHECK = timedelta(minutes=5)
# Rows that count against the marketing caps: sent, or possibly sent.
CAP_STATUSES = (
    MessageStatus.SENDING,
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.READ,
    MessageStatus.UNKNOWN,
)
QUOTA_COUNTER = "marketing_month"
TIER_COUNTER = "recipients_day"


@dataclass(slots=True)
class Row:
    """A claimed outbox row as plain values (what the policy and the sender need)."""

    id: int
    store_id: int
    contact_id: int
    purpose: str
    kind: str
    template_name: str | None
    template_language: str | None
    parameters: dict[str, Any]
    text: str | None
    attempts: int

    @property
    def marketing(self) -> bool:
        return self.purpose == MessagePurpose.MARKETING


@dataclass(frozen=True, slots=True)
class SendingAccount:
    id: int
    phone_number_id: str
    rate: float
    credentials: Credentials
    marketing_share: float = 1.0  # plugin.delivery.quality: 0 red, 0.5 flagged


@dataclass(slots=True)
class Decision:
    """What to do with one row now: send it, suppress it (final) or defer it (new due_at)."""

    row: Row
    outcome: str  # "send" | "suppressed" | "deferred"
    reason: str | None = None
    due_at: datetime | None = None
    to: str | None = None  # the phone number, or None when sent to `recipient`
    recipient: str | None = None  # the BSUID of a contact whose number we do not know
    account: SendingAccount | None = None
    template_id: int | None = None


@dataclass
class _StoreContext:
    store: Store | None
    settings: StoreSettings
    account: SendingAccount | None
    account_active: bool
    contacts: dict[int, Contact] = field(default_factory=dict)
    templates: dict[tuple[str, str], MessageTemplate] = field(default_factory=dict)


def bsuid_country(bsuid: str | None) -> str | None:
    """The ISO country a business-scoped user id starts with ("TR.123..." -> "TR")."""
    head = (bsuid or "").split(".", 1)[0]
    return head.upper() if len(head) == 2 and head.isalpha() else None


def send_address(contact: Contact) -> tuple[str | None, str | None]:
    """(to, recipient): the phone number when we know it (Meta recommends it), else the BSUID."""
    usable = contact.phone_e164 and contact.phone_status != PhoneStatus.INVALID
    if usable:
        return contact.phone_e164, None
    return None, contact.bsuid


def address_problem(contact: Contact, *, marketing: bool) -> str | None:
    """Why this contact cannot be addressed for this purpose (None: it can).

    A contact with no usable number is addressed by its BSUID (Meta's business-scoped user ids
    page: `recipient` instead of `to`). Marketing to a number in the United States is not
    delivered by Meta (since 2025-04-01; phonenumbers' region, so Canada's +1 still is).
    Turkish commercial messages need a known number for İYS: a Turkish username-only
    customer gets transactional messages by BSUID and marketing only once they share it.
    """
    to, recipient = send_address(contact)
    if to is None and recipient is None:
        return INVALID_PHONE
    if not marketing:
        return None
    if to is not None:
        if not to.startswith("+1"):  # only +1 numbers can be in the US (skip the parse)
            return None
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(to))
        except phonenumbers.NumberParseException:
            region = None
        return US_MARKETING_BLOCKED if region == "US" else None
    country = bsuid_country(recipient)
    if country == "US":
        return US_MARKETING_BLOCKED
    if country == "TR" or (contact.country or "").upper() == "TR":
        return PHONE_REQUIRED
    return None


def evaluate(session: Session, rows: list[Row], *, now: datetime, pacer: Pacer) -> list[Decision]:
    """Decide every row of a claimed batch; reserves quota and tier counters for the sends."""
    by_store: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_store[row.store_id].append(row)
    decisions: list[Decision] = []
    for store_id, store_rows in by_store.items():
        decisions.extend(_evaluate_store(session, store_id, store_rows, now=now, pacer=pacer))
    return decisions


def _evaluate_store(
    session: Session, store_id: int, rows: list[Row], *, now: datetime, pacer: Pacer
) -> list[Decision]:
    ctx = _load_context(session, store_id, rows)
    staff = _staff_test_rows(ctx, rows)
    decided: dict[int, Decision] = {}
    pending: list[Decision] = []

    def suppress(d: Decision, reason: str) -> None:
        d.outcome, d.reason = "suppressed", reason
        decided[d.row.id] = d

    def defer(d: Decision, reason: str, due_at: datetime) -> None:
        d.outcome, d.reason, d.due_at = "deferred", reason, due_at
        decided[d.row.id] = d

    # 1. installation and account
    for row in rows:
        d = Decision(row=row, outcome="send", account=ctx.account)
        if ctx.store is None or not ctx.store.is_active:
            suppress(d, STORE_INACTIVE)
        elif ctx.account is None:
            suppress(d, NO_ACCOUNT)
        elif not ctx.account_active:
            defer(d, ACCOUNT_INACTIVE, now + ACCOUNT_RECHECK)
        elif row.marketing and ctx.account.marketing_share == 0.0:  # a red number
            defer(d, NUMBER_QUALITY_RED, now + ACCOUNT_RECHECK)
        else:
            pending.append(d)

    # 2. the person: erased, address (number or BSUID), suppression list, undeliverable
    # the suppression list holds numbers, and the BSUIDs of erased username users
    addresses = {
        c.phone_e164 or c.bsuid
        for c in ctx.contacts.values()
        if (c.phone_e164 or c.bsuid) and c.erased_at is None
    }
    suppressed = suppressed_phones(session, store_id=store_id, phones=addresses)
    rest = timedelta(days=get_app_settings().marketing_limit_rest_days)
    survivors: list[Decision] = []
    for d in pending:
        contact = ctx.contacts.get(d.row.contact_id)
        if contact is None:
            suppress(d, UNKNOWN_CONTACT)
        elif contact.erased_at is not None:
            suppress(d, ERASED)
        elif contact.phone_status == PhoneStatus.ERASED:
            suppress(d, ERASED)
        elif (reason := address_problem(contact, marketing=d.row.marketing)) is not None:
            suppress(d, reason)
        elif (contact.phone_e164 or contact.bsuid) in suppressed:
            suppress(d, SUPPRESSED)
        elif contact.undeliverable_at is not None and now - contact.undeliverable_at < (
            UNDELIVERABLE_FOR
        ):
            suppress(d, UNDELIVERABLE)
        elif (
            d.row.marketing
            and contact.marketing_limited_at is not None
            and now - contact.marketing_limited_at < rest
        ):
            suppress(d, MARKETING_LIMIT_REST)
        else:
            d.to, d.recipient = send_address(contact)
            survivors.append(d)
    pending, survivors = survivors, []

    # 3. consent for the purpose (one ledger query per purpose)
    need: dict[str, set[int]] = defaultdict(set)
    for d in pending:
        if d.row.kind not in EXEMPT_KINDS and d.row.id not in staff:
            need[d.row.purpose].add(d.row.contact_id)
    granted = {
        purpose: allowed_contact_ids(
            session, store_id=store_id, contact_ids=ids, purpose=Purpose(purpose)
        )
        for purpose, ids in need.items()
    }
    for d in pending:
        if (
            d.row.kind in EXEMPT_KINDS
            or d.row.id in staff
            or d.row.contact_id in granted[d.row.purpose]
        ):
            survivors.append(d)
        else:
            suppress(d, NO_CONSENT)
    pending, survivors = survivors, []

    # 4. the message: template approved and of the expected category, or free text in window
    for d in pending:
        row = d.row
        contact = ctx.contacts[row.contact_id]
        window_open = (
            contact.last_inbound_at is not None and now - contact.last_inbound_at < SERVICE_WINDOW
        )
        if row.template_name:
            template = ctx.templates.get((row.template_name, row.template_language or ""))
            if template is None or template.status != TemplateStatus.APPROVED:
                suppress(d, TEMPLATE_NOT_APPROVED)
                continue
            if not row.marketing and template.category == TemplateCategory.MARKETING:
                suppress(d, TEMPLATE_CATEGORY_CHANGED)
                continue
            if d.to is None and template.category == TemplateCategory.AUTHENTICATION:
                suppress(d, PHONE_REQUIRED)  # Meta: never an authentication template to a BSUID
                continue
            d.template_id = template.id
        elif not window_open:
            suppress(d, WINDOW_CLOSED)
            continue
        if row.kind == MessageKind.SERVICE_REPLY and not window_open:
            suppress(d, WINDOW_CLOSED)
            continue
        survivors.append(d)
    pending, survivors = survivors, []

    # 5. quiet hours (deferred, never dropped)
    for d in pending:
        if d.row.id not in staff and _quiet_applies(d.row, ctx.settings):
            contact = ctx.contacts[d.row.contact_id]
            until = quiet_until(
                now,
                tz=_zone(contact.timezone, ctx.settings.timezone),
                start=ctx.settings.quiet_hours_start,
                end=ctx.settings.quiet_hours_end,
            )
            if until is not None:
                defer(d, QUIET_HOURS, until)
                continue
        survivors.append(d)
    pending, survivors = survivors, []

    # 6. recent order and marketing caps
    capped = [
        d
        for d in pending
        if d.row.marketing and d.row.kind not in EXEMPT_KINDS and d.row.id not in staff
    ]
    counts = _cap_counts(session, capped, now=now)
    in_batch_24h: Counter[int] = Counter()
    pause = timedelta(hours=ctx.settings.recovery_pause_after_order_hours)
    for d in pending:
        row = d.row
        contact = ctx.contacts[row.contact_id]
        if row.kind == MessageKind.CART_RECOVERY and (
            contact.last_order_at is not None and now - contact.last_order_at < pause
        ):
            suppress(d, RECENT_ORDER)
            continue
        if row.marketing and row.kind not in EXEMPT_KINDS and row.id not in staff:
            day, week = counts.get(row.contact_id, (0, 0))
            extra = in_batch_24h[row.contact_id]
            # A cart-recovery sequence answers the shopper's own checkout and spaces its steps
            # itself (default +1 h, +24 h): the daily cap would always stop its second step, so
            # only the weekly cap applies to it (its steps still count for other marketing).
            daily_capped = row.kind != MessageKind.CART_RECOVERY
            if daily_capped and day + extra >= ctx.settings.marketing_cap_24h:
                suppress(d, CAP_24H)
                continue
            if week + extra >= ctx.settings.marketing_cap_7d:
                suppress(d, CAP_7D)
                continue
            in_batch_24h[row.contact_id] += 1
        survivors.append(d)
    pending, survivors = survivors, []

    # 7. the plan's monthly marketing quota (reserved atomically across workers)
    marketing = [d for d in pending if d.row.marketing and d.row.id not in staff]
    if marketing:
        limit = PLAN_MONTHLY_QUOTA.get(Plan(ctx.settings.plan), 0)
        granted_n = reserve(
            session,
            store_id=store_id,
            name=QUOTA_COUNTER,
            period=quota_period(now, ctx.settings.timezone),
            want=len(marketing),
            limit=limit,
        )
        refused = {d.row.id for d in marketing[granted_n:]}
        for d in pending:
            if d.row.id in refused:
                suppress(d, QUOTA_EXCEEDED)
            else:
                survivors.append(d)
        _warn_quota(session, store_id=store_id, now=now, settings=ctx.settings, limit=limit)
        pending, survivors = survivors, []

    # 8. Meta's daily unique-recipient tier (template messages start conversations)
    tier = ctx.settings.daily_recipient_tier
    counted = [d for d in pending if d.row.kind != MessageKind.SERVICE_REPLY]
    if tier is not None and counted:
        allowed_contacts = _reserve_recipients_today(
            session,
            store_id=store_id,
            contact_ids=[d.row.contact_id for d in counted],
            now=now,
            tier=tier,
        )
        tomorrow = datetime.combine(now.date() + timedelta(days=1), time(0, 5), tzinfo=UTC)
        refunds = 0
        for d in pending:
            if d.row.kind != MessageKind.SERVICE_REPLY and d.row.contact_id not in allowed_contacts:
                defer(d, DAILY_TIER_EXHAUSTED, tomorrow)
                refunds += 1 if d.row.marketing and d.row.id not in staff else 0
            else:
                survivors.append(d)
        _refund_quota(session, ctx, now=now, amount=refunds)
        pending = survivors

    # 9. pair rate: at most one message per person per 6 s from this number (last, so a
    # refused message never holds a slot); a deferred marketing row gives its quota back
    if pending and ctx.account is not None:
        allowed = pacer.reserve_recipients(
            ctx.account.phone_number_id,
            [str(d.row.contact_id) for d in pending],
            now=now.timestamp(),
            spacing=PAIR_SPACING_SECONDS,
        )
        survivors = []
        refunds = 0
        for d, ok in zip(pending, allowed, strict=True):
            if ok:
                survivors.append(d)
            else:
                defer(d, PAIR_RATE, now + timedelta(seconds=PAIR_SPACING_SECONDS))
                refunds += 1 if d.row.marketing and d.row.id not in staff else 0
        _refund_quota(session, ctx, now=now, amount=refunds)
        pending = survivors

    for d in pending:
        decided[d.row.id] = d
    return [decided[row.id] for row in rows]


def _staff_test_rows(ctx: _StoreContext, rows: list[Row]) -> set[int]:
    """The TEST rows addressed to one of the store's staff test numbers: the only rows that
    skip consent, quiet hours, caps and quota (never a customer's number)."""
    numbers = set(staff_test_numbers(ctx.settings))
    if not numbers:
        return set()
    staff = set()
    for row in rows:
        contact = ctx.contacts.get(row.contact_id)
        if row.kind == MessageKind.TEST and contact is not None:
            if contact.phone_e164 in numbers:
                staff.add(row.id)
    return staff


def _refund_quota(session: Session, ctx: _StoreContext, *, now: datetime, amount: int) -> None:
    """Marketing rows deferred after the quota was reserved give their units back."""
    if amount and ctx.store is not None and ctx.store.id is not None:
        period = quota_period(now, ctx.settings.timezone)
        release(session, store_id=ctx.store.id, name=QUOTA_COUNTER, period=period, amount=amount)


# ---------------------------------------------------------------------------- loading


def _load_context(session: Session, store_id: int, rows: list[Row]) -> _StoreContext:
    store = session.get(Store, store_id)
    settings = get_store_settings(session, store_id)
    account_row = default_account(session, store_id)
    account: SendingAccount | None = None
    if account_row is not None:
        assert account_row.id is not None
        account = SendingAccount(
            id=account_row.id,
            phone_number_id=account_row.phone_number_id,
            rate=clamp_rate(account_row.throughput_mps),
            credentials=_credentials(account_row),
            marketing_share=marketing_share(account_row.quality_rating),
        )
    ctx = _StoreContext(
        store=store,
        settings=settings,
        account=account,
        account_active=account_row is not None and account_row.status == AccountStatus.ACTIVE,
    )
    contact_ids = sorted({r.contact_id for r in rows})
    for contact in session.execute(
        sa.select(Contact).where(
            Contact.id.in_(contact_ids),  # type: ignore[union-attr]
            Contact.store_id == store_id,  # only this store's contacts, whatever a row says
        )
    ).scalars():
        ctx.contacts[contact.id] = contact  # type: ignore[index]
    pairs = {(r.template_name, r.template_language or "") for r in rows if r.template_name}
    if pairs:
        names = sorted({name for name, _ in pairs})
        for template in session.execute(
            sa.select(MessageTemplate).where(
                MessageTemplate.store_id == store_id,
                MessageTemplate.name.in_(names),  # type: ignore[attr-defined]
            )
        ).scalars():
            ctx.templates[(template.name, template.language)] = template
    return ctx


_token_cache: dict[tuple[int, str], str] = {}


def _credentials(account: Any) -> Credentials:
    """Decrypt once per (account, ciphertext): the hot path sends thousands per second."""
    key = (account.id, account.access_token_encrypted)
    token = _token_cache.get(key)
    if token is None:
        if len(_token_cache) > 1000:
            _token_cache.clear()
        token = _token_cache[key] = account.access_token()
    return Credentials(
        phone_number_id=account.phone_number_id,
        access_token=token,
        waba_id=account.waba_id,
        use_marketing_messages=account.use_marketing_endpoint,
        message_activity_sharing=account.message_activity_sharing,
        product_policy=(
            "STRICT" if account.marketing_product_policy == "STRICT" else "CLOUD_API_FALLBACK"
        ),
    )


# ---------------------------------------------------------------------------- quiet hours


def _zone(contact_tz: str | None, store_tz: str) -> ZoneInfo:
    for name in (contact_tz, store_tz, "UTC"):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def _quiet_applies(row: Row, settings: StoreSettings) -> bool:
    if row.kind in EXEMPT_KINDS:
        return False
    return row.marketing or settings.quiet_hours_transactional


def _hhmm(value: str) -> time:
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes or 0))


def quiet_until(now: datetime, *, tz: ZoneInfo, start: str, end: str) -> datetime | None:
    """The first allowed minute (UTC) if `now` is inside quiet hours in `tz`, else None.

    Quiet hours may wrap midnight (21:00-09:00). The end is computed on the local calendar, so
    a DST change inside the night still lands on 09:00 local time.
    """
    start_t, end_t = _hhmm(start), _hhmm(end)
    if start_t == end_t:
        return None
    local = now.astimezone(tz)
    moment = local.time()
    if start_t < end_t:
        inside = start_t <= moment < end_t
        end_day = local.date()
    else:
        inside = moment >= start_t or moment < end_t
        end_day = local.date() + timedelta(days=1) if moment >= start_t else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end_t, tzinfo=tz).astimezone(UTC)


# ---------------------------------------------------------------------------- caps


def _cap_counts(
    session: Session, decisions: list[Decision], *, now: datetime
) -> dict[int, tuple[int, int]]:
    """contact_id -> (marketing messages in the last 24 h, in the last 7 days), one query."""
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
            table.c.contact_id.in_(contact_ids),
            table.c.purpose == MessagePurpose.MARKETING.value,
            table.c.kind != MessageKind.TEST.value,  # a staff test is no customer's marketing
            table.c.status.in_([s.value for s in CAP_STATUSES]),
            moment >= week_ago,
            table.c.id.not_in(batch_ids),
        )
        .group_by(table.c.contact_id)
    ).all()
    return {int(cid): (int(day or 0), int(week or 0)) for cid, day, week in rows}


# ---------------------------------------------------------------------------- counters


def quota_period(now: datetime, store_tz: str) -> str:
    """The plan month in the store's time zone, e.g. "2026-05"."""
    local = now.astimezone(_zone(None, store_tz))
    return f"{local.year:04d}-{local.month:02d}"


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _counter_row(session: Session, *, store_id: int, name: str, period: str) -> Any:
    table = DeliveryCounter.__table__  # type: ignore[attr-defined]
    session.execute(
        _insert(session)(table)
        .values(store_id=store_id, name=name, period=period, value=0, warned_at_percent=0)
        .on_conflict_do_nothing()
    )
    query = sa.select(table.c.value, table.c.warned_at_percent).where(
        table.c.store_id == store_id, table.c.name == name, table.c.period == period
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.execute(query).one()


def reserve(
    session: Session, *, store_id: int, name: str, period: str, want: int, limit: int
) -> int:
    """Take up to `want` units of a counter capped at `limit`; returns how many were granted.
    The row lock makes concurrent workers queue here, so the cap is never overshot."""
    if want <= 0:
        return 0
    value, _ = _counter_row(session, store_id=store_id, name=name, period=period)
    granted = max(0, min(want, limit - int(value)))
    if granted:
        _add(session, store_id=store_id, name=name, period=period, amount=granted)
    return granted


def release(session: Session, *, store_id: int, name: str, period: str, amount: int) -> None:
    """Give back units reserved for messages that were not sent after all."""
    _add(session, store_id=store_id, name=name, period=period, amount=-amount)


def _add(session: Session, *, store_id: int, name: str, period: str, amount: int) -> None:
    table = DeliveryCounter.__table__  # type: ignore[attr-defined]
    session.execute(
        sa.update(table)
        .where(table.c.store_id == store_id, table.c.name == name, table.c.period == period)
        .values(value=table.c.value + amount)
    )


def counter_value(session: Session, *, store_id: int, name: str, period: str) -> int:
    table = DeliveryCounter.__table__  # type: ignore[attr-defined]
    value = session.execute(
        sa.select(table.c.value).where(
            table.c.store_id == store_id, table.c.name == name, table.c.period == period
        )
    ).scalar()
    return int(value or 0)


def _warn_quota(
    session: Session, *, store_id: int, now: datetime, settings: StoreSettings, limit: int
) -> None:
    """Raise the 80 % and 100 % warnings once per month (a log alert the admin also reads)."""
    period = quota_period(now, settings.timezone)
    value, warned = _counter_row(session, store_id=store_id, name=QUOTA_COUNTER, period=period)
    if limit <= 0:
        return
    percent = int(value) * 100 // limit
    for threshold in (100, 80):
        if percent >= threshold and int(warned) < threshold:
            table = DeliveryCounter.__table__  # type: ignore[attr-defined]
            session.execute(
                sa.update(table)
                .where(
                    table.c.store_id == store_id,
                    table.c.name == QUOTA_COUNTER,
                    table.c.period == period,
                )
                .values(warned_at_percent=threshold)
            )
            log.warning(
                "marketing_quota_warning",
                store_id=store_id,
                percent=threshold,
                used=int(value),
                quota=limit,
                alert=True,
            )
            break


def tier_day(now: datetime) -> str:
    return now.astimezone(UTC).date().isoformat()


def _reserve_recipients_today(
    session: Session, *, store_id: int, contact_ids: list[int], now: datetime, tier: int
) -> set[int]:
    """The contacts that may receive a business-initiated message today under the tier:
    those already messaged today, plus new ones while the tier lasts (recorded here)."""
    day = tier_day(now)
    table = DeliveryRecipientDay.__table__  # type: ignore[attr-defined]
    unique = list(dict.fromkeys(contact_ids))
    known = {
        int(cid)
        for (cid,) in session.execute(
            sa.select(table.c.contact_id).where(
                table.c.store_id == store_id, table.c.day == day, table.c.contact_id.in_(unique)
            )
        ).all()
    }
    new = [cid for cid in unique if cid not in known]
    granted = reserve(
        session, store_id=store_id, name=TIER_COUNTER, period=day, want=len(new), limit=tier
    )
    admitted = new[:granted]
    if admitted:
        session.execute(
            _insert(session)(table)
            .values([{"store_id": store_id, "day": day, "contact_id": cid} for cid in admitted])
            .on_conflict_do_nothing()
        )
    return known | set(admitted)


def tier_remaining(session: Session, *, store_id: int, now: datetime) -> int | None:
    """How many new recipients the store may still reach today (None: unlimited). Campaigns
    check this before they start."""
    tier = get_store_settings(session, store_id).daily_recipient_tier
    if tier is None:
        return None
    used = counter_value(session, store_id=store_id, name=TIER_COUNTER, period=tier_day(now))
    return max(0, tier - used)
