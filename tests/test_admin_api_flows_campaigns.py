"""Flows, segments, campaigns and the dashboard over the admin API: permissions are in the
matrix (test_admin_api_permissions); here the outcomes, typed errors, isolation and N+1."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from plugin import clock
from plugin.analytics.attribution import apply_refund_or_cancel, attribute_order
from plugin.campaigns.models import Campaign, CampaignRecipient, CampaignStatus
from plugin.contacts.staff_numbers import set_staff_test_numbers
from plugin.db import get_engine
from plugin.delivery.models import MessageKind, MessageStatus, OutboundMessage
from plugin.flows.models import FlowConfig, FlowKey
from plugin.saleor.models import Store
from plugin.segments.models import Segment
from plugin.segments.service import Audience, count_audience
from plugin.stores.models import Plan
from plugin.stores.service import get_settings
from tests.admin_api_support import ok, token_for
from tests.analytics.factories import make_order
from tests.campaigns.test_lifecycle import campaign_rows
from tests.segments.factories import grant_marketing, make_contact, make_template
from tests.support import QueryCounter, drain_queue
from tests.test_admin_api_isolation import two_stores  # noqa: F401

pytestmark = pytest.mark.sqlite

EVERYONE = {"field": "orders_count", "op": "gte", "value": 0}
ERRORS = "errors { field code message messageTr }"
CAMPAIGN_INPUT = {
    "name": "Spring sale",
    "rule": EVERYONE,
    "variants": [
        {"templateName": "spring_sale", "templateLanguage": "tr", "bodyFields": ["first_name"]}
    ],
}


def set_plan(session: Session, store_id: int, plan: Plan) -> None:
    settings = get_settings(session, store_id)
    settings.plan = plan
    session.add(settings)
    session.commit()


@pytest.fixture()
def shop(client, installed_store, saleor_key, session) -> dict[str, Any]:
    """The installed store on Gold, with its admin's token."""
    store = session.exec(select(Store)).one()
    set_plan(session, store.id, Plan.GOLD)
    return {
        "store": store,
        "id": store.id,
        "token": token_for(saleor_key, installed_store["api_url"]),
    }


def run(client, shop, query: str, variables: dict[str, Any] | None = None) -> Any:
    return ok(client, shop["token"], query, variables)


# --- flows ------------------------------------------------------------------------------------


def test_flows_lists_every_flow_and_set_flow_enabled_switches_one(client, shop, session):
    # when
    flows = run(
        client,
        shop,
        "{ flows { id key enabled channels steps { position delayMinutes"
        " templateName } funnel { entered sent converted } } }",
    )["flows"]
    # then every flow is there in a fixed order, cart recovery with its default steps
    assert [f["key"] for f in flows] == [k.value for k in FlowKey]
    recovery = next(f for f in flows if f["key"] == "cart_recovery")
    assert recovery["steps"] == [
        {"position": 1, "delayMinutes": 60, "templateName": "ulak_cart_recovery_1"},
        {"position": 2, "delayMinutes": 1440, "templateName": "ulak_cart_recovery_2"},
    ]
    assert recovery["funnel"] == {"entered": 0, "sent": 0, "converted": 0}
    # when the reminder is switched on
    data = run(
        client,
        shop,
        f'mutation {{ setFlowEnabled(id: "reminder", enabled: true) {{ flow {{ '
        f"id enabled }} {ERRORS} }} }}",
    )
    # then
    assert data["setFlowEnabled"] == {"flow": {"id": "reminder", "enabled": True}, "errors": []}
    session.expire_all()
    row = session.exec(select(FlowConfig).where(FlowConfig.flow_key == "reminder")).one()
    assert (row.store_id, row.enabled) == (shop["id"], True)


