"""What a campaign's holdout says about real lift: conversion of its recipients against the
contacts it held back, with a confidence interval once both groups are large enough."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Session, col

from plugin.analytics.models import OrderAttribution
from plugin.analytics.stats import newcombe_interval
from plugin.delivery.models import OutboundMessage
from plugin.stores.service import get_settings

# Below this many contacts in either group the lift is shown without an interval: a handful
# of contacts says nothing a merchant should act on.
MIN_LIFT_GROUP = 30
LIFT_CONFIDENCE = 0.95
# Why a campaign's lift has no interval (HoldoutLift.not_enough_data): English, Turkish.
NOT_ENOUGH_DATA_TEXTS: dict[str, tuple[str, str]] = {
    "no_recipients": (
        "Not enough data: no message of the campaign has been sent yet.",
        "Yeterli veri yok: kampanyanın henüz hiçbir mesajı gönderilmedi.",
    ),
    "no_holdout": (
        "Not enough data: the campaign has no holdout group to compare with.",
        "Yeterli veri yok: kampanyanın karşılaştırılacak kontrol grubu yok.",
    ),
    "group_too_small": (
        f"Not enough data: each group needs at least {MIN_LIFT_GROUP} contacts.",
        f"Yeterli veri yok: her grupta en az {MIN_LIFT_GROUP} kişi olmalı.",
    ),
}


@dataclass(frozen=True)
class HoldoutLift:
    """Conversion of a campaign's recipients against its holdout over the same window.

    A contact converts with at least one order that is not cancelled in the window, whatever
    the order was credited to (the holdout gets no message, so nothing can be credited there).
    """

    campaign_id: int
    started_at: datetime | None
    window_hours: int
    recipients: int
    recipients_converted: int
    holdout: int
    holdout_converted: int

    @property
    def recipient_rate(self) -> float:
        return self.recipients_converted / self.recipients if self.recipients else 0.0

    @property
    def holdout_rate(self) -> float:
        return self.holdout_converted / self.holdout if self.holdout else 0.0

    @property
    def absolute_lift(self) -> float:
        """Percentage points the messages added."""
        return self.recipient_rate - self.holdout_rate

    @property
    def relative_lift(self) -> float | None:
        """(recipient rate / holdout rate) - 1; None while the holdout has no conversion."""
        return self.recipient_rate / self.holdout_rate - 1 if self.holdout_rate else None

    @property
    def incremental_orders(self) -> float:
        return self.absolute_lift * self.recipients

    @property
    def not_enough_data(self) -> Literal["no_recipients", "no_holdout", "group_too_small"] | None:
        """Why no interval is given: a group is empty, or under MIN_LIFT_GROUP contacts."""
        if not self.recipients:
            return "no_recipients"
        if not self.holdout:
            return "no_holdout"
        if min(self.recipients, self.holdout) < MIN_LIFT_GROUP:
            return "group_too_small"
        return None

    @property
    def interval(self) -> tuple[float, float] | None:
        """95 % confidence interval of `absolute_lift` (recipient rate - holdout rate) by
        Newcombe's hybrid score method (stats.newcombe_interval); None without enough data."""
        if self.not_enough_data:
            return None
        return newcombe_interval(
            self.recipients_converted, self.recipients, self.holdout_converted, self.holdout
        )


def holdout_lift(
    session: Session,
    *,
    store_id: int,
    campaign_id: int,
    holdout_contact_ids: list[int],
    window_hours: int | None = None,
) -> HoldoutLift:
    """Share of recipients (sent a message of the campaign) and of holdout contacts (the group
    campaigns fixed at launch, which campaigns passes in) who ordered within the window after
    the campaign started."""
    if window_hours is None:
        window_hours = get_settings(session, store_id).attribution_window_hours
    m = OutboundMessage
    (started_at,) = session.execute(
        sa.select(sa.func.min(col(m.sent_at))).where(
            col(m.store_id) == store_id, col(m.campaign_id) == campaign_id
        )
    ).one()
    recipients = {
        int(r[0])
        for r in session.execute(
            sa.select(col(m.contact_id))
            .where(
                col(m.store_id) == store_id,
                col(m.campaign_id) == campaign_id,
                col(m.sent_at).is_not(None),
            )
            .distinct()
        )
    }
    holdout = set(holdout_contact_ids) - recipients
    converted: set[int] = set()
    if started_at is not None and (recipients or holdout):
        end = started_at + timedelta(hours=window_hours)
        everyone = sorted(recipients | holdout)
        for start in range(0, len(everyone), 5000):
            chunk = everyone[start : start + 5000]
            converted |= {
                int(r[0])
                for r in session.execute(
                    sa.select(col(OrderAttribution.contact_id))
                    .where(
                        col(OrderAttribution.store_id) == store_id,
                        col(OrderAttribution.contact_id).in_(chunk),
                        col(OrderAttribution.ordered_at) >= started_at,
                        col(OrderAttribution.ordered_at) <= end,
                        col(OrderAttribution.cancelled).is_(False),
                    )
                    .distinct()
                )
            }
    return HoldoutLift(
        campaign_id=campaign_id,
        started_at=started_at,
        window_hours=window_hours,
        recipients=len(recipients),
        recipients_converted=len(recipients & converted),
        holdout=len(holdout),
        holdout_converted=len(holdout & converted),
    )
