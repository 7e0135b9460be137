"""Cash on delivery (question, nudges, answer written back to the fake Saleor), reminders
before an appointment, and a conversational reply stopping cart recovery — over the signed
Saleor and WhatsApp routes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plugin import clock
from plugin.db import session_scope
from plugin.events.sandbox_connect import sandbox_ids
from plugin.flows import cod
from plugin.flows.config import save_config
from plugin.flows.models import CodStatus, FlowKey
from plugin.settings import DEV_WHATSAPP_APP_SECRET
from plugin.whatsapp.signature import sign_body
from tests.flows.support import (
    ORDER_ID,
    Expected,
    button_params,
    checkout_event,
    flow_rows,
    order_event,
    post_event,
    seen,
    whatsapp_inbound,
)
from tests.support import drain_queue

pytestmark = pytest.mark.sqlite

COD_GATEWAY = "ulak.cash-on-delivery"
WRITE_BACK_OK = {"data": {"updateMetadata": {"errors": []}, "orderNoteAdd": {"errors": []}}}


def _post(client, flow_store, saleor_key, event, payload):
    post_event(client, flow_store["api_url"], saleor_key, event, payload)


def _reply(client, flow_store, **message):
    body = whatsapp_inbound(sandbox_ids(flow_store["store_id"])[0], at=clock.now(), **message)
    response = client.post(
        "/api/webhooks/whatsapp",
        content=body,
        headers={
            "content-type": "application/json",
            "x-hub-signature-256": sign_body(DEV_WHATSAPP_APP_SECRET, body),
        },
    )
    assert response.status_code == 200, response.text
    drain_queue()


def _enable(flow_store, key, **changes):
    with session_scope() as s:
        save_config(s, store_id=flow_store["store_id"], flow_key=key, enabled=True, **changes)


def _cod_rows(session):
    return [r for r in flow_rows(session) if r.flow_key == "cod_confirmation"]


def test_a_cash_on_delivery_order_is_asked_nudged_and_its_answer_written_back_once(
    client, flow_store, session, saleor_key, fake_saleor
):
    # given the COD flow on for a gateway, and Saleor accepting the write-back
    _enable(flow_store, FlowKey.COD_CONFIRMATION, options={"gateways": [COD_GATEWAY]})
    fake_saleor.handlers["UlakCodAnswerWriteBack"] = lambda body: WRITE_BACK_OK
    created = clock.now()
    # when a COD order arrives (twice)
    order = order_event(created=created, gateway=COD_GATEWAY)
    order["order"]["isPaid"] = False
    for _ in range(2):
        _post(client, flow_store, saleor_key, "ORDER_CREATED", order)
    # then the question now, two nudges later, with the Confirm / Cancel payloads
    rows = _cod_rows(session)
    body = ["Ayşe", "21", "₺1.249,90"]
    assert [seen(r) for r in rows] == [
        Expected(f"cod:{ORDER_ID}:1", "ulak_cod_confirmation", "tr", body, created),
        Expected(
            f"cod:{ORDER_ID}:2", "ulak_cod_confirmation", "tr", body, created + timedelta(hours=4)
        ),
        Expected(
            f"cod:{ORDER_ID}:3", "ulak_cod_confirmation", "tr", body, created + timedelta(hours=24)
        ),
    ]
    assert button_params(rows[0]) == {
        "0": {"type": "payload", "payload": "ULAK_COD_CONFIRM"},
        "1": {"type": "payload", "payload": "ULAK_COD_CANCEL"},
    }
    # when the question was sent and the customer taps Confirm on it (Meta redelivers the tap)
    rows[0].wamid, rows[0].status = "wamid.cod-question", "sent"
    session.add(rows[0])
    session.commit()
    for _ in range(2):
        _reply(
            client,
            flow_store,
            wamid="wamid.cod-answer",
            button_payload="ULAK_COD_CONFIRM",
            button_text="Onayla",
            context_wamid="wamid.cod-question",
        )
    # then the answer is on the order in Saleor, once: metadata and a note
    calls = [c for c in fake_saleor.graphql_calls if "UlakCodAnswerWriteBack" in c["query"]]
    assert [c["variables"] for c in calls] == [
        {
            "id": ORDER_ID,
            "metadata": [{"key": "ulak.cod_confirmed", "value": "true"}],
            "note": cod.NOTES[CodStatus.CONFIRMED],
        }
    ]
    assert calls[0]["token"] == "good-app-token"
    # and the nudges are cancelled, the merchant sees "confirmed"
    assert [(r.status, r.status_reason) for r in _cod_rows(session)[1:]] == [
        ("cancelled", "answered"),
        ("cancelled", "answered"),
    ]
    assert cod.statuses(session, store_id=flow_store["store_id"], order_ids=[ORDER_ID]) == {
        ORDER_ID: CodStatus.CONFIRMED
    }


def test_an_unanswered_cod_order_shows_no_answer_and_a_cancelled_one_stops_nudging(
    client, flow_store, session, saleor_key, fake_saleor
):
    # given a COD order flagged by metadata
    _enable(flow_store, FlowKey.COD_CONFIRMATION)
    created = clock.now()
    order = order_event(created=created, metafields={"ulak.cod": "true"})
    _post(client, flow_store, saleor_key, "ORDER_CREATED", order)
    statuses = cod.statuses(session, store_id=flow_store["store_id"], order_ids=[ORDER_ID])
    assert statuses == {ORDER_ID: CodStatus.PENDING}
    # when two days pass without an answer
    clock.advance(49 * 3600)
    # then the merchant sees "no answer"; and cancelling the order cancels what still waits
    statuses = cod.statuses(session, store_id=flow_store["store_id"], order_ids=[ORDER_ID])
    assert statuses == {ORDER_ID: CodStatus.NO_ANSWER}
    _post(
        client,
        flow_store,
        saleor_key,
        "ORDER_CANCELLED",
        order_event("ORDER_CANCELLED", created=created),
    )
    assert {(r.status, r.status_reason) for r in _cod_rows(session)} == {
        ("cancelled", "order_cancelled")
    }
    assert [c for c in fake_saleor.graphql_calls if "UlakCod" in c["query"]] == []


def test_a_reminder_is_due_hours_before_the_appointment_and_goes_with_the_order(
    client, flow_store, session, saleor_key
):
    # given reminders 24 h ahead, and an order for an appointment in three days (Istanbul time)
    _enable(flow_store, FlowKey.REMINDER)
    istanbul = ZoneInfo("Europe/Istanbul")
    local = (
        (clock.now() + timedelta(days=3))
        .astimezone(istanbul)
        .replace(hour=15, minute=30, second=0, microsecond=0, tzinfo=None)
    )
    order = order_event(created=clock.now(), metafields={"ulak.appointment_at": local.isoformat()})
    # when it arrives
    _post(client, flow_store, saleor_key, "ORDER_CREATED", order)
    # then one reminder, due a day before, the time shown in Turkish
    appointment = local.replace(tzinfo=istanbul)
    [row] = [r for r in flow_rows(session) if r.flow_key == "reminder"]
    assert seen(row).key == f"reminder:{ORDER_ID}"
    assert seen(row).due_at == appointment - timedelta(hours=24)
    months = [
        "Ocak",
        "Şubat",
        "Mart",
        "Nisan",
        "Mayıs",
        "Haziran",
        "Temmuz",
        "Ağustos",
        "Eylül",
        "Ekim",
        "Kasım",
        "Aralık",
    ]
    shown = f"{local.day} {months[local.month - 1]} {local.year}, 15:30"
    assert seen(row).body == ["Ayşe", shown, "21"]
    # when the order is cancelled
    _post(
        client,
        flow_store,
        saleor_key,
        "ORDER_CANCELLED",
        order_event("ORDER_CANCELLED", created=clock.now()),
    )
    # then the reminder goes with it
    [row] = [r for r in flow_rows(session) if r.flow_key == "reminder"]
    assert (row.status, row.status_reason) == ("cancelled", "order_cancelled")


def test_a_conversational_reply_stops_recovery_but_a_confirmation_or_a_button_does_not(
    client, flow_store, session, saleor_key
):
    # given a running recovery sequence
    _post(
        client,
        flow_store,
        saleor_key,
        "CHECKOUT_UPDATED",
        checkout_event(last_change=clock.now()),
    )
    # when the customer confirms the opt-in by text, then taps an unrelated button
    _reply(client, flow_store, wamid="wamid.in-1", text="Evet")
    _reply(
        client, flow_store, wamid="wamid.in-2", button_payload="ULAK_OPTIN_YES", button_text="Evet"
    )
    # then the steps still wait
    recovery = lambda: [r for r in flow_rows(session) if r.flow_key == "cart_recovery"]  # noqa: E731
    assert {r.status for r in recovery()} == {"scheduled"}
    # when the customer writes a question
    _reply(client, flow_store, wamid="wamid.in-3", text="Bu tişörtün L bedeni var mı?")
    # then recovery stops for that reason
    assert {(r.status, r.status_reason) for r in recovery()} == {("cancelled", "replied")}


def test_appointment_dates_are_read_as_store_time_without_offset():
    from plugin.flows.orders import appointment_at
    from plugin.saleor.payloads import Order

    order = Order.model_validate(
        {"id": "T3JkZXI6MQ==", "metafields": {"ulak.appointment_at": "2030-03-14T15:30:00"}}
    )
    assert appointment_at(order, "Europe/Istanbul") == datetime(
        2030, 3, 14, 12, 30, tzinfo=ZoneInfo("UTC")
    )