def test_each_flow_names_the_templates_it_sends_for_the_admin_preview(client, shop, session):
    # given the store renamed its order confirmation template
    session.add(
        FlowConfig(
            store_id=shop["id"],
            flow_key=FlowKey.ORDER_CREATED,
            templates={"order_created": "siparis"},
        )
    )
    session.commit()
    # when
    flows = run(client, shop, "{ flows { key orderUpdate templateNames } }")["flows"]
    # then each names its messages, the main one first, renamed ones by their new name
    names = {f["key"]: f["templateNames"] for f in flows}
    assert names["order_created"] == ["siparis"]
    assert names["order_fulfilled"][0] == "ulak_order_fulfilled"
    assert len(names["order_fulfilled"]) == 3
    assert names["cart_recovery"] == ["ulak_cart_recovery_1", "ulak_cart_recovery_2"]
    # and the order updates form one group
    assert [f["key"] for f in flows if f["orderUpdate"]] == [
        "order_created",
        "order_paid",
        "order_fulfilled",
        "order_cancelled",
        "order_refunded",
    ]


def test_an_unknown_flow_is_not_found(client, shop):
    data = run(
        client, shop, f'mutation {{ setFlowEnabled(id: "nope", enabled: true) {{ {ERRORS} }} }}'
    )
    assert [e["code"] for e in data["setFlowEnabled"]["errors"]] == ["NOT_FOUND"]


def test_update_flow_refuses_a_bad_recovery_sequence_and_changes_nothing(client, shop, session):
    # when the second step is not after the first
    data = run(
        client,
        shop,
        'mutation($steps: [FlowStepInput!]) { updateFlow(id: "cart_recovery", input: '
        f"{{steps: $steps}}) {{ flow {{ id }} {ERRORS} }} }}",
        {"steps": [{"delayMinutes": 60, "template": "a"}, {"delayMinutes": 30, "template": "b"}]},
    )
    # then
    assert data["updateFlow"]["flow"] is None
    assert [(e["field"], e["code"]) for e in data["updateFlow"]["errors"]] == [
        ("steps.2.delay_minutes", "INVALID")
    ]
    assert session.exec(select(FlowConfig)).all() == []
    # and a good one is saved
    data = run(
        client,
        shop,
        'mutation($steps: [FlowStepInput!]) { updateFlow(id: "cart_recovery", input: '
        f'{{steps: $steps, channels: ["tr"]}}) {{ flow {{ channels steps {{ '
        f"delayMinutes templateName }} }} {ERRORS} }} }}",
        {"steps": [{"delayMinutes": 30, "template": "my_tpl"}]},
    )
    assert data["updateFlow"] == {
        "flow": {
            "channels": ["tr"],
            "steps": [{"delayMinutes": 30, "templateName": "ulak_my_tpl"}],
        },
        "errors": [],
    }


# --- segments ---------------------------------------------------------------------------------


def test_segments_are_saved_counted_and_previewed(client, shop, session):
    # given two reachable contacts
    make_contact(session, shop["store"], first_name="Ayşe", last_name="Yılmaz")
    make_contact(session, shop["store"])
    # when a segment is created
    data = run(
        client,
        shop,
        f'mutation($rule: JSON!) {{ createSegment(name: "Everyone", rule: $rule) '
        f"{{ segment {{ id name rule contactCount }} {ERRORS} }} }}",
        {"rule": EVERYONE},
    )
    created = data["createSegment"]["segment"]
    assert (created["name"], created["rule"], created["contactCount"]) == ("Everyone", EVERYONE, 2)
    assert run(client, shop, "{ segments { name contactCount } }")["segments"] == [
        {"name": "Everyone", "contactCount": 2}
    ]
    # and previewed: the phone is masked
    preview = run(
        client,
        shop,
        "query($rule: JSON!) { segmentPreview(rule: $rule) { count sample { "
        "name phone } errors { code } } }",
        {"rule": EVERYONE},
    )["segmentPreview"]
    assert preview["count"] == 2 and preview["errors"] == []
    assert preview["sample"][0]["name"] == "Ayşe Yılmaz"
    assert "•••" in preview["sample"][0]["phone"]


