"""Templates over the admin API; submission, sync and deletion against the WhatsApp sandbox
over real loopback HTTP."""

from __future__ import annotations

import pytest
from sqlmodel import select

from plugin import crypto
from plugin.db import get_engine
from plugin.saleor.models import Store
from plugin.templates.library import STARTER_KEYS
from plugin.templates.models import MessageTemplate
from plugin.whatsapp.accounts import WhatsAppAccount
from tests.admin_api_support import ok, seed_store_rows, token_for
from tests.conftest import make_settings
from tests.support import QueryCounter
from tests.templates.test_service import PNID, TOKEN, WABA, meta, wait_reviewed  # noqa: F401

pytestmark = pytest.mark.sqlite

GREETING = {
    "name": "greeting",
    "language": "tr",
    "category": "UTILITY",
    "components": [
        {
            "type": "BODY",
            "text": "Merhaba {{1}}, siparişiniz hazır.",
            "example": {"body_text": [["Ayşe"]]},
        }
    ],
    "variableMapping": {"body": ["first_name"]},
}


@pytest.fixture()
def settings(db_url, meta):  # noqa: F811
    return make_settings(db_url, whatsapp_graph_url=meta.graph_url)


@pytest.fixture()
def token(installed_store, saleor_key) -> str:
    return token_for(saleor_key, installed_store["api_url"])


@pytest.fixture()
def store_id(installed_store, session) -> int:
    return session.exec(select(Store.id)).one()


@pytest.fixture()
def connected(session, store_id) -> int:
    """The store's default number is the sandbox's."""
    session.add(
        WhatsAppAccount(
            store_id=store_id,
            phone_number_id=PNID,
            waba_id=WABA,
            access_token_encrypted=crypto.encrypt(TOKEN),
        )
    )
    session.commit()
    return store_id


SAVE = """mutation($input: TemplateDraftInput!) {
  saveTemplateDraft(input: $input) {
    template { id name language category status variableMapping components }
    errors { field code message messageTr }
    problems { path code severity }
  }
}"""
SUBMIT = """mutation($id: ID!) {
  submitTemplate(id: $id) { template { status metaId } errors { field code } }
}"""
LIST = """query($status: TemplateStatus) {
  templates(first: 100, status: $status) {
    edges { node { id name status quality rejectedReason updatedAt } }
  }
}"""


def _save(client, token, **changes):
    return ok(client, token, SAVE, {"input": {**GREETING, **changes}})["saveTemplateDraft"]


def test_a_valid_draft_is_saved(client, token, session, store_id):
    payload = _save(client, token)
    assert payload["errors"] == []
    assert payload["template"]["status"] == "DRAFT"
    assert payload["template"]["variableMapping"] == {"body": ["first_name"]}
    assert [t.name for t in session.exec(select(MessageTemplate)).all()] == ["greeting"]


def test_an_invalid_draft_reports_paths_and_saves_nothing(client, token, session, store_id):
    # given a body ending in a variable without a sample, and a mapping with a typo
    payload = _save(
        client,
        token,
        name="Bad Name",
        components=[{"type": "BODY", "text": "Merhaba {{1}}"}],
        variableMapping={"body": ["frist_name"]},
    )
    # then every blocking problem is a typed error whose field is the template path
    assert payload["template"] is None
    errors = {(e["field"], e["code"]) for e in payload["errors"]}
    assert ("variable_mapping", "INVALID") in errors
    assert ("name", "INVALID") in errors
    assert all(e["message"] and e["messageTr"] for e in payload["errors"])
    assert {p["code"] for p in payload["problems"]} >= {"variable_unknown", "variable_at_end"}
    assert session.exec(select(MessageTemplate)).all() == []


def test_preview_fills_given_values_and_samples(client, token):
    template_id = _save(client, token)["template"]["id"]
    query = """query($id: ID!, $values: JSON) {
      templatePreview(id: $id, values: $values) { body footer buttons { type } problems { code } }
    }"""
    given = ok(client, token, query, {"id": template_id, "values": {"first_name": "Zeynep"}})
    assert given["templatePreview"] == {
        "body": "Merhaba Zeynep, siparişiniz hazır.",
        "footer": None,
        "buttons": [],
        "problems": [],
    }
    sample = ok(client, token, query, {"id": template_id})
    assert sample["templatePreview"]["body"] == "Merhaba Ayşe, siparişiniz hazır."


def test_preview_draft_renders_and_validates_without_saving(client, token, session, store_id):
    query = """query($input: TemplateDraftInput!) {
      previewDraft(input: $input, values: {first_name: "Emma"}) { body problems { path code } }
    }"""
    draft = {**GREETING, "components": [{"type": "BODY", "text": "Hi {{1}}"}]}
    data = ok(client, token, query, {"input": draft})["previewDraft"]
    assert data["body"] == "Hi Emma"
    assert {"path": "components.0.text", "code": "variable_at_end"} in data["problems"]
    assert session.exec(select(MessageTemplate)).all() == []


def test_variable_catalogue_for_a_flow(client, token):
    query = "query($flow: String) { variableCatalogue(flow: $flow) { key labelTr sampleTr } }"
    fulfilled = {
        v["key"] for v in ok(client, token, query, {"flow": "order_fulfilled"})["variableCatalogue"]
    }
    assert {"tracking_number", "first_name", "order_number"} <= fulfilled
    assert "discount_code" not in fulfilled
    everything = ok(client, token, query)["variableCatalogue"]
    assert {"discount_code", "tracking_number"} <= {v["key"] for v in everything}


