"""Quality guardrails: what Meta says about a number's or a template's quality changes what
marketing may do, within one scheduler tick, with a reason and an admin alert.

- A FLAGGED number (phone_number_quality_update, event FLAGGED: "messaging quality will be
  decreased if the number continues to receive negative feedback"; UNFLAGGED lifts it) sends
  marketing at half its throughput (`marketing_share`, read by the sender's pacing).
- A RED number (the phone number's `quality_rating` on the Graph API: GREEN / YELLOW / RED)
  sends no marketing: the policy defers marketing rows (`number_quality_red`) and `guard`
  pauses running campaigns; order updates keep going.
- A template Meta paused for quality (message_template_status_update, event PAUSED) pauses
  the campaigns that use it (`template_quality_paused`).
- An impending recategorisation (template_category_update with `correct_category` and
  `category_update_timestamp`) is recorded as an open alert before it bills.

Sources: Meta's webhook references phone_number_quality_update (updated 2026-05-21),
message_template_status_update, message_template_quality_update (2026-05-21) and
template_category_update (2025-11-11) at developers.facebook.com/documentation/
business-messaging/whatsapp/webhooks/reference/<field>; FLAGGED / UNFLAGGED wording as Meta's
earlier reference, transcribed by 8x8 (developer.8x8.com, WhatsApp phone number quality change
webhook).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import structlog
from sqlmodel import Session, col, select

from plugin import clock
from plugin.delivery.quality_models import SendingAlert
from plugin.templates.models import MessageTemplate
from plugin.whatsapp.quality import FLAGGED, RED

log = structlog.get_logger(__name__)

NUMBER_RED = "number_quality_red"
NUMBER_FLAGGED = "number_flagged"
TEMPLATE_PAUSED = "template_quality_paused"
RECATEGORISATION = "template_recategorisation_pending"

FLAGGED_SHARE = 0.5  # a flagged number's marketing throughput, as a share of its rate


def marketing_share(quality_rating: str | None) -> float:
    """Share of the number's throughput marketing may use: 0 when red, half when flagged."""
    rating = (quality_rating or "").upper()
    if rating == RED:
        return 0.0
    if rating == FLAGGED:
        return FLAGGED_SHARE
    return 1.0


def marketing_rate(rate: float, share: float) -> float:
    """A number's marketing throughput: the flagged share of its rate while Meta flags it,
    else its whole rate (a red number sends no marketing at all: the policy defers it)."""
    return rate * share if 0.0 < share < 1.0 else rate


def pace_key(account: Any, marketing: bool) -> tuple[str, float]:
    """(pacer schedule, rate) for a send: the number's own schedule, except marketing from a
    flagged number, which goes through a schedule of its own at the flagged share of the rate."""
    share = getattr(account, "marketing_share", 1.0)
    if marketing and 0.0 < share < 1.0:
        return f"{account.phone_number_id}:marketing", marketing_rate(account.rate, share)
    return account.phone_number_id, account.rate


# ---------------------------------------------------------------------------- alerts


def open_alert(
    session: Session, *, store_id: int, reason: str, subject: str, detail: dict[str, Any]
) -> SendingAlert:
    """Open (or refresh) the alert for this reason and subject."""
    row = session.exec(
        select(SendingAlert).where(
            SendingAlert.store_id == store_id,
            SendingAlert.reason == reason,
            SendingAlert.subject == subject,
        )
    ).first()
    if row is None:
        row = SendingAlert(store_id=store_id, reason=reason, subject=subject, detail=detail)
    elif row.cleared_at is not None:
        row.cleared_at, row.opened_at = None, clock.now()
    row.detail = detail
    session.add(row)
    return row


def clear_alerts(session: Session, *, store_id: int, reason: str, keep: set[str]) -> None:
    """Clear this reason's open alerts whose subject is no longer in `keep`."""
    for row in session.exec(
        select(SendingAlert).where(
            SendingAlert.store_id == store_id,
            SendingAlert.reason == reason,
            col(SendingAlert.cleared_at).is_(None),
        )
    ):
        if row.subject not in keep:
            row.cleared_at = clock.now()
            session.add(row)


def open_alerts(session: Session, *, store_id: int) -> list[SendingAlert]:
    """What the admin shows: the store's open sending-health alerts, newest first."""
    return list(
        session.exec(
            select(SendingAlert)
            .where(SendingAlert.store_id == store_id, col(SendingAlert.cleared_at).is_(None))
            .order_by(col(SendingAlert.opened_at).desc())
        ).all()
    )


def record_recategorisation(
    session: Session,
    *,
    template: MessageTemplate,
    correct_category: str,
    new_category: str | None,
    update_at: int | None,
) -> SendingAlert:
    """Meta will recategorise the template at `update_at` (epoch seconds): shown before it bills."""
    assert template.id is not None
    when = datetime.fromtimestamp(update_at, UTC).isoformat() if update_at else None
    return open_alert(
        session,
        store_id=template.store_id,
        reason=RECATEGORISATION,
        subject=f"template:{template.id}",
        detail={
            "template": template.name,
            "language": template.language,
            "category": new_category,
            "correct_category": correct_category.upper(),
            "category_update_at": when,
        },
    )
