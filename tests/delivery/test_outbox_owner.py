"""Delivery owns the outbox (DESIGN.md, "Layers the build checks"): every outbox row is created,
held, released, cancelled or suppressed through plugin/delivery/outbox.py, and the status
groups ("waiting", "sent", ...) are defined once, on MessageStatus.

A second writer or a second copy of a group is how the rules drifted apart before (issue 16:
five writers, three idempotency schemes, "waiting" defined five times), so the source is read
here and any new one is named."""

from __future__ import annotations

import re
from pathlib import Path

import plugin

ROOT = Path(plugin.__file__).parent
OWNER = ROOT / "delivery"
# the delivery engine's own writers of claimed rows (claims, statuses, tick) live beside the
# outbox module; nothing outside plugin/delivery may write a row
WRITES = re.compile(
    r"OutboundMessage\(|insert\(OutboundMessage|update\(OutboundMessage|delete\(OutboundMessage"
)
# two or more statuses listed together: a group that belongs on MessageStatus
GROUP = re.compile(r"[(\[{]\s*MessageStatus\.[A-Z]+(?:\.value)?\s*,\s*MessageStatus\.")


def _sources() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if p.is_file())


def test_only_delivery_writes_outbox_rows() -> None:
    writers = [
        str(p.relative_to(ROOT.parent))
        for p in _sources()
        if OWNER not in p.parents and WRITES.search(p.read_text(encoding="utf-8"))
    ]
    assert writers == []


def test_status_groups_are_defined_only_on_the_status_type() -> None:
    models = OWNER / "models.py"
    copies = [
        str(p.relative_to(ROOT.parent))
        for p in _sources()
        if p != models and GROUP.search(p.read_text(encoding="utf-8"))
    ]
    assert copies == []
