"""The policy's vocabulary: reason codes (explained in plugin/delivery/policy/__init__.py),
the kinds exempt from consent, and the values one decision carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from plugin.delivery.models import MessageKind, MessagePurpose
from plugin.delivery.quality import NUMBER_RED
from plugin.whatsapp.credentials import Credentials

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
DAILY_TIER_EXHAUSTED = "daily_tier_exhausted"
TIER_RESERVED = "tier_reserved"
PAIR_RATE = "pair_rate"
PACED = "paced"
NUMBER_QUALITY_RED = NUMBER_RED  # marketing on a red number (plugin/delivery/quality.py)

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
    TEMPLATE_NOT_APPROVED,
    TEMPLATE_CATEGORY_CHANGED,
    STORE_INACTIVE,
    NO_ACCOUNT,
    WINDOW_CLOSED,
)
DEFER_REASONS = (
    QUIET_HOURS,
    ACCOUNT_INACTIVE,
    DAILY_TIER_EXHAUSTED,
    TIER_RESERVED,
    PAIR_RATE,
    PACED,
    NUMBER_QUALITY_RED,
    QUOTA_EXCEEDED,
)

# Kinds that answer the customer's own action: no consent, no quiet hours, no caps.
EXEMPT_KINDS = frozenset({MessageKind.OPTIN_REQUEST, MessageKind.SERVICE_REPLY})
SERVICE_WINDOW = timedelta(hours=24)
UNDELIVERABLE_FOR = timedelta(days=30)
ACCOUNT_RECHECK = timedelta(minutes=5)


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
    business_initiated: bool = False  # counted by Meta's messaging limit (delivery/window.py)
    quota_period: str | None = None  # a send holding a unit of this plan month's quota
    send_at: float = 0.0  # time.monotonic() when its number's slot starts (policy/pacing.py)
