"""The admin's contact list: a total and filters by consent, tag, segment and country; and a
profile's orders and clicks. Filters must match what a campaign to the same audience reaches."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session, select

from plugin import clock
from plugin.analytics.models import AgentClass, LinkClick, TrackedLink
from plugin.consent.models import ConsentAction
from plugin.contacts.models import ContactOrder
from plugin.saleor.models import Store
from plugin.segments.models import Segment
from plugin.segments.tags import add_tags
from plugin.stores.models import Plan
from plugin.stores.service import get_settings
from tests.admin_api_support import ok, token_for
from tests.segments.factories import days_ago, grant_marketing, make_contact

pytestmark = pytest.mark.sqlite

LIST = """query($filter: ContactFilter, $first: Int, $after: String) {
  contactList(filter: $filter, first: $first, after: $after) {
    totalCount edges { node { phone } } pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.fixture()
def shop(client, installed_store, saleor_key, session) -> dict[str, Any]:
    store = session.exec(select(Store)).one()
    settings = get_settings(session, store.id)
    settings.plan = Plan.GOLD  # tags are a Silver feature
    session.add(settings)
    session.commit()
    return {"store": store, "token": token_for(saleor_key, installed_store["api_url"])}


def phones(client, shop, **filter: Any) -> tuple[int, set[str]]:
    data = ok(client, shop["token"], LIST, {"filter": filter, "first": 100})["contactList"]
    return data["totalCount"], {e["node"]["phone"] for e in data["edges"]}


def test_the_list_counts_every_match_and_filters_by_consent_tag_country_and_segment(
    client, shop, session: Session
):
    # given four contacts: consented Turk with tag VIP, opted-out Turk, German, no facts
    store = shop["store"]
    ayse = make_contact(session, store, phone_e164="+905320000001", country="TR")
    grant_marketing(session, ayse, at=days_ago(3))
    add_tags(session, store_id=store.id, contact_id=ayse.id, tags=["VIP"])
    mert = make_contact(session, store, phone_e164="+905320000002", country="TR")
    grant_marketing(session, mert, at=days_ago(5))
    grant_marketing(session, mert, at=days_ago(1), action=ConsentAction.REVOKED)
    hans = make_contact(session, store, phone_e164="+491510000003", country="DE")
    make_contact(session, store, phone_e164="+905320000004", country="TR")
    segment = Segment(
        store_id=store.id, name="Germans", rule={"field": "country", "op": "eq", "value": "DE"}
    )
    session.add(segment)
    session.commit()
    # then
    assert phones(client, shop)[0] == 4
    assert phones(client, shop, consent="GRANTED") == (1, {"+905320000001"})
    assert phones(client, shop, consent="REVOKED") == (1, {"+905320000002"})
    assert phones(client, shop, consent="NONE") == (2, {"+491510000003", "+905320000004"})
    assert phones(client, shop, tag="vip") == (1, {"+905320000001"})
    assert phones(client, shop, country="tr")[0] == 3
    assert phones(client, shop, segmentId=str(segment.id)) == (1, {hans.phone_e164})
    assert phones(client, shop, country="TR", consent="NOT_GRANTED")[0] == 2


def test_the_total_holds_across_pages(client, shop, session: Session):
    for i in range(5):
        make_contact(session, shop["store"], phone_e164=f"+90532100000{i}")
    first = ok(client, shop["token"], LIST, {"first": 2})["contactList"]
    second = ok(client, shop["token"], LIST, {"first": 2, "after": first["pageInfo"]["endCursor"]})[
        "contactList"
    ]
    assert (first["totalCount"], second["totalCount"]) == (5, 5)
    assert len(first["edges"]) == len(second["edges"]) == 2
    assert {e["node"]["phone"] for e in first["edges"]}.isdisjoint(
        e["node"]["phone"] for e in second["edges"]
    )


def test_a_profile_shows_its_orders_and_counted_clicks(client, shop, session: Session):
    store = shop["store"]
    contact = make_contact(session, store, phone_e164="+905320000009")
    for n, total in ((1, "120.50"), (2, "80.00")):
        session.add(
            ContactOrder(
                store_id=store.id,
                contact_id=contact.id,
                order_id=f"order-{n}",
                created_at=days_ago(10 - n),
                total=Decimal(total),
                currency="TRY",
                status="fulfilled",
            )
        )
    link = TrackedLink(store_id=store.id, code="abc", url="https://shop.example/p")
    session.add(link)
    session.commit()
    for filtered in (False, False, True):  # a link preview bot is not a click
        session.add(
            LinkClick(
                store_id=store.id,
                link_id=link.id,
                contact_id=contact.id,
                agent_class=AgentClass.MOBILE if not filtered else AgentClass.BOT,
                filtered=filtered,
                clicked_at=clock.now(),
            )
        )
    session.commit()
    activity = ok(
        client,
        shop["token"],
        "query($id: ID!) { contactActivity(contactId: $id) { orders { orderId total currency } "
        "clicks lastClickAt } }",
        {"id": str(contact.id)},
    )["contactActivity"]
    assert activity["orders"] == [
        {"orderId": "order-2", "total": "80.00", "currency": "TRY"},
        {"orderId": "order-1", "total": "120.50", "currency": "TRY"},
    ]
    assert activity["clicks"] == 2
    assert activity["lastClickAt"] is not None
