"""Another store's id answers exactly like an id that does not exist, in every admin-API
operation that takes one: an answer that differs tells a staff member the id exists.

The operations are read from the schema (graphql/admin.graphql): every argument, or input
field, of type ID. Flows are the exception: their id is a key every store has (ORDER_UPDATES).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from graphql import (
    GraphQLInputObjectType,
    GraphQLNamedType,
    build_schema,
    get_named_type,
)
from plugin.saleor.models import Store
from plugin.stores.models import Plan
from plugin.stores.service import get_settings
from plugin.templates.models import MessageTemplate
from plugin.whatsapp.accounts import WhatsAppAccount
from tests.admin_api_support import gql, ok
from tests.segments.factories import make_template
from tests.test_admin_api_isolation import two_stores  # noqa: F401

pytestmark = pytest.mark.sqlite

SCHEMA = Path(__file__).resolve().parents[2] / "graphql" / "admin.graphql"
MISSING = "987654321"
ERRORS = "errors { field code message messageTr }"
EVERYONE = {"field": "orders_count", "op": "gte", "value": 0}
VARIANTS = [{"templateName": "spring_sale", "templateLanguage": "tr"}]
FLOW_KEYS = {("Query", "flow", "id"), ("Mutation", "setFlowEnabled", "id")}
FLOW_KEYS |= {("Mutation", "updateFlow", "id")}


def _id_paths(field_name: str, args: dict[str, Any], owner: str) -> set[tuple[str, str, str]]:
    """(type, operation, argument path) for each argument or input field of type ID."""
    found: set[tuple[str, str, str]] = set()

    def walk(path: str, named: GraphQLNamedType, depth: int) -> None:
        if named.name == "ID":
            found.add((owner, field_name, path))
        elif isinstance(named, GraphQLInputObjectType) and depth < 4:
            for name, field in named.fields.items():
                walk(f"{path}.{name}", get_named_type(field.type), depth + 1)

    for name, arg in args.items():
        walk(name, get_named_type(arg.type), 0)
    return found


def operations_taking_ids() -> set[tuple[str, str, str]]:
    schema = build_schema(SCHEMA.read_text())
    found: set[tuple[str, str, str]] = set()
    for root in (schema.query_type, schema.mutation_type):
        assert root is not None
        for name, field in root.fields.items():
            found |= _id_paths(name, field.args, root.name)
    return found


Vars = Callable[[str], dict[str, Any]]
# (type, operation, argument path) -> (kind of store B's object, document, variables for an id)
CASES: dict[tuple[str, str, str], tuple[str, str, Vars]] = {
    ("Query", "contact", "id"): (
        "contact",
        "query($id: ID!) { r: contact(id: $id) { id phone } }",
        lambda i: {"id": i},
    ),
    ("Query", "conversation", "contactId"): (
        "contact",
        "query($id: ID!) { r: conversation(contactId: $id, first: 10) { edges { node { id } } } }",
        lambda i: {"id": i},
    ),
    ("Query", "deliveryExplanation", "contactId"): (
        "contact",
        "query($id: ID!) { r: deliveryExplanation(contactId: $id) { id status } }",
        lambda i: {"id": i},
    ),
    ("Query", "template", "id"): (
        "template",
        "query($id: ID!) { r: template(id: $id) { id name } }",
        lambda i: {"id": i},
    ),
    ("Query", "templatePreview", "id"): (
        "template",
        "query($id: ID!) { r: templatePreview(id: $id) { body } }",
        lambda i: {"id": i},
    ),
    ("Query", "segment", "id"): (
        "segment",
        "query($id: ID!) { r: segment(id: $id) { id name } }",
        lambda i: {"id": i},
    ),
    ("Query", "segmentPreview", "segmentId"): (
        "segment",
        f"query($id: ID!) {{ r: segmentPreview(segmentId: $id) {{ count {ERRORS} }} }}",
        lambda i: {"id": i},
    ),
    ("Query", "campaign", "id"): (
        "campaign",
        "query($id: ID!) { r: campaign(id: $id) { id name } }",
        lambda i: {"id": i},
    ),
    ("Query", "campaignProgress", "id"): (
        "campaign",
        "query($id: ID!) { r: campaignProgress(id: $id) { status } }",
        lambda i: {"id": i},
    ),
    ("Mutation", "disconnectWhatsApp", "id"): (
        "account",
        f"mutation($id: ID!) {{ r: disconnectWhatsApp(id: $id) {{ account {{ id }} {ERRORS} }} }}",
        lambda i: {"id": i},
    ),
    ("Mutation", "sendTestMessage", "templateId"): (
        "template",
        'mutation($id: ID!) { r: sendTestMessage(phone: "+905321234567", templateId: $id)'
        f" {{ message {{ id }} {ERRORS} }} }}",
        lambda i: {"id": i},
    ),
    ("Mutation", "sendSupportReply", "contactId"): (
        "contact",
        'mutation($id: ID!) { r: sendSupportReply(contactId: $id, text: "hi")'
        f" {{ message {{ id }} {ERRORS} }} }}",
        lambda i: {"id": i},
    ),
    ("Mutation", "recordConsent", "contactId"): (
        "contact",
        "mutation($id: ID!) { r: recordConsent(contactId: $id, purpose: MARKETING,"
        f" action: REVOKED) {{ event {{ id }} {ERRORS} }} }}",
        lambda i: {"id": i},
    ),
    ("Mutation", "exportContact", "id"): (
        "contact",
        f"mutation($id: ID!) {{ r: exportContact(id: $id) {{ export {ERRORS} }} }}",
        lambda i: {"id": i},
    ),
    ("Mutation", "eraseContact", "id"): (
        "contact",
        "mutation($id: ID!) { r: eraseContact(id: $id, confirm: true)"
        f" {{ contact {{ id }} {ERRORS} }} }}",
        lambda i: {"id": i},
    ),
    ("Mutation", "submitTemplate", "id"): (
        "template",
        f"mutation($id: ID!) {{ r: submitTemplate(id: $id) {{ template {{ id }} {ERRORS} }} }}",
        lambda i: {"id": i},
    ),
    ("Mutation", "deleteTemplate", "id"): (
        "template",
        f"mutation($id: ID!) {{ r: deleteTemplate(id: $id) {{ template {{ id }} {ERRORS} }} }}",
        lambda i: {"id": i},
    ),
    ("Mutation", "updateSegment", "id"): (
        "segment",
        'mutation($id: ID!, $rule: JSON!) { r: updateSegment(id: $id, name: "X", rule: $rule)'
        f" {{ segment {{ id }} {ERRORS} }} }}",
        lambda i: {"id": i, "rule": EVERYONE},
    ),
    ("Mutation", "deleteSegment", "id"): (
        "segment",
        f"mutation($id: ID!) {{ r: deleteSegment(id: $id) {{ segment {{ id }} {ERRORS} }} }}",
        lambda i: {"id": i},
    ),
    ("Mutation", "addContactTags", "contactId"): (
        "contact",
        'mutation($id: ID!) { r: addContactTags(contactId: $id, tags: ["vip"])'
        f" {{ tags {ERRORS} }} }}",
        lambda i: {"id": i},
    ),
    ("Mutation", "removeContactTag", "contactId"): (
        "contact",
        'mutation($id: ID!) { r: removeContactTag(contactId: $id, tag: "seed")'
        f" {{ tags {ERRORS} }} }}",
        lambda i: {"id": i},
    ),
    ("Mutation", "saveCampaign", "id"): (
        "campaign",
        "mutation($id: ID!, $input: CampaignInput!) { r: saveCampaign(input: $input, id: $id)"
        f" {{ campaign {{ id }} {ERRORS} }} }}",
        lambda i: {"id": i, "input": {"name": "X", "rule": EVERYONE, "variants": VARIANTS}},
    ),
    ("Mutation", "saveCampaign", "input.segmentId"): (
        "segment",
        "mutation($input: CampaignInput!) { r: saveCampaign(input: $input)"
        f" {{ campaign {{ id }} {ERRORS} }} }}",
        lambda i: {"input": {"name": "X", "segmentId": i, "variants": VARIANTS}},
    ),
    ("Mutation", "saveCampaign", "input.accountId"): (
        "account",
        "mutation($input: CampaignInput!) { r: saveCampaign(input: $input)"
        f" {{ campaign {{ id }} {ERRORS} }} }}",
        lambda i: {"input": {"name": "X", "rule": EVERYONE, "variants": VARIANTS, "accountId": i}},
    ),
    ("Mutation", "sendCampaignTest", "id"): (
        "campaign",
        'mutation($id: ID!) { r: sendCampaignTest(id: $id, phone: "+905321234567")'
        f" {{ campaign {{ id }} {ERRORS} }} }}",
        lambda i: {"id": i},
    ),
    ("Mutation", "estimateCampaign", "id"): (
        "campaign",
        "mutation($id: ID!) { r: estimateCampaign(id: $id)"
        f" {{ estimate {{ audience }} {ERRORS} }} }}",
        lambda i: {"id": i},
    ),
    **{
        ("Mutation", name, "id"): (
            "campaign",
            f"mutation($id: ID!) {{ r: {name}(id: $id) {{ campaign {{ id }} {ERRORS} }} }}",
            lambda i: {"id": i},
        )
        for name in ("launchCampaign", "pauseCampaign", "resumeCampaign", "cancelCampaign")
    },
}


def test_every_operation_taking_an_id_is_checked():
    # a new operation with an id argument must be added to CASES (or be a flow key)
    assert operations_taking_ids() - FLOW_KEYS == set(CASES)


def _created(client, token: str, call: str, kind: str, params: str, variables: Any) -> str:
    """The id of an object a store's admin created through the API."""
    data = ok(
        client,
        token,
        f"mutation({params}) {{ r: {call} {{ {kind} {{ id }} {ERRORS} }} }}",
        variables,
    )
    assert data["r"]["errors"] == [], data
    return str(data["r"][kind]["id"])