def test_a_bad_rule_is_a_typed_error_with_its_path_and_nothing_is_saved(client, shop, session):
    bad = {"all": [EVERYONE, {"field": "orders_count", "op": "gte", "value": "many"}]}
    data = run(
        client,
        shop,
        f'mutation($rule: JSON!) {{ createSegment(name: "Bad", rule: $rule) {{ '
        f"segment {{ id }} {ERRORS} }} }}",
        {"rule": bad},
    )
    errors = data["createSegment"]["errors"]
    assert data["createSegment"]["segment"] is None
    assert errors and {e["code"] for e in errors} == {"INVALID_RULE"}
    assert all(e["field"].startswith("rule.all.1") and e["messageTr"] for e in errors)
    assert session.exec(select(Segment)).all() == []
    preview = run(
        client,
        shop,
        "query($rule: JSON!) { segmentPreview(rule: $rule) { count errors { field code } } }",
        {"rule": bad},
    )["segmentPreview"]
    assert preview["count"] == 0
    assert {e["code"] for e in preview["errors"]} == {"INVALID_RULE"}


def test_own_segments_above_the_plan_are_a_plan_limit_error(client, shop, session):
    # given a Free store
    set_plan(session, shop["id"], Plan.FREE)
    # when
    data = run(
        client,
        shop,
        f'mutation($rule: JSON!) {{ createSegment(name: "A", rule: $rule) {{ '
        f"segment {{ id }} {ERRORS} }} }}",
        {"rule": EVERYONE},
    )
    # then
    [error] = data["createSegment"]["errors"]
    assert (error["field"], error["code"]) == (None, "PLAN_LIMIT")
    assert "Silver" in error["message"] and error["messageTr"]
    assert session.exec(select(Segment)).all() == []
    preview = run(
        client,
        shop,
        "query($rule: JSON!) { segmentPreview(rule: $rule) { errors { code } } }",
        {"rule": EVERYONE},
    )
    assert preview["segmentPreview"]["errors"] == [{"code": "PLAN_LIMIT"}]


def test_the_segment_list_does_not_grow_queries_with_its_size(client, shop, session):
    query = "{ segments { id name contactCount } }"
    make_contact(session, shop["store"])

    def count() -> int:
        with QueryCounter(get_engine()) as queries:
            ok(client, shop["token"], query)
        return queries.count

    session.add(Segment(store_id=shop["id"], name="s-0", rule=EVERYONE))
    session.commit()
    small = count()
    for i in range(1, 100):
        session.add(Segment(store_id=shop["id"], name=f"s-{i}", rule=EVERYONE))
    session.commit()
    assert count() == small
    counts = [s["contactCount"] for s in ok(client, shop["token"], query)["segments"]]
    assert counts == [1] * 100


def test_contacts_are_tagged_by_hand_and_by_csv(client, shop, session):
    contact = make_contact(session, shop["store"], phone_e164="+905321112233")
    added = run(
        client,
        shop,
        f'mutation {{ addContactTags(contactId: "{contact.id}", tags: ["VIP", "Istanbul"]) '
        f"{{ tags {ERRORS} }} }}",
    )["addContactTags"]
    assert added["errors"] == [] and len(added["tags"]) == 2
    removed = run(
        client,
        shop,
        f'mutation {{ removeContactTag(contactId: "{contact.id}", tag: "{added["tags"][0]}") '
        f"{{ tags {ERRORS} }} }}",
    )["removeContactTag"]
    assert removed == {"tags": [added["tags"][0]], "errors": []}
    imported = run(
        client,
        shop,
        "mutation($csv: String!) { importTagsCsv(csv: $csv) { tagged failed rows { row status } "
        f"{ERRORS} }} }}",
        {"csv": "phone,tags\n+905321112233,gold\n+905329999999,gold\n"},
    )["importTagsCsv"]
    assert (imported["tagged"], imported["failed"], imported["errors"]) == (1, 1, [])
    assert [r["status"] for r in imported["rows"]] == ["tagged", "not_found"]


# --- campaigns --------------------------------------------------------------------------------

CAMPAIGN_FIELDS = "id name status scheduledAt recipients sent delivered read failed"


