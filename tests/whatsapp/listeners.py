"""Listeners a test registers through the journeys' extension points (events.replies)."""

from __future__ import annotations

from typing import Any

CALLS: list[tuple[str, dict[str, Any]]] = []


def inbound(**kwargs: Any) -> None:
    CALLS.append(("inbound", kwargs))


def preference(**kwargs: Any) -> None:
    CALLS.append(("preference", kwargs))