@pytest.fixture()
def foreign(client, two_stores, session: Session) -> dict[str, Any]:  # noqa: F811
    """Store B's objects of every kind, and store A's token; both stores on the Gold plan."""
    for store_id in (two_stores["a"], two_stores["b"]):
        get_settings(session, store_id).plan = Plan.GOLD
        make_template(session, session.get(Store, store_id))  # spring_sale, approved
    session.commit()
    token_b = two_stores["token_b"]
    segment = _created(
        client,
        token_b,
        'createSegment(name: "B", rule: $rule)',
        "segment",
        "$rule: JSON!",
        {"rule": EVERYONE},
    )
    campaign = _created(
        client,
        token_b,
        "saveCampaign(input: $input)",
        "campaign",
        "$input: CampaignInput!",
        {"input": {"name": "B sale", "rule": EVERYONE, "variants": VARIANTS}},
    )
    b = two_stores["b"]
    template = session.exec(select(MessageTemplate).where(MessageTemplate.store_id == b)).first()
    account = session.exec(select(WhatsAppAccount).where(WhatsAppAccount.store_id == b)).first()
    assert template is not None and account is not None
    return {
        "token": two_stores["token_a"],
        "ids": {
            "contact": str(two_stores["contact_b"]),
            "template": str(template.id),
            "account": str(account.id),
            "segment": str(segment),
            "campaign": str(campaign),
        },
    }


def _answer(client, token: str, document: str, variables: dict[str, Any], the_id: str) -> Any:
    response = gql(client, token, document, variables)
    text = json.dumps(response.json(), sort_keys=True).replace(f'"{the_id}"', '"<id>"')
    return response.status_code, json.loads(text)


@pytest.mark.parametrize("case", sorted(CASES), ids=lambda c: f"{c[1]}({c[2]})")
def test_another_stores_id_answers_like_a_missing_one(client, foreign, case):
    kind, document, variables = CASES[case]
    foreign_id = foreign["ids"][kind]
    # when store A's admin names store B's object, and an id that exists nowhere
    theirs = _answer(client, foreign["token"], document, variables(foreign_id), foreign_id)
    missing = _answer(client, foreign["token"], document, variables(MISSING), MISSING)
    # then both answers are the same (no "unexpected error" that tells the id exists)
    assert theirs == missing