def _save(client, shop) -> str:
    data = run(
        client,
        shop,
        f"mutation($input: CampaignInput!) {{ saveCampaign(input: $input) "
        f"{{ campaign {{ id status variants {{ key share }} }} {ERRORS} }} }}",
        {"input": CAMPAIGN_INPUT},
    )["saveCampaign"]
    assert data["errors"] == [] and data["campaign"]["status"] == "DRAFT"
    assert data["campaign"]["variants"] == [{"key": "A", "share": 100}]
    return data["campaign"]["id"]


def _step(client, shop, name: str, id: str, extra: str = "") -> dict[str, Any]:
    return run(
        client,
        shop,
        f'mutation {{ {name}(id: "{id}"{extra}) {{ campaign {{ id status }} {ERRORS} }} }}',
    )[name]


def _rows(session: Session, campaign_id: str) -> list[tuple[int, str, str | None]]:
    session.expire_all()
    return sorted(
        (r.contact_id, r.status, r.status_reason)
        for r in session.exec(
            select(OutboundMessage).where(
                OutboundMessage.campaign_id == int(campaign_id),
                OutboundMessage.kind == MessageKind.CAMPAIGN,
            )
        )
    )


def test_a_campaign_launched_through_the_api_fills_the_outbox_and_pauses_resumes_cancels(
    client, shop, session
):
    # given an approved template and two consented contacts
    make_template(session, shop["store"])
    contacts = [make_contact(session, shop["store"]) for _ in range(2)]
    for c in contacts:
        grant_marketing(session, c, at=clock.now())
    campaign_id = _save(client, shop)
    # when launched before a test send: refused, still a draft
    refused = _step(client, shop, "launchCampaign", campaign_id)
    assert [e["code"] for e in refused["errors"]] == ["TEST_SEND_REQUIRED"]
    assert refused["campaign"]["status"] == "DRAFT"
    # when tested on a staff test number, estimated and launched
    set_staff_test_numbers(session, store_id=shop["store"].id, numbers=["+905550000001"])
    session.commit()
    tested = run(
        client,
        shop,
        f'mutation {{ sendCampaignTest(id: "{campaign_id}", phone: "+905550000001") '
        f"{{ campaign {{ id }} {ERRORS} }} }}",
    )["sendCampaignTest"]
    assert tested["errors"] == []
    estimate = run(
        client,
        shop,
        f'mutation {{ estimateCampaign(id: "{campaign_id}") {{ estimate {{ audience consented '
        f"messages withinPlanLimit }} {ERRORS} }} }}",
    )["estimateCampaign"]
    assert estimate["estimate"] == {
        "audience": 2,
        "consented": 2,
        "messages": 2,
        "withinPlanLimit": True,
    }
    launched = _step(client, shop, "launchCampaign", campaign_id)
    assert launched == {"campaign": {"id": campaign_id, "status": "RUNNING"}, "errors": []}
    drain_queue()
    # then every contact has one outbox row
    ids = sorted(c.id for c in contacts)
    assert _rows(session, campaign_id) == [(i, "scheduled", None) for i in ids]
    listed = run(
        client, shop, f"{{ campaigns(first: 10) {{ edges {{ node {{ {CAMPAIGN_FIELDS} }} }} }} }}"
    )
    assert listed["campaigns"]["edges"][0]["node"] | {"scheduledAt": None} == {
        "id": campaign_id,
        "name": "Spring sale",
        "status": "RUNNING",
        "scheduledAt": None,
        "recipients": 2,
        "sent": 0,
        "delivered": 0,
        "read": 0,
        "failed": 0,
    }
    progress = run(
        client, shop, f'{{ campaignProgress(id: "{campaign_id}") {{ queued byStatus }} }}'
    )
    assert progress["campaignProgress"] == {"queued": 2, "byStatus": {"scheduled": 2}}
    # when paused: the rows are held
    assert _step(client, shop, "pauseCampaign", campaign_id)["campaign"]["status"] == "PAUSED"
    assert _rows(session, campaign_id) == [(i, "cancelled", "campaign_paused") for i in ids]
    # when paused again: a typed refusal
    again = _step(client, shop, "pauseCampaign", campaign_id)
    assert [e["code"] for e in again["errors"]] == ["INVALID_TRANSITION"]
    # when resumed: released
    assert _step(client, shop, "resumeCampaign", campaign_id)["campaign"]["status"] == "RUNNING"
    drain_queue()
    assert _rows(session, campaign_id) == [(i, "scheduled", None) for i in ids]
    # when cancelled: for good
    assert _step(client, shop, "cancelCampaign", campaign_id)["campaign"]["status"] == "CANCELLED"
    assert _rows(session, campaign_id) == [(i, "cancelled", "campaign_cancelled") for i in ids]


