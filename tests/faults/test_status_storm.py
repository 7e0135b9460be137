"""10,000 status webhooks, duplicated and out of order, posted to the real app: every message ends
in its furthest status (read beats delivered beats failed beats sent), the analytics count each
message once, and nothing is lost.

Real process: `ulak serve` (API + embedded workers + scheduler) on the test database. Meta
batches several statuses per body and retries whole bodies, so the 10,000 statuses travel in
bodies of 50, a few of which are delivered twice, over four concurrent connections, each body
signed with the app secret (X-Hub-Signature-256).
"""

from __future__ import annotations

import copy
import json
import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from plugin.analytics import service as analytics
from plugin.analytics.aggregate import utc_day
from plugin.analytics.models import DailyRollup
from plugin.analytics.rollups import SETTLE_EVERY
from plugin.delivery.models import (
    MessageKind,
    MessagePurpose,
    MessageStatus,
    OutboundMessage,
    PendingStatus,
)
from plugin.inbox.models import InboxEvent, InboxSource
from plugin.whatsapp.signature import HEADER, sign_body
from tests.delivery.conftest import PNID, WABA, add_contacts, connect_store, phone
from tests.faults.support import (
    Delivery,
    LossReport,
    advance_clock,
    attempt_counts,
    base_env,
    deliver_all,
    inbox_drained,
    serve,
)
from tests.support import WHATSAPP_SAMPLES, wait_for

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow, pytest.mark.timeout(300)]

APP_SECRET = "fault-test-meta-app-secret"
MESSAGES = 2000
PER_BODY = 50
REDELIVERED_BODIES = 20
# What Meta tells about each message, by pattern (i % 4), and where the message must end.
PATTERNS: list[tuple[tuple[str, ...], str]] = [
    (("sent", "delivered", "read"), "read"),
    (("sent", "delivered"), "delivered"),
    (("sent",), "sent"),
    (("sent", "failed"), "failed"),
]
OFFSET = {"sent": 10, "failed": 15, "delivered": 20, "read": 30}  # seconds after the send


def _sample_status(name: str) -> dict[str, Any]:
    body = json.loads((WHATSAPP_SAMPLES / f"{name}.json").read_text())
    return body["entry"][0]["changes"][0]["value"]["statuses"][0]


SAMPLES = {
    "sent": _sample_status("status_sent_pmp"),
    "delivered": _sample_status("status_delivered_cbp_legacy"),
    "read": _sample_status("status_read_cbp_legacy"),
    "failed": _sample_status("status_failed_130472"),
}


def _status(wamid: str, to: str, status: str, sent: int) -> dict[str, Any]:
    item = copy.deepcopy(SAMPLES[status])
    item.update(id=wamid, recipient_id=to.lstrip("+"), timestamp=str(sent + OFFSET[status]))
    if status == "sent":  # Meta's per-message pricing (PMP) travels with `sent`
        item["pricing"] = {
            "billable": True,
            "pricing_model": "PMP",
            "type": "regular",
            "category": "marketing",
        }
    return item


def _body(statuses: list[dict[str, Any]]) -> bytes:
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": WABA,
                    "changes": [
                        {
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": "905550000000",
                                    "phone_number_id": PNID,
                                },
                                "statuses": statuses,
                            },
                            "field": "messages",
                        }
                    ],
                }
            ],
        }
    ).encode()


