"""PostgreSQL goes away in the middle of a webhook burst: Saleor gets 503s, its retries land the
deliveries afterwards, and every delivery is in the inbox exactly once and acted on once.

Real processes: `ulak serve` (API + embedded workers + scheduler) whose DATABASE_URL points at
a TCP proxy in front of the shared PostgreSQL; the "restart" is the proxy resetting every
connection and refusing new ones for a few seconds (the shared server is never restarted).
Saleor's retry schedule (5 retries, 10 s backoff doubling) is kept in shape at 1/20 of its time.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from plugin.contacts.models import Contact
from plugin.inbox.models import InboxEvent
from plugin.segments.models import ContactOrder
from plugin.whatsapp.accounts import WhatsAppAccount
from tests.faults.support import (
    Delivery,
    LossReport,
    TcpProxy,
    advance_clock,
    attempt_counts,
    base_env,
    deliver_all,
    inbox_drained,
    serve,
    via,
)
from tests.services import port_of
from tests.support import PAYLOADS, FakeSaleor, SigningKey, wait_for

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow, pytest.mark.timeout(300)]

CUSTOMERS = 120  # each arrives as CUSTOMER_CREATED and as one ORDER_CREATED: 240 deliveries
OUTAGE_SECONDS = 3.0
ORPHAN_SWEEP = timedelta(seconds=31)  # the inbox sweep: QUEUE_LOST_AFTER_SECONDS (30) passed


def _phone(i: int) -> str:
    return f"+90533{i:07d}"


def _customer(i: int) -> bytes:
    payload = json.loads((PAYLOADS / "CUSTOMER_CREATED.json").read_text())
    user = payload["user"]
    user["id"] = base64.b64encode(f"User:{7000 + i}".encode()).decode()
    user["email"] = f"musteri{i}@example.com"
    user["defaultBillingAddress"] = {
        **user["defaultBillingAddress"],
        "phone": _phone(i),
        "country": {"code": "TR"},
    }
    return json.dumps(payload).encode()


def _order(i: int) -> bytes:
    payload = json.loads((PAYLOADS / "ORDER_CREATED.json").read_text())
    order = payload["order"]
    order["id"] = base64.b64encode(f"Order:fault-{i}".encode()).decode()
    order["number"] = str(5000 + i)
    order["userEmail"] = f"musteri{i}@example.com"
    for kind in ("billingAddress", "shippingAddress"):
        order[kind] = {**copy.deepcopy(order[kind]), "phone": _phone(i), "country": {"code": "TR"}}
    return json.dumps(payload).encode()


def _delivery(app: str, fake: FakeSaleor, key: SigningKey, event: str, body: bytes) -> Delivery:
    return Delivery(
        key=hashlib.sha256(body).hexdigest(),
        url=f"{app}/api/webhooks/saleor/{event.lower().replace('_', '-')}",
        body=body,
        headers={
            "saleor-signature": key.sign_body(body),
            "saleor-api-url": fake.api_url,
            "saleor-event": event.lower(),
            "content-type": "application/json",
        },
    )


def test_a_postgres_restart_during_a_webhook_burst_loses_no_delivery(
    db_url: str,
    db: Session,
    fake_saleor: FakeSaleor,
    saleor_key: SigningKey,
    logs: Path,
) -> None:
    with TcpProxy(port_of(db_url)) as proxy:
        env = base_env(via(db_url, port_of(db_url), proxy.port))
        process, app = serve(env, logs)
        fake_saleor.app_url = app  # Saleor installed Ulak from this app's manifest
        try:
            # given a store installed on the app, whose database goes through the proxy
            register = httpx.post(
                f"{app}/api/register",
                headers={"saleor-api-url": fake_saleor.api_url},
                json={"auth_token": "good-app-token"},
                timeout=30,
            )
            assert register.status_code == 200, register.text
            wait_for(lambda: db.exec(select(WhatsAppAccount)).first(), timeout=30)
            deliveries = [
                _delivery(app, fake_saleor, saleor_key, event, body)
                for i in range(CUSTOMERS)
                for event, body in (
                    ("CUSTOMER_CREATED", _customer(i)),
                    ("ORDER_CREATED", _order(i)),
                )
            ]
            first, rest = deliveries[: len(deliveries) // 3], deliveries[len(deliveries) // 3 :]
            # when a third of the burst has landed and PostgreSQL then restarts while the
            # rest arrives (each sender retrying as Saleor does)
            deliver_all(first)
            proxy.cut()
            burst = threading.Thread(target=deliver_all, args=(rest,))
            burst.start()
            wait_for(lambda: sum(len(d.attempts) for d in rest) >= 20, timeout=30)
            threading.Event().wait(OUTAGE_SECONDS)
            proxy.restore()
            burst.join(120)
            assert not burst.is_alive()
            # and the scheduler's orphan sweep has had its turn (30 s on the app's clock)
            advance_clock(app, ORPHAN_SWEEP.total_seconds())
            wait_for(inbox_drained(db), timeout=60)
        finally:
            process.stop()
    # then Saleor saw 503s (never a 500) while the database was away, and every delivery
    # landed in the end
    outcomes = attempt_counts(deliveries)
    assert outcomes["503"] > 0, outcomes
    assert set(outcomes) <= {"200", "503"}, outcomes
    assert [d.key for d in deliveries if not d.landed] == []
    # and each is in the inbox once, processed; each customer is one contact with one order
    rows = db.exec(select(InboxEvent.dedupe_key, InboxEvent.status)).all()
    found = Counter(k for k, _ in rows)
    statuses = Counter(str(s) for _, s in rows)
    phones = [_phone(i) for i in range(CUSTOMERS)]
    contacts = db.exec(
        select(Contact.phone_e164, Contact.orders_count).where(
            Contact.phone_e164.in_(phones)  # type: ignore[attr-defined]
        )
    ).all()
    orders = db.execute(sa.select(sa.func.count()).select_from(ContactOrder)).scalar_one()
    report = LossReport.compare(
        "PostgreSQL restarted mid-burst",
        [d.key for d in deliveries],
        found,
        sender_attempts=dict(outcomes),
        inbox_statuses=dict(statuses),
        proxy={"dropped": proxy.dropped, "refused": proxy.refused},
    )
    report.assert_nothing_lost()
    assert statuses == Counter({"processed": len(deliveries)})
    assert sorted(contacts) == [(p, 1) for p in sorted(phones)]
    assert orders == CUSTOMERS
