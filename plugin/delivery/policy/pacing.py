"""10. Meta's throughput per number: every send gets a slot of its number's schedule
(plugin/delivery/pace.py) in the claim's transaction, before any call is made.

Why here and not in the send loop: a claimed chunk that waited for its number's tokens held
its worker thread and its 200 claimed rows for as long as the wait. A 100,000-recipient
campaign at 80/s kept all eight threads of a worker waiting about 50 s per message, so that
worker acted on no Saleor event while the campaign ran, and the tick queued the waiting rows
again after 10 minutes (issue 21, the soak). Now a send waits at most HORIZON in its thread;
marketing that does not fit waits in the outbox as `scheduled` (reason `paced`), due one
after another at the number's rate (each LEAD_SECONDS before its slot), after the store's
rows already waiting there, and the tick queues it as it falls due.

Order updates, replies and staff tests are admitted whatever the schedule holds: marketing
books at most HORIZON ahead, so they wait at most about that long.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa

from plugin.delivery.models import PACED
from plugin.delivery.outbox import T
from plugin.delivery.pace import LEAD_SECONDS, Admission
from plugin.delivery.policy.checks import Batch
from plugin.delivery.policy.codes import PACED as PACED_REASON
from plugin.delivery.policy.codes import Decision
from plugin.delivery.quality import pace_key

# How far ahead marketing may book its number: its rows fall due LEAD_SECONDS before their slot
# and the tick queues them once a second, so a claim books up to two seconds of sends (a chunk
# of 200 at 1,000/s goes whole; one at 80/s sends 160 and leaves 40 in the outbox).
HORIZON = LEAD_SECONDS + 1.0
# advisory lock class of (class, store id): one claim at a time extends a store's paced rows,
# so two claims never give the same due times. Taken after the plan's quota row (checks.quota)
# in every transaction that takes both, so the two cannot wait on each other.
_PACED_LOCK = 0x756C6170  # "ulap"


def pace(b: Batch, pending: list[Decision]) -> list[Decision]:
    """Admit each number's sends to its schedule (the row's send time, `Decision.send_at`);
    marketing past HORIZON is deferred to the end of the store's paced rows (Batch.defer gives
    its quota unit back)."""
    groups: dict[tuple[str, float], list[Decision]] = defaultdict(list)
    for d in pending:
        assert d.account is not None
        groups[pace_key(d.account, d.row.marketing)].append(d)
    out: list[Decision] = []
    for (number, rate), group in groups.items():
        first = [d for d in group if not b.counts_as_marketing(d)]
        later = [d for d in group if b.counts_as_marketing(d)]
        if first:
            give_slots(first, b.pacer.admit(number, len(first), rate, horizon=None))
            out.extend(first)
        if later:
            admission = b.pacer.admit(number, len(later), rate, horizon=HORIZON)
            give_slots(later[: admission.granted], admission)
            out.extend(later[: admission.granted])
            rest = later[admission.granted :]
            if rest:
                slot = _after_paced_rows(b, admission)
                for index, d in enumerate(rest):
                    due = slot + timedelta(seconds=index * admission.interval - LEAD_SECONDS)
                    b.defer(d, PACED_REASON, due)
    return out


def give_slots(decisions: list[Decision], admission: Admission) -> None:
    """Each decision's send time: the start of its slot, in order."""
    now = time.monotonic()
    for index, d in enumerate(decisions):
        d.send_at = now + admission.starts_in(index)


def _after_paced_rows(b: Batch, admission: Admission) -> datetime:
    """The first deferred row's slot: once the number's schedule is free, and after the last
    of the store's rows already waiting for their pace (the outbox is the truth: a cancelled
    or held campaign's rows leave the queue with it). Each falls due LEAD_SECONDS before."""
    if b.session.get_bind().dialect.name == "postgresql":
        b.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_PACED_LOCK, b.store_id)))
    last = b.session.execute(
        sa.select(T.c.due_at)
        .where(T.c.store_id == b.store_id, sa.text(PACED))
        .order_by(T.c.due_at.desc())
        .limit(1)
    ).scalar()
    slot = b.now + timedelta(seconds=admission.free_in)
    if last is not None:
        slot = max(slot, last + timedelta(seconds=LEAD_SECONDS + admission.interval))
    return slot
