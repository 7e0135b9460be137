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
  template_not_approved      the template is missing or not APPROVED (paused, disabled, ...)
  template_category_changed  a transactional message whose template Meta made MARKETING
  store_inactive             the app was uninstalled / the store disabled
  no_account                 the store has no WhatsApp number connected
  window_closed              free text (or a service reply) outside the 24-hour service window

Deferred (the row goes back to `scheduled` with a new `due_at`; never dropped):
  quiet_hours                inside quiet hours in the contact's time zone (store's as fallback)
  account_inactive           the WhatsApp account is suspended: every row of the store waits
  daily_tier_exhausted       Meta's messaging limit is used up: the moving 24 h window holds
                             as many recipients of business-initiated messages as the tier
                             allows; waits until a slot frees (plugin/delivery/window.py)
  tier_reserved              marketing has used its share of the window (tier minus the
                             reserve kept for order updates): waits until a slot frees
  pair_rate                  less than 6 s since the last message to this person from this number
  paced                      marketing waiting its turn at the number's throughput (Meta: 80
                             messages/s by default): due one after another at that rate, after
                             the store's rows already waiting (plugin/delivery/policy/pacing.py)
  number_quality_red         marketing on a number whose quality is red (plugin/delivery/quality.py)
  quota_exceeded             the plan's monthly marketing quota is used up: held until the next
                             plan month (its first instant in the store's time zone is the
                             row's due_at), or released sooner by the tick once units are free
                             again (a plan upgrade, a unit given back); transactional goes on

Kinds and consent (decided here, documented in docs/delivery.md):
  - OPTIN_REQUEST and SERVICE_REPLY answer the customer's own action: no consent check, no quiet
    hours, no caps. A SERVICE_REPLY (and any free text) needs the 24-hour window open.
  - ORDER_UPDATE and COD_CONFIRMATION are transactional: they need transactional consent (a
    transactional grant, e.g. recorded from the checkout's `ulak.consent`, or a marketing grant),
    as the one read model (plugin/consent/state.py) decides;
    no quiet hours unless the store turns `quiet_hours_transactional` on; no caps.
  - TEST (a staff test send) to one of the store's staff test numbers
    (plugin.contacts.staff_numbers) goes at once in its template's own category: no consent check
    (a test records none), no quiet hours, no caps, no quota; the person checks (erased,
    suppression list, undeliverable), Meta's messaging limit and the pair rate still apply. A
    TEST row to any other number gets no exemption: it follows its purpose like everything else.
  - Everything else follows its purpose: marketing needs a marketing grant, quiet hours, caps and
    the quota.

Layout: codes.py (these codes and the decision's values), context.py (what a store's batch is
decided against), checks.py (one function per check), pacing.py (Meta's throughput per
number), address.py, quiet.py, counters.py (the delivery counters; the plan's quota is
plugin.stores.usage, reserved in checks.py and given back through plugin.delivery.quota),
../window.py (Meta's messaging limit). This module runs the checks in order and gathers the
public names.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Session

from plugin.delivery.pace import PAIR_SPACING_SECONDS, Pacer
from plugin.delivery.policy import checks
from plugin.delivery.policy.address import address_problem, bsuid_country, send_address
from plugin.delivery.policy.checks import Batch, Check
from plugin.delivery.policy.codes import (
    ACCOUNT_INACTIVE,
    ACCOUNT_RECHECK,
    CAP_7D,
    CAP_24H,
    CONSENT_REVOKED,
    DAILY_TIER_EXHAUSTED,
    DEFER_REASONS,
    ERASED,
    EXEMPT_KINDS,
    INVALID_PHONE,
    MARKETING_LIMIT_REST,
    NO_ACCOUNT,
    NO_CONSENT,
    NUMBER_QUALITY_RED,
    PACED,
    PAIR_RATE,
    PHONE_REQUIRED,
    QUIET_HOURS,
    QUOTA_EXCEEDED,
    RECENT_ORDER,
    SERVICE_WINDOW,
    STORE_INACTIVE,
    SUPPRESS_REASONS,
    SUPPRESSED,
    TEMPLATE_CATEGORY_CHANGED,
    TEMPLATE_NOT_APPROVED,
    TIER_RESERVED,
    UNDELIVERABLE,
    UNDELIVERABLE_FOR,
    UNKNOWN_CONTACT,
    US_MARKETING_BLOCKED,
    WINDOW_CLOSED,
    Decision,
    Row,
    SendingAccount,
)
from plugin.delivery.policy.context import load_context, staff_test_rows
from plugin.delivery.policy.counters import (
    counter_value,
    release,
    reserve,
)
from plugin.delivery.policy.pacing import pace
from plugin.delivery.policy.quiet import quiet_until

# the checks in order; each passes on the rows it neither refused nor put off
CHECKS: tuple[Check, ...] = (
    checks.installation,
    checks.person,
    checks.consent,
    checks.message,
    checks.quiet_hours,
    checks.caps,
    checks.quota,
    checks.tier_window,
    pace,  # before the pair rate: a row it puts off holds no customer's 6 s slot
    checks.pair_rate,
)


def evaluate(session: Session, rows: list[Row], *, now: datetime, pacer: Pacer) -> list[Decision]:
    """Decide every row of a claimed batch; reserves the quota and window slots for the sends."""
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
    """Every check in turn over the rows still pending; the survivors are sent."""
    ctx = load_context(session, store_id, rows)
    batch = Batch(
        session=session,
        store_id=store_id,
        ctx=ctx,
        staff=staff_test_rows(ctx, rows),
        now=now,
        pacer=pacer,
    )
    pending = [Decision(row=row, outcome="send", account=ctx.account) for row in rows]
    for check in CHECKS:
        pending = check(batch, pending)
    for d in pending:
        batch.decided[d.row.id] = d
    batch.give_back_units()
    return [batch.decided[row.id] for row in rows]


__all__ = [
    "ACCOUNT_INACTIVE",
    "ACCOUNT_RECHECK",
    "CAP_7D",
    "CAP_24H",
    "CONSENT_REVOKED",
    "DAILY_TIER_EXHAUSTED",
    "DEFER_REASONS",
    "ERASED",
    "EXEMPT_KINDS",
    "INVALID_PHONE",
    "MARKETING_LIMIT_REST",
    "NO_ACCOUNT",
    "NO_CONSENT",
    "NUMBER_QUALITY_RED",
    "PACED",
    "PAIR_RATE",
    "PAIR_SPACING_SECONDS",
    "PHONE_REQUIRED",
    "QUIET_HOURS",
    "QUOTA_EXCEEDED",
    "RECENT_ORDER",
    "SERVICE_WINDOW",
    "STORE_INACTIVE",
    "SUPPRESSED",
    "SUPPRESS_REASONS",
    "TEMPLATE_CATEGORY_CHANGED",
    "TEMPLATE_NOT_APPROVED",
    "TIER_RESERVED",
    "UNDELIVERABLE",
    "UNDELIVERABLE_FOR",
    "UNKNOWN_CONTACT",
    "US_MARKETING_BLOCKED",
    "WINDOW_CLOSED",
    "Decision",
    "Row",
    "SendingAccount",
    "address_problem",
    "bsuid_country",
    "counter_value",
    "evaluate",
    "quiet_until",
    "release",
    "reserve",
    "send_address",
]