def test_submit_then_sync_against_the_sandbox(client, token, connected, meta):  # noqa: F811
    template_id = _save(client, token)["template"]["id"]
    submitted = ok(client, token, SUBMIT, {"id": template_id})["submitTemplate"]
    assert submitted["errors"] == []
    assert submitted["template"]["status"] == "PENDING"
    assert submitted["template"]["metaId"] == meta.sandbox.templates[WABA][("greeting", "tr")].id
    wait_reviewed(meta, 1)
    synced = ok(
        client, token, "mutation { syncTemplates { created updated deleted errors { code } } }"
    )
    assert synced["syncTemplates"] == {"created": 0, "updated": 1, "deleted": 0, "errors": []}
    approved = ok(client, token, LIST, {"status": "APPROVED"})["templates"]["edges"]
    assert [e["node"]["name"] for e in approved] == ["greeting"]
    # a submitted template is locked: a change needs a new name
    locked = _save(client, token)
    assert [(e["field"], e["code"]) for e in locked["errors"]] == [("name", "NOT_ALLOWED")]


def test_submit_without_a_number_reports_it_and_changes_nothing(client, token, session, store_id):
    template_id = _save(client, token)["template"]["id"]
    data = ok(client, token, SUBMIT, {"id": template_id})["submitTemplate"]
    assert data == {
        "template": {"status": "DRAFT", "metaId": None},
        "errors": [{"field": "store", "code": "NOT_ALLOWED"}],
    }


def test_meta_refusing_a_name_is_a_typed_error(client, token, connected, meta):  # noqa: F811
    meta.sandbox.add_template(
        waba_id=WABA,
        name="greeting",
        language="tr",
        category="UTILITY",
        components=GREETING["components"],
    )
    template_id = _save(client, token)["template"]["id"]
    data = ok(client, token, SUBMIT, {"id": template_id})["submitTemplate"]
    assert data["errors"] == [{"field": "name", "code": "UNIQUE"}]
    assert data["template"]["status"] == "DRAFT"


def test_delete_removes_it_at_meta(client, token, connected, meta):  # noqa: F811
    template_id = _save(client, token)["template"]["id"]
    ok(client, token, SUBMIT, {"id": template_id})
    data = ok(
        client,
        token,
        "mutation($id: ID!) { deleteTemplate(id: $id) { template { status } errors { code } } }",
        {"id": template_id},
    )
    assert data["deleteTemplate"] == {"template": {"status": "DELETED"}, "errors": []}
    assert ("greeting", "tr") not in meta.sandbox.templates[WABA]


def test_install_starter_templates_submits_the_library(client, token, connected, meta):  # noqa: F811
    data = ok(
        client,
        token,
        "mutation { installStarterTemplates(submit: true) {"
        " templates { starterKey language status } errors { code } } }",
    )["installStarterTemplates"]
    assert data["errors"] == []
    assert sorted((t["starterKey"], t["language"]) for t in data["templates"]) == sorted(
        (k, lang) for k in STARTER_KEYS for lang in ("tr", "en")
    )
    assert {t["status"] for t in data["templates"]} == {"PENDING"}
    assert len(meta.sandbox.templates[WABA]) == len(data["templates"])


def test_templates_list_does_no_n_plus_one(client, token, session, store_id):
    query = (
        "{ templates(first: 100) { edges { node { id name status components variableMapping } } } }"
    )

    def count() -> int:
        with QueryCounter(get_engine()) as queries:
            ok(client, token, query)
        return queries.count

    seed_store_rows(session, store_id, accounts=0, inbox=0, contacts=0, messages=0, templates=1)
    small = count()
    seed_store_rows(
        session, store_id, accounts=0, inbox=0, contacts=0, messages=0, templates=100, batch=1
    )
    assert count() == small
    assert len(ok(client, token, query)["templates"]["edges"]) == 100


def test_the_template_editor_offers_the_tracked_address_and_says_which_buttons_count_clicks(
    client, token
):
    # given the address the editor offers for URL buttons
    tracked = ok(client, token, "{ trackedUrl }")["trackedUrl"]
    assert tracked == "http://testserver/r/{{1}}"
    # when a draft has a tracked button and a shop address with a suffix (Meta allows two),
    # and another a fixed address
    buttons = [
        {"type": "URL", "text": "Sepet", "url": tracked, "example": ["http://testserver/r/Ab3d"]},
        {
            "type": "URL",
            "text": "Mağaza",
            "url": "https://magaza.example/{{1}}",
            "example": ["https://magaza.example/bahar"],
        },
    ]
    fixed = [{"type": "URL", "text": "Site", "url": "https://magaza.example/"}]

    def save(name: str, with_buttons: list[dict]) -> list[dict]:
        draft = ok(
            client,
            token,
            """mutation($input: TemplateDraftInput!) { saveTemplateDraft(input: $input) {
              template { urlButtons { index text tracked message messageTr } }
              errors { code } } }""",
            {
                "input": {
                    **GREETING,
                    "name": name,
                    "components": [
                        *GREETING["components"],
                        {"type": "BUTTONS", "buttons": with_buttons},
                    ],
                }
            },
        )["saveTemplateDraft"]
        assert draft["errors"] == []
        return list(draft["template"]["urlButtons"])

    rows = save("bahar_linkleri", buttons) + save("bahar_site", fixed)
    # then only the first counts clicks, and the others say how to make them count
    assert [(r["index"], r["text"], r["tracked"]) for r in rows] == [
        (0, "Sepet", True),
        (1, "Mağaza", False),
        (0, "Site", False),
    ]
    assert rows[1]["message"] == (
        "Clicks on this address cannot be counted; use http://testserver/r/{{1}} to count them."
    )
    assert rows[2]["messageTr"] == (
        "Sabit bir adres izlenemez; tıklamaları saymak için http://testserver/r/{{1}} kullanın."
    )
