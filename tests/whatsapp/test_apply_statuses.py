"""apply_statuses: any order, any number of repeats, the same row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from plugin.contacts.models import Contact
from plugin.delivery.models import MessageKind, MessagePurpose, MessageStatus, OutboundMessage
from plugin.delivery.statuses import apply_statuses
from plugin.saleor.models import Store
from plugin.whatsapp.statuses import StatusUpdate

pytestmark = pytest.mark.sqlite

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LIFE = [
    StatusUpdate("wamid.A", "905551112233", "sent", T0, pricing_category="utility"),
    StatusUpdate("wamid.A", "905551112233", "delivered", T0 + timedelta(seconds=2)),
    StatusUpdate(
        "wamid.A", "905551112233", "read", T0 + timedelta(seconds=9), pricing_type="regular"
    ),
]


def _row(session: Session) -> OutboundMessage:
    store = Store(
        saleor_api_url="https://s.example/graphql/", saleor_app_id="a", app_token_encrypted="x"
    )
    session.add(store)
    session.flush()
    person = Contact(store_id=store.id, phone_e164="+905551112233")
    session.add(person)
    session.flush()
    row = OutboundMessage(
        store_id=store.id,
        contact_id=person.id,
        purpose=MessagePurpose.TRANSACTIONAL,
        kind=MessageKind.ORDER_UPDATE,
        idempotency_key="k",
        status=MessageStatus.SENDING,
        wamid="wamid.A",
    )
    session.add(row)
    session.flush()
    return row


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.permutations(LIFE), repeats=st.lists(st.sampled_from(LIFE), max_size=4))
def test_any_order_and_any_repeats_end_read_with_every_fact(session, order, repeats):
    # given a message the engine sent
    row = _row(session)
    # when its statuses arrive in any order, some of them more than once
    for update in [*order, *repeats]:
        apply_statuses(session, updates=[update])
    # then it is read, each timestamp is the reported one, pricing is kept
    assert (row.status, row.sent_at, row.delivered_at, row.read_at) == (
        MessageStatus.READ,
        T0,
        T0 + timedelta(seconds=2),
        T0 + timedelta(seconds=9),
    )
    assert (row.pricing_category, row.pricing_type) == ("utility", "regular")
    session.rollback()


def test_failed_is_final_and_keeps_the_error(session):
    row = _row(session)
    failed = StatusUpdate(
        "wamid.A", "905551112233", "failed", T0, errors=[(131049, "Not today", None)]
    )
    apply_statuses(session, updates=[failed, LIFE[1]])
    assert (row.status, row.error_code, row.error_message, row.failed_at) == (
        MessageStatus.FAILED,
        131049,
        "Not today",
        T0,
    )


def test_statuses_of_messages_we_never_sent_are_ignored(session):
    row = _row(session)
    other = StatusUpdate("wamid.OTHER", "905551112233", "read", T0)
    assert apply_statuses(session, updates=[other]) == 0
    assert session.exec(select(OutboundMessage)).all() == [row]
    assert row.status == MessageStatus.SENDING
