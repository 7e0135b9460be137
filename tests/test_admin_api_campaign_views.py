"""What the campaigns page reads (issue 20 point 7): one count for the list and the live panel
with "waits for quiet hours, starts at …", drafts that can be deleted (never a launched
campaign, never another store's), the review's message from the one message builder, and
results that are the dashboard's own figures for the campaign."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from plugin import clock
from plugin.analytics.attribution import attribute_order
from plugin.campaigns.models import Campaign
from plugin.contacts.staff_numbers import set_staff_test_numbers
from plugin.delivery.models import MessageStatus
from plugin.templates.models import MessageTemplate, TemplateStatus
from tests.admin_api_support import ok
from tests.analytics.factories import make_order
from tests.campaigns.test_lifecycle import campaign_rows
from tests.segments.factories import grant_marketing, make_contact, make_template
from tests.support import drain_queue
from tests.test_admin_api_flows_campaigns import (  # noqa: F401
    CAMPAIGN_INPUT,
    ERRORS,
    _save,
    _step,
    run,
    shop,
)
from tests.test_admin_api_isolation import two_stores  # noqa: F401

pytestmark = pytest.mark.sqlite

STAFF = "+905559990001"  # a staff number, outside the contact factory's range
COUNTS = "counts { toSend handled queued held sent skipped cancelled quietHours startsAt }"


def _launched(client, shop, session: Session, contacts: int, **input: Any) -> str:  # noqa: F811
    """A campaign to `contacts` consented contacts, tested and launched, its rows written."""
    make_template(session, shop["store"])
    for _ in range(contacts):
        grant_marketing(session, make_contact(session, shop["store"]), at=clock.now())
    set_staff_test_numbers(session, store_id=shop["id"], numbers=[STAFF])
    session.commit()
    data = run(
        client,
        shop,
        f"mutation($input: CampaignInput!) {{ saveCampaign(input: $input) "
        f"{{ campaign {{ id }} {ERRORS} }} }}",
        {"input": CAMPAIGN_INPUT | input},
    )["saveCampaign"]
    campaign_id = data["campaign"]["id"]
    tested = run(
        client,
        shop,
        f'mutation {{ sendCampaignTest(id: "{campaign_id}", phone: "{STAFF}") {{ {ERRORS} }} }}',
    )["sendCampaignTest"]
    assert tested["errors"] == []
    assert _step(client, shop, "launchCampaign", campaign_id)["errors"] == []
    drain_queue()
    return str(campaign_id)


def _counts(client, shop, campaign_id: str) -> tuple[dict[str, Any], dict[str, Any]]:  # noqa: F811
    """The counts as the list shows them, and as the live panel (campaign(id)) does."""
    listed = run(
        client, shop, f"{{ campaigns(first: 10) {{ edges {{ node {{ id {COUNTS} }} }} }} }}"
    )
    [node] = [e["node"] for e in listed["campaigns"]["edges"] if e["node"]["id"] == campaign_id]
    panel = run(client, shop, f'{{ campaign(id: "{campaign_id}") {{ {COUNTS} }} }}')
    return node["counts"], panel["campaign"]["counts"]


def test_a_campaign_waiting_for_quiet_hours_shows_one_count_and_when_it_starts(
    client,
    shop,  # noqa: F811
    session,
):
    # given a campaign to 4 contacts, launched in quiet hours: one skipped at once (no consent
    # any more), three deferred by the send-time policy to the end of quiet hours
    campaign_id = _launched(client, shop, session, 4)
    rows = sorted(campaign_rows(session, int(campaign_id)), key=lambda r: r.contact_id)
    nine = datetime(2030, 1, 2, 6, 0, tzinfo=UTC)  # 09:00 in Istanbul
    rows[0].status, rows[0].status_reason = MessageStatus.SUPPRESSED, "no_consent"
    for row, due in zip(rows[1:], (nine, nine, nine + timedelta(hours=1)), strict=True):
        row.status, row.status_reason, row.due_at = MessageStatus.SCHEDULED, "quiet_hours", due
    session.commit()
    # when the list and the live panel read it
    listed, panel = _counts(client, shop, campaign_id)
    # then both show the same figures and the first end of quiet hours as the start
    assert (
        listed
        == panel
        == {
            "toSend": 4,
            "handled": 1,
            "queued": 3,
            "held": 0,
            "sent": 0,
            "skipped": 1,
            "cancelled": 0,
            "quietHours": 3,
            "startsAt": "2030-01-02T06:00:00+00:00",
        }
    )
    # when one message is no longer waiting for quiet hours (it is going out)
    rows[3].status, rows[3].status_reason = MessageStatus.QUEUED, None
    session.commit()
    listed, panel = _counts(client, shop, campaign_id)
    # then there is no start time to wait for, and still one count
    assert listed == panel
    assert (panel["quietHours"], panel["queued"], panel["startsAt"]) == (2, 3, None)
    # when paused: the waiting rows are held, not handled
    assert _step(client, shop, "pauseCampaign", campaign_id)["errors"] == []
    listed, panel = _counts(client, shop, campaign_id)
    assert listed == panel
    assert (panel["handled"], panel["held"], panel["queued"], panel["cancelled"]) == (1, 3, 0, 0)


def test_a_scheduled_campaign_says_when_it_starts(client, shop, session):  # noqa: F811
    # given a campaign launched to start at a set time
    at = (clock.now() + timedelta(days=2)).replace(microsecond=0)
    campaign_id = _launched(client, shop, session, 2, sendMode="AT", sendAt=at.isoformat())
    # then the list and the panel give that time as its start, before any row exists
    listed, panel = _counts(client, shop, campaign_id)
    assert listed == panel
    assert (panel["startsAt"], panel["toSend"], panel["handled"]) == (at.isoformat(), 0, 0)


def test_a_draft_can_be_deleted_and_a_launched_campaign_cannot(client, shop, session):  # noqa: F811
    # given a draft and a launched campaign
    launched = _launched(client, shop, session, 1)
    draft = _save(client, shop)
    delete = f"campaign {{ id name status }} {ERRORS}"
    # when the draft is deleted
    gone = run(client, shop, f'mutation {{ deleteCampaign(id: "{draft}") {{ {delete} }} }}')
    # then it answers the draft as it was, and it is gone from the list and the database
    assert gone["deleteCampaign"] == {
        "campaign": {"id": draft, "name": "Spring sale", "status": "DRAFT"},
        "errors": [],
    }
    session.expire_all()
    assert session.get(Campaign, int(draft)) is None
    listed = run(client, shop, "{ campaigns(first: 10) { edges { node { id } } } }")
    assert [e["node"]["id"] for e in listed["campaigns"]["edges"]] == [launched]
    # when the launched campaign is deleted: refused in both languages, kept as it was
    refused = run(client, shop, f'mutation {{ deleteCampaign(id: "{launched}") {{ {delete} }} }}')
    assert refused["deleteCampaign"]["campaign"]["status"] == "RUNNING"
    [error] = refused["deleteCampaign"]["errors"]
    assert error["code"] == "INVALID_TRANSITION" and error["messageTr"]
    assert session.get(Campaign, int(launched)) is not None
    # when the deleted draft is named again: not found
    again = run(client, shop, f'mutation {{ deleteCampaign(id: "{draft}") {{ {delete} }} }}')
    assert [e["code"] for e in again["deleteCampaign"]["errors"]] == ["NOT_FOUND"]


def test_another_store_can_neither_read_nor_delete_a_draft(client, two_stores, session):  # noqa: F811
    # given store B's draft (store B on Gold: its audience is a rule)
    from plugin.saleor.models import Store
    from plugin.stores.models import Plan
    from tests.test_admin_api_flows_campaigns import set_plan

    set_plan(session, two_stores["b"], Plan.GOLD)
    make_template(session, session.get(Store, two_stores["b"]))
    draft = ok(
        client,
        two_stores["token_b"],
        f"mutation($input: CampaignInput!) {{ saveCampaign(input: $input) "
        f"{{ campaign {{ id }} {ERRORS} }} }}",
        {"input": CAMPAIGN_INPUT},
    )["saveCampaign"]
    theirs = draft["campaign"]["id"]
    # when store A's admin reads it, its message and results, and deletes it
    read = ok(
        client,
        two_stores["token_a"],
        f'{{ campaign(id: "{theirs}") {{ id messagePreviews {{ variant }} results {{ sent }} }} }}',
    )
    deleted = ok(
        client,
        two_stores["token_a"],
        f'mutation {{ deleteCampaign(id: "{theirs}") {{ campaign {{ id }} {ERRORS} }} }}',
    )
    # then nothing is seen, nothing is deleted
    assert read == {"campaign": None}
    assert deleted["deleteCampaign"]["campaign"] is None
    assert [e["code"] for e in deleted["deleteCampaign"]["errors"]] == ["NOT_FOUND"]
    session.expire_all()
    assert session.get(Campaign, int(theirs)) is not None


PREVIEW = (
    "messagePreviews { variant templateName problem problemTr "
    "preview { header { format text } body footer buttons { type text } } }"
)


def test_the_review_shows_the_message_the_builder_fills(client, shop, session):  # noqa: F811
    # given a draft whose variant fills {{1}} with the first name
    make_template(session, shop["store"])
    draft = _save(client, shop)
    # when its review asks for the message
    data = run(client, shop, f'{{ campaign(id: "{draft}") {{ {PREVIEW} }} }}')
    # then the body is filled as a Turkish contact named like the catalogue's sample sees it
    assert data["campaign"]["messagePreviews"] == [
        {
            "variant": "A",
            "templateName": "spring_sale",
            "problem": None,
            "problemTr": None,
            "preview": {
                "header": None,
                "body": "Merhaba Ayşe, bahar indirimi başladı!",
                "footer": None,
                "buttons": [],
            },
        }
    ]
    # when the template loses its approval, the review says why instead of a message
    template = session.exec(
        select(MessageTemplate).where(MessageTemplate.store_id == shop["id"])
    ).one()
    template.status = TemplateStatus.PAUSED
    session.commit()
    [variant] = run(client, shop, f'{{ campaign(id: "{draft}") {{ {PREVIEW} }} }}')["campaign"][
        "messagePreviews"
    ]
    assert variant["preview"] is None
    assert "not approved" in variant["problem"] and "onaylanmadı" in variant["problemTr"]


RESULTS = (
    "results { sent delivered read clicked replied optedOut orders revenue cost costCurrency }"
)


def test_a_campaigns_results_are_the_dashboards_figures_for_it(client, shop, session):  # noqa: F811
    # given a launched campaign: no results before it starts, zeros once it has
    campaign_id = _launched(client, shop, session, 3)
    rows = sorted(campaign_rows(session, int(campaign_id)), key=lambda r: r.contact_id)
    # when the engine sent all three, two were delivered, one read, and one contact ordered
    sent_at = clock.now() - timedelta(minutes=30)
    for row, status in zip(
        rows, (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ), strict=True
    ):
        row.status, row.sent_at = status, sent_at
        if status != MessageStatus.SENT:
            row.delivered_at = sent_at + timedelta(minutes=1)
    session.commit()
    order = make_order("results-1", created=clock.now() - timedelta(minutes=5), total="250.00")
    attribute_order(session, store=shop["store"], order=order, contact_id=rows[2].contact_id)
    session.commit()
    data = run(
        client,
        shop,
        f'{{ campaign(id: "{campaign_id}") {{ {RESULTS} }} '
        "analyticsFunnel(by: CAMPAIGN) { source sent delivered read clicked replied optedOut } "
        "analyticsPerformance(by: CAMPAIGN) { source orders revenue cost costCurrency } }",
    )
    # then the campaign's results are the dashboard's own row for it
    results = data["campaign"]["results"]
    [funnel] = [r for r in data["analyticsFunnel"] if r["source"] == campaign_id]
    [performance] = [r for r in data["analyticsPerformance"] if r["source"] == campaign_id]
    assert results == {
        **{k: v for k, v in funnel.items() if k != "source"},
        **{k: v for k, v in performance.items() if k != "source"},
    }
    assert (results["sent"], results["delivered"], results["read"], results["orders"]) == (
        3,
        2,
        1,
        1,
    )
    assert results["revenue"] == {"TRY": "250.00"}


def test_a_draft_has_no_results_yet(client, shop, session):  # noqa: F811
    make_template(session, shop["store"])
    draft = _save(client, shop)
    data = run(client, shop, f'{{ campaign(id: "{draft}") {{ {RESULTS} }} }}')
    assert data == {"campaign": {"results": None}}