LIFT_FIELDS = (
    "treated holdout treatedConversions holdoutConversions treatedRate holdoutRate absoluteLift "
    "relativeLift intervalLow intervalHigh confidence method enoughData notEnoughData note noteTr"
)


def _lift(client, shop, campaign_id: str) -> dict[str, Any]:
    return run(
        client, shop, f'{{ campaign(id: "{campaign_id}") {{ holdoutLift {{ {LIFT_FIELDS} }} }} }}'
    )["campaign"]["holdoutLift"]


def test_a_campaign_with_a_holdout_shows_its_lift_with_a_95_percent_interval(client, shop, session):
    # given 100 consented contacts and a campaign holding out half of them, launched
    store = shop["store"]
    make_template(session, store)
    contacts = [make_contact(session, store) for _ in range(100)]
    for c in contacts:
        grant_marketing(session, c, at=clock.now() - timedelta(days=30))
    session.commit()
    data = run(
        client,
        shop,
        f"mutation($input: CampaignInput!) {{ saveCampaign(input: $input) "
        f"{{ campaign {{ id }} {ERRORS} }} }}",
        {"input": CAMPAIGN_INPUT | {"holdoutPercent": 50}},
    )["saveCampaign"]
    campaign_id = data["campaign"]["id"]
    phone = "+905559990001"  # a staff number, not in the audience
    set_staff_test_numbers(session, store_id=shop["store"].id, numbers=[phone])
    session.commit()
    tested = run(
        client,
        shop,
        f'mutation {{ sendCampaignTest(id: "{campaign_id}", phone: "{phone}") {{ {ERRORS} }} }}',
    )["sendCampaignTest"]
    assert tested["errors"] == []
    assert _step(client, shop, "launchCampaign", campaign_id)["errors"] == []
    drain_queue()
    # before anything is sent: figures, no interval, and why (EN / TR)
    before = _lift(client, shop, campaign_id)
    assert (before["treated"], before["holdout"], before["enoughData"]) == (0, 50, False)
    assert (before["intervalLow"], before["notEnoughData"]) == (None, "no_recipients")
    assert "Not enough data" in before["note"] and "Yeterli veri yok" in before["noteTr"]
    # when the delivery engine has sent the 50 messages (100 hours ago) ...
    sent_at = clock.now() - timedelta(hours=100)
    rows = campaign_rows(session, int(campaign_id))
    for row in rows:
        row.status, row.sent_at = MessageStatus.SENT, sent_at
    session.commit()
    treated = sorted(r.contact_id for r in rows)
    holdout = sorted(
        session.exec(
            select(CampaignRecipient.contact_id).where(
                CampaignRecipient.campaign_id == int(campaign_id),
                CampaignRecipient.holdout.is_(True),  # type: ignore[attr-defined]
            )
        )
    )
    assert (len(treated), len(holdout)) == (50, 50)
    # ... and 15 treated and 5 holdout contacts ordered within the 72 h window
    orders = [(c, 5) for c in treated[:15]] + [(c, 30) for c in holdout[:5]]
    orders += [(treated[20], 80), (holdout[10], 10)]  # after the window; cancelled below
    for n, (contact_id, hours) in enumerate(orders):
        order = make_order(f"lift-{n}", created=sent_at + timedelta(hours=hours))
        attribute_order(session, store=store, order=order, contact_id=contact_id)
    apply_refund_or_cancel(session, store=store, order=order, event="cancelled")
    session.commit()
    # then the admin API shows the groups, their conversions, the lift and its interval
    lift = _lift(client, shop, campaign_id)
    assert lift | {"intervalLow": None, "intervalHigh": None} == {
        "treated": 50,
        "holdout": 50,
        "treatedConversions": 15,
        "holdoutConversions": 5,
        "treatedRate": 0.3,
        "holdoutRate": 0.1,
        "absoluteLift": pytest.approx(0.2),
        "relativeLift": pytest.approx(2.0),
        "intervalLow": None,
        "intervalHigh": None,
        "confidence": 0.95,
        "method": "newcombe",
        "enoughData": True,
        "notEnoughData": None,
        "note": None,
        "noteTr": None,
    }
    # Newcombe's hybrid score interval for 15/50 - 5/50 (Wilson: 0.1910-0.4375, 0.0435-0.2136)
    assert (lift["intervalLow"], lift["intervalHigh"]) == pytest.approx((0.0426, 0.3487), abs=1e-4)


