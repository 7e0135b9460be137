"""What Meta's phone_number_quality_update events mean for a number's quality flag.

Source: Meta's phone_number_quality_update webhook reference (updated 2026-05-21); FLAGGED /
UNFLAGGED wording as Meta's earlier reference, transcribed by 8x8 (developer.8x8.com)."""

from __future__ import annotations

RED = "RED"
FLAGGED = "FLAGGED"


def quality_after_event(current: str | None, event: str) -> str | None:
    """The number's quality after a phone_number_quality_update event: FLAGGED marks it (a red
    number stays red), UNFLAGGED clears the flag; other events (limits) leave it."""
    kind = event.upper()
    if kind == FLAGGED:
        return current if (current or "").upper() == RED else FLAGGED
    if kind == "UNFLAGGED":
        return "GREEN" if (current or "").upper() == FLAGGED else current
    return current
