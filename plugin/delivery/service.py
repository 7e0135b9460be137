"""The delivery engine's public face: one import for the outbox and the send path's writers.

The rules live in the modules named below; this module only gathers their public names, so
`plugin.delivery.service.<name>` keeps working for the scheduler's task table and callers:
- outbox.py: create, hold, release, cancel and suppress outbox rows (the only writer);
- claims.py: claim due rows, record the policy's decisions and the send results;
- effects.py: what a Meta error means beyond its message, failure reasons;
- statuses.py: Meta's status webhooks;
- quota.py: the plan's quota units given back, marketing held for the quota released;
- tick.py: the scheduler tick and the outbox's readers.

Life of a row: scheduled (due later) -> queued (a queue message carries its id) -> sending
(claimed with a lease, the API call may be in flight) -> sent -> delivered -> read; or
suppressed / failed (with a reason), cancelled, unknown (the worker died mid-call: never
resent automatically — at-most-once).
"""

from __future__ import annotations

from plugin.delivery.claims import (
    LEASE,
    MAX_ATTEMPTS,
    SendOutcome,
    claim,
    record_decisions,
    record_results,
)
from plugin.delivery.effects import (
    BSUID_NOT_SUPPORTED,
    COUNTRY_RESTRICTED,
    INVALID_PAYLOAD,
    LEASE_EXPIRED,
    MARKETING_EXPERIMENT,
    MARKETING_OFF_CLOUD_API,
    NOT_DELIVERED_TODAY,
    OUTCOME_UNKNOWN,
    REJECTED,
    RETRIES_EXHAUSTED,
    apply_error_effects,
    failure_reason,
    revoke_marketing,
)
from plugin.delivery.outbox import (
    BATCH_SIZE,
    SEND_ACTOR,
    WAITING,
    bulk_enqueue,
    cancel_messages,
    enqueue_message,
)
from plugin.delivery.quota import held_messages, release_holds
from plugin.delivery.statuses import (
    PENDING_STATUS_TTL,
    STATUS_RANK,
    StatusResult,
    apply_pending_statuses,
    apply_statuses,
)
from plugin.delivery.tick import (
    MAX_PER_TICK,
    ORPHAN_AFTER_BUSY,
    dispatch_due,
    expire_leases,
    explain,
    queue_lag,
)
from plugin.whatsapp.statuses import StatusUpdate

__all__ = [
    "BATCH_SIZE",
    "BSUID_NOT_SUPPORTED",
    "COUNTRY_RESTRICTED",
    "INVALID_PAYLOAD",
    "LEASE",
    "LEASE_EXPIRED",
    "MARKETING_EXPERIMENT",
    "MARKETING_OFF_CLOUD_API",
    "MAX_ATTEMPTS",
    "MAX_PER_TICK",
    "NOT_DELIVERED_TODAY",
    "ORPHAN_AFTER_BUSY",
    "OUTCOME_UNKNOWN",
    "PENDING_STATUS_TTL",
    "REJECTED",
    "RETRIES_EXHAUSTED",
    "SEND_ACTOR",
    "STATUS_RANK",
    "WAITING",
    "SendOutcome",
    "StatusResult",
    "StatusUpdate",
    "apply_error_effects",
    "apply_pending_statuses",
    "apply_statuses",
    "bulk_enqueue",
    "cancel_messages",
    "claim",
    "dispatch_due",
    "enqueue_message",
    "expire_leases",
    "explain",
    "failure_reason",
    "held_messages",
    "queue_lag",
    "record_decisions",
    "record_results",
    "release_holds",
    "revoke_marketing",
]