def test_campaign_features_above_the_plan_are_refused_and_nothing_is_made(client, shop, session):
    # given a Free store (no own segments)
    make_template(session, shop["store"])
    set_plan(session, shop["id"], Plan.FREE)
    data = run(
        client,
        shop,
        f"mutation($input: CampaignInput!) {{ saveCampaign(input: $input) {{ "
        f"campaign {{ id }} {ERRORS} }} }}",
        {"input": CAMPAIGN_INPUT},
    )["saveCampaign"]
    assert data["campaign"] is None
    assert [e["code"] for e in data["errors"]] == ["PLAN_LIMIT"]
    assert session.exec(select(Campaign)).all() == []


def test_a_bad_campaign_is_a_typed_error_in_both_languages(client, shop, session):
    data = run(
        client,
        shop,
        f"mutation($input: CampaignInput!) {{ saveCampaign(input: $input) {{ "
        f"campaign {{ id }} {ERRORS} }} }}",
        {"input": CAMPAIGN_INPUT},  # the template does not exist
    )["saveCampaign"]
    [error] = data["errors"]
    assert error["code"] == "INVALID_CAMPAIGN"
    assert "spring_sale" in error["message"] and "şablonu bulunamadı" in error["messageTr"]
    assert session.exec(select(Campaign)).all() == []


def test_the_campaign_list_does_not_grow_queries_with_its_size(client, shop, session):
    query = (
        f"{{ campaigns(first: 100) {{ edges {{ node {{ "
        f"{CAMPAIGN_FIELDS} counts {{ skipped }} }} }} }} }}"
    )

    def add(n: int) -> None:
        for i in range(n):
            session.add(Campaign(store_id=shop["id"], name=f"c{i}", status=CampaignStatus.DRAFT))
        session.commit()

    def count() -> int:
        with QueryCounter(get_engine()) as queries:
            ok(client, shop["token"], query)
        return queries.count

    add(1)
    small = count()
    add(99)
    assert count() == small
    assert len(ok(client, shop["token"], query)["campaigns"]["edges"]) == 100


# --- dashboard --------------------------------------------------------------------------------


def test_the_dashboard_shows_the_daily_series_and_top_reasons(client, shop, session):
    from tests.admin_api_support import seed_store_rows

    seed_store_rows(session, shop["id"], accounts=1, inbox=0, contacts=0, messages=2, templates=0)
    data = run(
        client,
        shop,
        "{ dashboardMetrics(days: 7) { daily { date sent delivered read clicked replied optedOut"
        " revenue cost } topSkipReasons { reason count } topFailureReasons { reason count } } }",
    )["dashboardMetrics"]
    assert len(data["daily"]) == 7
    assert sum(d["delivered"] for d in data["daily"]) == 1
    assert data["topSkipReasons"] == [{"reason": "quiet_hours", "count": 2}]
    assert data["topFailureReasons"] == []
    month = clock.now().strftime("%Y-%m")
    reports = run(
        client,
        shop,
        "{ analyticsFunnel(by: MONTH) { source delivered skipped skippedReasons }"
        " analyticsCost(by: MONTH) { source sent cost costPerOrder }"
        " analyticsPerformance(by: TEMPLATE) { source } }",
    )
    assert reports["analyticsFunnel"] == [
        {"source": month, "delivered": 1, "skipped": 2, "skippedReasons": {"quiet_hours": 2}}
    ]
    [cost] = reports["analyticsCost"]
    assert (cost["source"], cost["sent"], cost["costPerOrder"]) == (month, 1, None)
    assert reports["analyticsPerformance"] == []


