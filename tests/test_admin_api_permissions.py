"""Every admin operation requires the Saleor permissions the table names, and nothing less."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from plugin.admin_api.permissions import OPERATION_PERMISSIONS, Allowed
from plugin.admin_api.schema import schema
from tests.admin_api_support import gql, token_for

# Not in the SQLite pass: which Saleor permissions an operation needs is decided before any SQL
# runs, so a second database adds a minute to `make test` and no coverage.
DOC = Path(__file__).resolve().parents[1] / "docs" / "admin-api.md"

# One representative call per operation; `errors` requested so mutations run to the end.
CALLS: dict[str, str] = {
    "Query.viewer": "{ viewer { email } }",
    "Query.store": "{ store { name } }",
    "Query.planUsage": "{ planUsage { plan } }",
    "Query.planCatalogue": "{ planCatalogue { current } }",
    "Query.storeSettings": "{ storeSettings { timezone } }",
    "Query.whatsappAccounts": "{ whatsappAccounts { id } }",
    "Query.inboxEvents": "{ inboxEvents(first: 1) { edges { cursor } } }",
    "Mutation.updateStoreSettings": (
        'mutation { updateStoreSettings(input: {timezone: "UTC"}) { errors { code } } }'
    ),
    "Mutation.changePlan": "mutation { changePlan(plan: SILVER) { errors { code } } }",
    "Mutation.connectWhatsApp": (
        'mutation { connectWhatsApp(input: {phoneNumberId: "", wabaId: "", accessToken: ""})'
        " { errors { code } } }"
    ),
    "Mutation.disconnectWhatsApp": 'mutation { disconnectWhatsApp(id: "1") { errors { code } } }',
    "Mutation.sendTestMessage": (
        'mutation { sendTestMessage(phone: "x", text: "hi") { errors { code } } }'
    ),
    "Mutation.storefrontKey": "mutation { storefrontKey { key errors { code } } }",
    "Query.contacts": "{ contacts(first: 1) { edges { cursor } } }",
    "Query.contact": '{ contact(id: "1") { id } }',
    "Query.conversation": '{ conversation(contactId: "1", first: 1) { edges { cursor } } }',
    "Query.replyInbox": "{ replyInbox { total } }",
    "Query.contactList": "{ contactList(first: 1) { totalCount } }",
    "Query.contactActivity": '{ contactActivity(contactId: "1") { clicks } }',
    "Query.iysAlerts": "{ iysAlerts { recipient } }",
    "Query.iysBatches": "{ iysBatches { id } }",
    "Query.iysBatch": '{ iysBatch(id: "1") { id } }',
    "Query.contactSyncStatus": "{ contactSyncStatus { status } }",
    "Query.consentImportStatus": "{ consentImportStatus { status } }",
    "Mutation.sendSupportReply": (
        'mutation { sendSupportReply(contactId: "1", text: "hi") { errors { code } } }'
    ),
    "Mutation.recordConsent": (
        'mutation { recordConsent(contactId: "1", purpose: MARKETING, action: GRANTED)'
        " { errors { code } } }"
    ),
    "Mutation.importConsentCsv": 'mutation { importConsentCsv(csv: "phone") { errors { code } } }',
    "Mutation.exportContact": 'mutation { exportContact(id: "1") { errors { code } } }',
    "Mutation.eraseContact": (
        'mutation { eraseContact(id: "1", confirm: false) { errors { code } } }'
    ),
    "Mutation.iysExport": "mutation { iysExport { errors { code } } }",
    "Mutation.confirmIysBatch": 'mutation { confirmIysBatch(id: "1") { errors { code } } }',
    "Mutation.discardIysBatch": 'mutation { discardIysBatch(id: "1") { errors { code } } }',
    "Query.templates": "{ templates(first: 1) { edges { cursor } } }",
    "Query.template": '{ template(id: "1") { id } }',
    "Query.templatePreview": '{ templatePreview(id: "1") { body } }',
    "Query.previewDraft": (
        '{ previewDraft(input: {name: "a", language: "tr", category: UTILITY,'
        " components: []}) { body } }"
    ),
    "Query.variableCatalogue": "{ variableCatalogue { key } }",
    "Mutation.saveTemplateDraft": (
        'mutation { saveTemplateDraft(input: {name: "a", language: "tr", category: UTILITY,'
        " components: []}) { errors { code } } }"
    ),
    "Mutation.submitTemplate": 'mutation { submitTemplate(id: "1") { errors { code } } }',
    "Mutation.syncTemplates": "mutation { syncTemplates { errors { code } } }",
    "Mutation.deleteTemplate": 'mutation { deleteTemplate(id: "1") { errors { code } } }',
    "Mutation.installStarterTemplates": (
        "mutation { installStarterTemplates(submit: false) { errors { code } } }"
    ),
    "Query.trackedUrl": "{ trackedUrl }",
    "Query.pickupPoint": "{ pickupPoint { name } }",
    "Mutation.setPickupPoint": (
        'mutation { setPickupPoint(latitude: 41, longitude: 29, name: "Galata", '
        'address: "Beyoğlu") { errors { code } } }'
    ),
    "Mutation.clearPickupPoint": "mutation { clearPickupPoint { errors { code } } }",
    "Query.costSettings": "{ costSettings { billingCurrency } }",
    "Mutation.setExchangeRate": (
        'mutation { setExchangeRate(rate: "34.12", rateDate: "2026-12-01") { errors { code } } }'
    ),
    "Query.staffTestNumbers": "{ staffTestNumbers }",
    "Mutation.setStaffTestNumbers": (
        "mutation { setStaffTestNumbers(numbers: []) { errors { code } } }"
    ),
    "Query.flows": "{ flows { id } }",
    "Query.flowAlerts": "{ flowAlerts { flowKey } }",
    "Query.sendingAlerts": "{ sendingAlerts { subject } }",
    "Query.messagingLimit": "{ messagingLimit { used } }",
    "Query.carriers": "{ carriers { key } }",
    "Query.reasonCodes": "{ reasonCodes { code } }",
    "Query.flow": '{ flow(id: "cart_recovery") { id } }',
    "Query.checkoutJourney": '{ checkoutJourney(checkoutId: "x") { action } }',
    "Mutation.setFlowEnabled": (
        'mutation { setFlowEnabled(id: "reminder", enabled: false) { errors { code } } }'
    ),
    "Mutation.updateFlow": (
        'mutation { updateFlow(id: "reminder", input: {channels: []}) { errors { code } } }'
    ),
    "Query.segments": "{ segments { id } }",
    "Query.segment": '{ segment(id: "1") { id } }',
    "Query.builtinSegments": "{ builtinSegments { key } }",
    "Query.segmentPreview": '{ segmentPreview(builtin: "new") { count } }',
    "Mutation.createSegment": (
        'mutation { createSegment(name: "", rule: {}) { errors { code } } }'
    ),
    "Mutation.updateSegment": (
        'mutation { updateSegment(id: "1", name: "a", rule: {}) { errors { code } } }'
    ),
    "Mutation.deleteSegment": 'mutation { deleteSegment(id: "1") { errors { code } } }',
    "Mutation.addContactTags": (
        'mutation { addContactTags(contactId: "1", tags: ["a"]) { errors { code } } }'
    ),
    "Mutation.removeContactTag": (
        'mutation { removeContactTag(contactId: "1", tag: "a") { errors { code } } }'
    ),
    "Mutation.importTagsCsv": 'mutation { importTagsCsv(csv: "phone") { errors { code } } }',
    "Query.campaigns": "{ campaigns(first: 1) { edges { cursor } } }",
    "Query.campaign": '{ campaign(id: "1") { id } }',
    "Query.campaignProgress": '{ campaignProgress(id: "1") { queued } }',
    "Mutation.saveCampaign": (
        'mutation { saveCampaign(input: {name: "", variants: []}) { errors { code } } }'
    ),
    "Mutation.sendCampaignTest": (
        'mutation { sendCampaignTest(id: "1", phone: "x") { errors { code } } }'
    ),
    "Mutation.estimateCampaign": 'mutation { estimateCampaign(id: "1") { errors { code } } }',
    "Mutation.launchCampaign": 'mutation { launchCampaign(id: "1") { errors { code } } }',
    "Mutation.pauseCampaign": 'mutation { pauseCampaign(id: "1") { errors { code } } }',
    "Mutation.resumeCampaign": 'mutation { resumeCampaign(id: "1") { errors { code } } }',
    "Mutation.cancelCampaign": 'mutation { cancelCampaign(id: "1") { errors { code } } }',
    "Mutation.deleteCampaign": 'mutation { deleteCampaign(id: "1") { errors { code } } }',
    "Query.deliveryExplanation": '{ deliveryExplanation(contactId: "1") { status } }',
    "Query.dashboardMetrics": "{ dashboardMetrics(days: 7) { start } }",
    "Query.analyticsFunnel": "{ analyticsFunnel(by: FLOW) { source } }",
    "Query.analyticsPerformance": "{ analyticsPerformance(by: CAMPAIGN) { source } }",
    "Query.analyticsCost": "{ analyticsCost(by: MONTH) { source } }",
    "Query.analyticsCsv": "{ analyticsCsv(kind: DAILY) }",
}


def _guarded_fields() -> set[str]:
    """Every schema field that carries the `Allowed` permission class."""
    found: set[str] = set()
    for type_def in schema.schema_converter.type_map.values():
        definition = type_def.definition
        for field in getattr(definition, "fields", []):
            if any(isinstance(p, Allowed) or p is Allowed for p in field.permission_classes):
                found.add(
                    f"{definition.name}.{schema.config.name_converter.get_graphql_name(field)}"
                )
    return found


def test_every_root_field_is_guarded_and_in_the_table():
    # given every operation of the schema
    graphql = schema._schema
    roots = {
        f"{t.name}.{name}" for t in (graphql.query_type, graphql.mutation_type) for name in t.fields
    }
    # then each carries the permission class and has a table entry, and the table has no stale rows
    assert roots <= _guarded_fields(), "add permission_classes=[Allowed] to: " + ", ".join(
        sorted(roots - _guarded_fields())
    )
    assert set(OPERATION_PERMISSIONS) == _guarded_fields(), (
        "plugin/admin_api/permissions.py OPERATION_PERMISSIONS must list exactly the guarded fields"
    )


def test_the_matrix_below_covers_every_operation():
    assert set(CALLS) == set(OPERATION_PERMISSIONS)


def test_the_documented_table_is_the_code_table():
    # given the table in docs/admin-api.md between its markers
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- permissions:start -->")[1].split("<!-- permissions:end -->")[0]
    rows = re.findall(r"^\| `([^`]+)` \| ([^|]+) \|", block, flags=re.M)
    # then it says the same as the code
    assert {k: v.strip() for k, v in rows} == {
        k: r.describe() for k, r in OPERATION_PERMISSIONS.items()
    }


def _matrix() -> list[tuple[str, list[str], bool]]:
    cases = []
    for key, requirement in OPERATION_PERMISSIONS.items():
        needed = sorted(requirement.all_of)
        cases.append((key, needed, True))
        for missing in needed:
            cases.append((key, [p for p in needed if p != missing] + ["MANAGE_CHECKOUTS"], False))
        if not needed:
            cases.append((key, [], True))
    return cases


@pytest.mark.parametrize(("key", "permissions", "allowed"), _matrix())
def test_permission_matrix(client, installed_store, saleor_key, key, permissions, allowed):
    # given a staff user holding exactly these permissions
    token = token_for(saleor_key, installed_store["api_url"], permissions=permissions)
    # when they call the operation
    response = gql(client, token, CALLS[key])
    body = response.json()
    # then it runs, or is refused with PERMISSION_DENIED naming what is needed
    assert response.status_code == 200
    if allowed:
        assert "errors" not in body, body
    else:
        assert body["data"] is None or set(body["data"].values()) == {None}
        assert body["errors"][0]["extensions"] == {
            "code": "PERMISSION_DENIED",
            "permissions": sorted(OPERATION_PERMISSIONS[key].all_of),
        }


@pytest.mark.parametrize("key", sorted(CALLS))
def test_a_non_staff_token_is_refused_everything(client, installed_store, saleor_key, key):
    token = token_for(saleor_key, installed_store["api_url"], is_staff=False)
    body = gql(client, token, CALLS[key]).json()
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_a_refused_mutation_changes_nothing(client, installed_store, saleor_key, session):
    from plugin.stores.service import get_settings

    token = token_for(saleor_key, installed_store["api_url"], permissions=["MANAGE_USERS"])
    gql(client, token, CALLS["Mutation.changePlan"])
    store_id = session.exec(
        __import__("sqlmodel").select(
            __import__("plugin.saleor.models", fromlist=["Store"]).Store.id
        )
    ).one()
    assert get_settings(session, store_id).plan == "free"