def test_ten_thousand_duplicated_reordered_statuses_end_in_the_furthest_status(
    db_url: str, db: Session, logs: Path
) -> None:
    # given 2,000 campaign messages Ulak has just sent, no status heard yet
    store_id, account_id = connect_store(db)
    contact_ids = add_contacts(db, store_id, MESSAGES, consents=())
    sent_at = datetime.now(UTC).replace(microsecond=0)
    db.add_all(
        OutboundMessage(
            store_id=store_id,
            contact_id=contact_id,
            account_id=account_id,
            purpose=MessagePurpose.MARKETING,
            kind=MessageKind.CAMPAIGN,
            idempotency_key=f"storm:{i}",
            template_name="cart_promo",
            template_language="tr",
            source_type="campaign",
            status=MessageStatus.SENT,
            wamid=f"wamid.storm.{i}",
            attempts=1,
            sent_at=sent_at,
            created_at=sent_at,
        )
        for i, contact_id in enumerate(contact_ids)
    )
    db.commit()
    day = utc_day(sent_at)
    epoch = int(sent_at.timestamp())
    rng = random.Random(11)
    distinct = [
        _status(f"wamid.storm.{i}", phone(i + 1), status, epoch)
        for i in range(MESSAGES)
        for status in PATTERNS[i % 4][0]
    ]
    copies = [2, 3] * (len(distinct) // 2)  # each status 2 or 3 times: 10,000 in all
    rng.shuffle(copies)
    items = [item for item, n in zip(distinct, copies, strict=True) for _ in range(n)]
    rng.shuffle(items)
    assert len(items) == 10_000
    bodies = [_body(items[i : i + PER_BODY]) for i in range(0, len(items), PER_BODY)]
    bodies += rng.sample(bodies, REDELIVERED_BODIES)  # Meta retries whole bodies too
    process, app = serve(base_env(db_url, WHATSAPP_APP_SECRET=APP_SECRET), logs)
    try:
        # when Meta posts them all, in random order, over four connections
        deliveries = deliver_all(
            (
                Delivery(
                    key=str(n),
                    url=f"{app}/api/webhooks/whatsapp",
                    body=body,
                    headers={
                        HEADER: sign_body(APP_SECRET, body),
                        "content-type": "application/json",
                    },
                )
                for n, body in enumerate(bodies)
            ),
            connections=4,
        )

        wait_for(inbox_drained(db), timeout=90)
        # and the dashboard's rollup of that day has been rebuilt since (the tick rebuilds
        # today every 5 min and the last days every hour, on the app's clock)
        advanced = advance_clock(app, SETTLE_EVERY.total_seconds() + 1)

        def rolled_up() -> bool:
            db.expire_all()
            built = db.exec(
                select(sa.func.min(DailyRollup.built_at)).where(
                    DailyRollup.store_id == store_id, DailyRollup.day == day
                )
            ).one()
            return built is not None and built >= advanced

        wait_for(rolled_up, timeout=30)
    finally:
        process.stop()
    # then every body was answered 200 and recorded once
    assert attempt_counts(deliveries) == Counter({"200": len(bodies)})
    inbox = db.exec(
        select(InboxEvent.status).where(InboxEvent.source == InboxSource.WHATSAPP)
    ).all()
    recorded = len(bodies) - REDELIVERED_BODIES
    assert Counter(str(s) for s in inbox) == Counter({"processed": recorded})
    # and every message is in its furthest status, with each moment kept
    db.expire_all()
    rows = db.exec(select(OutboundMessage).where(OutboundMessage.store_id == store_id)).all()
    expected = {f"wamid.storm.{i}": PATTERNS[i % 4][1] for i in range(MESSAGES)}
    report = LossReport.compare(
        "10,000 duplicated and reordered statuses",
        [f"{wamid} {status}" for wamid, status in expected.items()],
        Counter(f"{r.wamid} {r.status}" for r in rows),
        statuses_posted=len(items),
        bodies_posted=len(bodies),
        final_statuses=dict(Counter(str(r.status) for r in rows)),
    )
    report.assert_nothing_lost()
    at = {s: datetime.fromtimestamp(epoch + OFFSET[s], UTC) for s in OFFSET}
    for row in rows:
        told = PATTERNS[int(row.wamid.rsplit(".", 1)[1]) % 4][0]  # type: ignore[union-attr]
        assert (row.sent_at, row.delivered_at, row.read_at, row.failed_at) == (
            sent_at,
            at["delivered"] if "delivered" in told else None,
            at["read"] if "read" in told else None,
            at["failed"] if "failed" in told else None,
        ), row.wamid
        assert (row.billable, row.error_code) == (True, 130472 if "failed" in told else None)
    assert db.execute(sa.select(sa.func.count()).select_from(PendingStatus)).scalar_one() == 0
    # and the analytics count each message once
    totals = analytics.totals(db, store_id=store_id, start=day, end=day)
    counted = {
        name: getattr(totals, name)
        for name in ("queued", "sent", "delivered", "read", "failed", "billable")
    }
    assert counted == {
        "queued": MESSAGES,
        "sent": MESSAGES,
        "delivered": MESSAGES // 2,
        "read": MESSAGES // 4,
        "failed": MESSAGES // 4,
        "billable": MESSAGES,
    }
