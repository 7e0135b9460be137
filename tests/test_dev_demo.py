"""The demo store of dev mode as a merchant sees it (issue 20, point 1): Turkish and English
customers, last week's campaign finished with results that hold together (the admin's results
view and the dashboard agree, revenue is the credited orders' totals), a cart recovery running
with its next reminder due, and nothing added twice when `ulak demo` runs again."""

from __future__ import annotations

import base64
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tests.conftest import make_settings

pytestmark = pytest.mark.sqlite

CAMPAIGNS = (
    "{ campaigns(first: 10) { edges { node { id name status launchedAt completedAt "
    "counts { toSend sent skipped } "
    "results { sent delivered read clicked replied optedOut orders revenue cost } } } } "
    "dashboardMetrics(days: 30) { headline { sent delivered read clicked replied optedOut "
    "orders revenue { amount currency } } } }"
)
PEOPLE = "{ contactList(first: 50) { totalCount edges { node { id firstName phone locale } } } }"


def _token(page: str) -> str:
    found = re.search(r'"token": "([^"]+)"', page)
    assert found, page
    return found.group(1)


def _ask(client: TestClient, token: str, query: str, **variables: Any) -> dict[str, Any]:
    answer = client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert "errors" not in answer, answer
    data: dict[str, Any] = answer["data"]
    return data


def test_the_demo_store_shows_a_finished_campaign_and_a_running_recovery(db_url: str) -> None:
    from plugin import clock
    from plugin.analytics.models import OrderAttribution
    from plugin.app import create_app
    from plugin.db import get_engine
    from plugin.events.demo_people import PEOPLE as DEMO_PEOPLE
    from plugin.events.demo_story import QUESTION, RECOVERY_CHECKOUT

    app = create_app(make_settings(db_url), embedded_worker=False)
    with TestClient(app) as dev:
        # when a developer seeds the demo store (`ulak demo` asks the running server)
        first = dev.post("/dev/demo").json()
        # then the people, their orders, one finished campaign and one recovery are added
        assert first["contacts_added"] == len(DEMO_PEOPLE)
        assert (first["campaigns_added"], first["recoveries_added"]) == (1, 1)
        # and running it again (or opening /dev) adds nothing
        again = dev.post("/dev/demo").json()
        assert again == {**first, **dict.fromkeys(first.keys() - {"store_id"}, 0)}
        token = _token(dev.get("/dev", params={"locale": "tr"}).text)

        # the customers are Turkish and English, on Turkish and British numbers among others
        people = _ask(dev, token, PEOPLE)["contactList"]["edges"]
        locales = {p["node"]["locale"] for p in people}
        assert {"tr", "en"} <= locales
        assert any(
            p["node"]["phone"].startswith("+90") and p["node"]["locale"] == "tr" for p in people
        )
        assert any(
            p["node"]["phone"].startswith("+44") and p["node"]["locale"] == "en" for p in people
        )

        # the campaigns page shows last week's campaign, finished, with its results
        data = _ask(dev, token, CAMPAIGNS)
        [node] = [e["node"] for e in data["campaigns"]["edges"]]
        assert (node["name"], node["status"]) == ("Kış indirimi", "COMPLETED")
        launched = datetime.fromisoformat(node["launchedAt"])
        assert launched < datetime.fromisoformat(node["completedAt"]) < clock.now()
        results = node["results"]
        # every outcome happened, and the figures hold together
        assert 0 < results["read"] <= results["delivered"] <= results["sent"]
        assert results["sent"] == node["counts"]["sent"] < node["counts"]["toSend"]
        assert node["counts"]["skipped"] == 1  # the customer who had stopped marketing
        for outcome in ("clicked", "replied", "optedOut", "orders"):
            assert 0 < results[outcome] <= results["sent"], outcome
        assert Decimal(results["cost"]) > 0
        # revenue is what the orders credited to the campaign's messages came to
        with Session(get_engine()) as session:
            credited = session.exec(
                select(OrderAttribution).where(OrderAttribution.campaign_id == int(node["id"]))
            ).all()
        assert len(credited) == results["orders"]
        assert all(a.ordered_at > launched for a in credited)
        total = sum((a.net_amount for a in credited), Decimal(0))
        assert results["revenue"] == {"TRY": f"{total:.2f}"} and total > 0
        # and the dashboard's headline counts the same campaign (with the other messages)
        headline = data["dashboardMetrics"]["headline"]
        for outcome in ("sent", "delivered", "read", "clicked", "replied", "optedOut", "orders"):
            assert headline[outcome] >= results[outcome], outcome
        assert headline["revenue"] == [{"amount": f"{total:.2f}", "currency": "TRY"}]

        # Burak's Stop tap is in his consent timeline, Mehmet's question in his conversation
        ids = {p["node"]["firstName"]: p["node"]["id"] for p in people}
        burak = _ask(
            dev,
            token,
            "query($id: ID!) { contact(id: $id) { consentTimeline { purpose action source } } }",
            id=ids["Burak"],
        )["contact"]["consentTimeline"]
        assert burak[-1] == {"purpose": "MARKETING", "action": "REVOKED", "source": "BUTTON_REPLY"}
        talk = _ask(
            dev,
            token,
            "query($id: ID!) { conversation(contactId: $id, first: 10) "
            "{ edges { node { direction text kind } } } }",
            id=ids["Mehmet"],
        )["conversation"]["edges"]
        said = [e["node"] for e in talk]
        assert {"direction": "INBOUND", "text": QUESTION, "kind": None} in said
        assert any(n["kind"] == "CAMPAIGN" and "Mehmet" in (n["text"] or "") for n in said)

        # the English customer's cart is being recovered: the first reminder was delivered,
        # the next one is due later
        checkout_id = base64.b64encode(f"Checkout:{RECOVERY_CHECKOUT}".encode()).decode()
        journey = _ask(
            dev,
            token,
            "query($id: String!) { checkoutJourney(checkoutId: $id) "
            "{ action step templateName dueAt } }",
            id=checkout_id,
        )["checkoutJourney"]
        outcomes = {(e["action"], e["step"]) for e in journey}
        assert {("entered", None), ("delivered", 1), ("scheduled", 2)} <= outcomes
        assert [e["action"] for e in journey if e["step"] == 2] == ["scheduled"]
        [due] = [e["dueAt"] for e in journey if e["step"] == 2]
        assert datetime.fromisoformat(due) > clock.now()
        assert {e["templateName"] for e in journey if e["step"]} == {
            "ulak_cart_recovery_1",
            "ulak_cart_recovery_2",
        }


@pytest.mark.parametrize("month", [1, 7])  # London on GMT and on BST
def test_the_recovering_cart_was_left_so_its_reminders_fit_any_hour_of_seeding(month: int) -> None:
    from datetime import UTC, timedelta
    from zoneinfo import ZoneInfo

    from plugin.events.demo_story import cart_left_at

    london = ZoneInfo("Europe/London")
    start = datetime(2026, month, 15, tzinfo=UTC)
    for half_hours in range(48):
        # whenever the demo is seeded
        now = start + timedelta(minutes=30 * half_hours + 7)
        left = cart_left_at(now, london)
        first, second = left + timedelta(hours=1), left + timedelta(days=1)
        # the first reminder went out in the customer's day, before now; the second is to come
        assert 10 <= first.astimezone(london).hour < 19 and first < now, now
        assert second > now, now