# --- isolation --------------------------------------------------------------------------------

B_READS = """query($segment: ID!, $campaign: ID!, $contact: ID!, $rule: JSON!) {
  segment(id: $segment) { id }
  segments { id }
  campaign(id: $campaign) { id }
  campaignProgress(id: $campaign) { queued }
  campaigns(first: 100) { edges { node { id } } }
  deliveryExplanation(contactId: $contact) { id }
  flows { key enabled }
  segmentPreview(rule: $rule) { count }
  dashboardMetrics(days: 1) { daily { delivered } topSkipReasons { count } }
}"""


def audience(session: Session, store_id: int) -> int:
    return count_audience(session, store_id=store_id, audience=Audience(rule=EVERYONE))


def test_store_a_sees_and_changes_nothing_of_store_b(client, two_stores, session):  # noqa: F811
    # given store B's segment, campaign, enabled flow and contacts (both on Gold)
    a, b = two_stores["a"], two_stores["b"]
    for store_id, reachable in ((a, 1), (b, 2)):
        set_plan(session, store_id, Plan.GOLD)
        for i in range(reachable):
            phone = f"+90533{store_id:03d}{i:04d}"
            make_contact(session, session.get(Store, store_id), phone_e164=phone)
    segment = Segment(store_id=b, name="B only", rule=EVERYONE)
    campaign = Campaign(store_id=b, name="B sale", status=CampaignStatus.RUNNING)
    session.add_all(
        [segment, campaign, FlowConfig(store_id=b, flow_key=FlowKey.REMINDER, enabled=True)]
    )
    session.commit()
    ids = {
        "segment": str(segment.id),
        "campaign": str(campaign.id),
        "contact": str(two_stores["contact_b"]),
        "rule": EVERYONE,
    }
    # when store A reads them by id and lists its own
    seen = ok(client, two_stores["token_a"], B_READS, ids)
    # then none of B's rows
    assert (seen["segment"], seen["segments"], seen["campaign"], seen["campaignProgress"]) == (
        None,
        [],
        None,
        None,
    )
    assert seen["campaigns"] == {"edges": []}
    assert seen["deliveryExplanation"] == []
    assert {f["key"]: f["enabled"] for f in seen["flows"]}["reminder"] is False
    assert seen["segmentPreview"]["count"] == audience(session, a) == 1
    assert sum(d["delivered"] for d in seen["dashboardMetrics"]["daily"]) == 1
    own = ok(client, two_stores["token_b"], B_READS, ids)
    assert own["segmentPreview"]["count"] == audience(session, b) == 2
    assert own["segment"] == {"id": ids["segment"]}
    assert own["campaign"] == {"id": ids["campaign"]}
    assert len(own["deliveryExplanation"]) == 3  # 2 delivered, 1 suppressed
    assert sum(d["delivered"] for d in own["dashboardMetrics"]["daily"]) == 2
    # when store A tries to change them
    for mutation in (
        f'pauseCampaign(id: "{ids["campaign"]}")',
        f'cancelCampaign(id: "{ids["campaign"]}")',
        f'deleteSegment(id: "{ids["segment"]}")',
        f'updateSegment(id: "{ids["segment"]}", name: "x", rule: {{}})',
        f'addContactTags(contactId: "{ids["contact"]}", tags: ["x"])',
    ):
        data = ok(
            client, two_stores["token_a"], f"mutation {{ r: {mutation} {{ errors {{ code }} }} }}"
        )
        assert data["r"]["errors"] == [{"code": "NOT_FOUND"}], mutation
    # then nothing changed
    session.expire_all()
    assert session.get(Campaign, campaign.id).status == CampaignStatus.RUNNING
    assert session.get(Segment, segment.id).name == "B only"
