"""Segments reach username-only customers (sent to by BSUID) and leave out, for a while, those
who hit Meta's per-user marketing limit (131049): docs/delivery.md, "Platform rules"."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from plugin.contacts.models import PhoneStatus
from plugin.segments import service
from plugin.segments.service import Audience
from tests.segments.factories import days_ago, make_contact, make_store
from tests.segments.test_builtin import members

pytestmark = pytest.mark.sqlite


def test_a_username_customer_is_in_the_audience_and_a_resting_one_is_not(
    session: Session,
) -> None:
    # given a customer with a number, one known only by username, one with neither,
    # one who hit Meta's marketing limit yesterday and one who hit it ten days ago
    store = make_store(session)
    with_number = make_contact(session, store, created_at=days_ago(1))
    username = make_contact(
        session,
        store,
        created_at=days_ago(1),
        phone_e164=None,
        phone_status=PhoneStatus.MISSING,
        bsuid="DE.48291038475610293847",
    )
    make_contact(
        session, store, created_at=days_ago(1), phone_e164=None, phone_status=PhoneStatus.MISSING
    )
    make_contact(session, store, created_at=days_ago(1), marketing_limited_at=days_ago(1))
    rested = make_contact(session, store, created_at=days_ago(1), marketing_limited_at=days_ago(10))
    # when the "new customers" segment is built
    found = members(session, store.id, "new")
    # then the username customer is in it, the resting one is not
    assert found == {with_number.id, username.id, rested.id}
    preview = service.preview_audience(session, store_id=store.id, audience=Audience(builtin="new"))
    assert preview["count"] == 3
