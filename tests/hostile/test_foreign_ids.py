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
from plugin.consent.models import IysBatch
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
Case = tuple[str, str, Vars]


def _by_id(i: str) -> dict[str, Any]:
    return {"id": i}


def _query(kind: str, call: str, selection: str) -> Case:
    return kind, f"query($id: ID!) {{ r: {call} {{ {selection} }} }}", _by_id


def _mutation(
    kind: str, call: str, payload: str, params: str = "$id: ID!", variables: Vars = _by_id
) -> Case:
    return kind, f"mutation({params}) {{ r: {call} {{ {payload} {ERRORS} }} }}", variables


def _campaign_input(**extra: Any) -> dict[str, Any]:
    return {"name": "X", "variants": VARIANTS, **({"rule": EVERYONE} | extra)}


PHONE = '"+905321234567"'
# (type, operation, argument path) -> (kind of store B's object, document, variables for an id)
CASES: dict[tuple[str, str, str], Case] = {
    ("Query", "contact", "id"): _query("contact", "contact(id: $id)", "id phone"),
    ("Query", "conversation", "contactId"): _query(
        "contact", "conversation(contactId: $id, first: 10)", "edges { node { id } }"
    ),
    ("Query", "deliveryExplanation", "contactId"): _query(
        "contact", "deliveryExplanation(contactId: $id)", "id status"
    ),
    ("Query", "contactActivity", "contactId"): _query(
        "contact", "contactActivity(contactId: $id)", "clicks"
    ),
    ("Query", "contactList", "filter.segmentId"): (
        "segment",
        "query($id: ID!) { r: contactList(filter: {segmentId: $id}) { totalCount } }",
        _by_id,
    ),
    ("Query", "template", "id"): _query("template", "template(id: $id)", "id name"),
    ("Query", "templatePreview", "id"): _query("template", "templatePreview(id: $id)", "body"),
    ("Query", "segment", "id"): _query("segment", "segment(id: $id)", "id name"),
    ("Query", "segmentPreview", "segmentId"): _query(
        "segment", "segmentPreview(segmentId: $id)", f"count {ERRORS}"
    ),
    ("Query", "campaign", "id"): _query("campaign", "campaign(id: $id)", "id name"),
    ("Query", "campaignProgress", "id"): _query("campaign", "campaignProgress(id: $id)", "status"),
    ("Mutation", "disconnectWhatsApp", "id"): _mutation(
        "account", "disconnectWhatsApp(id: $id)", "account { id }"
    ),
    ("Mutation", "sendTestMessage", "templateId"): _mutation(
        "template", f"sendTestMessage(phone: {PHONE}, templateId: $id)", "message { id }"
    ),
    ("Mutation", "sendSupportReply", "contactId"): _mutation(
        "contact", 'sendSupportReply(contactId: $id, text: "hi")', "message { id }"
    ),
    ("Mutation", "recordConsent", "contactId"): _mutation(
        "contact",
        "recordConsent(contactId: $id, purpose: MARKETING, action: REVOKED)",
        "event { id }",
    ),
    ("Mutation", "exportContact", "id"): _mutation("contact", "exportContact(id: $id)", "export"),
    ("Query", "iysBatch", "id"): _query("iys_batch", "iysBatch(id: $id)", "id recordCount"),
    ("Mutation", "confirmIysBatch", "id"): _mutation(
        "iys_batch", "confirmIysBatch(id: $id)", "batch { id status }"
    ),
    ("Mutation", "discardIysBatch", "id"): _mutation(
        "iys_batch", "discardIysBatch(id: $id)", "batch { id status }"
    ),
    ("Mutation", "eraseContact", "id"): _mutation(
        "contact", "eraseContact(id: $id, confirm: true)", "contact { id }"
    ),
    ("Mutation", "addContactTags", "contactId"): _mutation(
        "contact", 'addContactTags(contactId: $id, tags: ["vip"])', "tags"
    ),
    ("Mutation", "removeContactTag", "contactId"): _mutation(
        "contact", 'removeContactTag(contactId: $id, tag: "seed")', "tags"
    ),
    ("Mutation", "updateSegment", "id"): _mutation(
        "segment",
        'updateSegment(id: $id, name: "X", rule: $rule)',
        "segment { id }",
        "$id: ID!, $rule: JSON!",
        lambda i: {"id": i, "rule": EVERYONE},
    ),
    ("Mutation", "deleteSegment", "id"): _mutation(
        "segment", "deleteSegment(id: $id)", "segment { id }"
    ),
    ("Mutation", "saveCampaign", "id"): _mutation(
        "campaign",
        "saveCampaign(input: $input, id: $id)",
        "campaign { id }",
        "$id: ID!, $input: CampaignInput!",
        lambda i: {"id": i, "input": _campaign_input()},
    ),
    ("Mutation", "saveCampaign", "input.segmentId"): _mutation(
        "segment",
        "saveCampaign(input: $input)",
        "campaign { id }",
        "$input: CampaignInput!",
        lambda i: {"input": _campaign_input(rule=None, segmentId=i)},
    ),
    ("Mutation", "saveCampaign", "input.accountId"): _mutation(
        "account",
        "saveCampaign(input: $input)",
        "campaign { id }",
        "$input: CampaignInput!",
        lambda i: {"input": _campaign_input(accountId=i)},
    ),
    ("Mutation", "sendCampaignTest", "id"): _mutation(
        "campaign", f"sendCampaignTest(id: $id, phone: {PHONE})", "campaign { id }"
    ),
    ("Mutation", "estimateCampaign", "id"): _mutation(
        "campaign", "estimateCampaign(id: $id)", "estimate { audience }"
    ),
    **{
        ("Mutation", name, "id"): _mutation("template", f"{name}(id: $id)", "template { id }")
        for name in ("submitTemplate", "deleteTemplate")
    },
    **{
        ("Mutation", name, "id"): _mutation("campaign", f"{name}(id: $id)", "campaign { id }")
        for name in (
            "launchCampaign",
            "pauseCampaign",
            "resumeCampaign",
            "cancelCampaign",
            "deleteCampaign",
        )
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
    batch = IysBatch(store_id=b)  # an open İYS export of store B
    session.add(batch)
    session.commit()
    return {
        "token": two_stores["token_a"],
        "ids": {
            "contact": str(two_stores["contact_b"]),
            "template": str(template.id),
            "account": str(account.id),
            "segment": str(segment),
            "campaign": str(campaign),
            "iys_batch": str(batch.id),
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
