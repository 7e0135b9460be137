"""A token of store A never reads or changes store B's rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from plugin.admin_api.scope import StoreIsolationError, install_guard, scoped
from plugin.saleor.models import Store
from plugin.stores.models import StoreSettings
from plugin.whatsapp.accounts import AccountStatus, WhatsAppAccount
from tests.admin_api_support import gql, ok, seed_store_rows, token_for
from tests.support import FakeSaleor, ServerThread, free_port

pytestmark = pytest.mark.sqlite

EVERYTHING = """{
  store { name saleorApiUrl }
  storeSettings { timezone marketingCap24h }
  planUsage { plan usedThisMonth }
  whatsappAccounts { id phoneNumberId displayPhone sentThisMonth }
  inboxEvents(first: 100) { edges { node { id event status } } }
  contacts(first: 100) {
    edges { node { id email consents { purpose granted } consentTimeline { id contactId } } }
  }
  templates(first: 100) { edges { node { id name } } }
}"""


@pytest.fixture()
def two_stores(
    client, installed_store, saleor_key, saleor_b_key, session
) -> Iterator[dict[str, Any]]:
    """Store A on the usual fake Saleor; store B on a second Saleor with its own key."""
    key_b = saleor_b_key
    fake_b = FakeSaleor(port=free_port())
    fake_b.jwks = {"keys": [key_b.public_jwk()]}
    with ServerThread(fake_b.asgi(), fake_b.port):
        response = client.post(
            "/api/register",
            headers={"saleor-api-url": fake_b.api_url, "saleor-domain": fake_b.domain},
            json={"auth_token": "good-app-token"},
        )
        assert response.status_code == 200, response.text
        stores = {s.saleor_api_url: s.id for s in session.exec(select(Store))}
        a, b = stores[installed_store["api_url"]], stores[fake_b.api_url]
        first_a = seed_store_rows(session, a, accounts=1, inbox=2, contacts=1, templates=1)
        first_b = seed_store_rows(session, b, accounts=2, inbox=3, contacts=2, templates=2)
        yield {
            "a": a,
            "b": b,
            "token_a": token_for(saleor_key, installed_store["api_url"]),
            "token_b": token_for(key_b, fake_b.api_url),
            "api_b": fake_b.api_url,
            "key_b": key_b,
            "api_a": installed_store["api_url"],
            "contact_a": first_a,
            "contact_b": first_b,
        }


def test_each_token_reads_only_its_own_store(client, two_stores):
    # when each store's admin reads every type that holds store data
    data_a = ok(client, two_stores["token_a"], EVERYTHING)
    data_b = ok(client, two_stores["token_b"], EVERYTHING)
    # then each sees exactly its own rows
    assert data_a["store"]["saleorApiUrl"] == two_stores["api_a"]
    assert data_b["store"]["saleorApiUrl"] == two_stores["api_b"]
    assert [a["phoneNumberId"] for a in data_a["whatsappAccounts"]] == [f"{two_stores['a']}0000"]
    assert [a["phoneNumberId"] for a in data_b["whatsappAccounts"]] == [
        f"{two_stores['b']}0000",
        f"{two_stores['b']}0001",
    ]
    assert [a["sentThisMonth"] for a in data_a["whatsappAccounts"]] == [1]
    assert data_a["planUsage"]["usedThisMonth"] == 1
    assert data_b["planUsage"]["usedThisMonth"] == 2
    assert len(data_a["inboxEvents"]["edges"]) == 2
    assert len(data_b["inboxEvents"]["edges"]) == 3
    contacts_a = [e["node"] for e in data_a["contacts"]["edges"]]
    contacts_b = [e["node"] for e in data_b["contacts"]["edges"]]
    assert len(contacts_a) == 2 and len(contacts_b) == 3
    assert {c["email"] for c in contacts_a} == {None, f"c0-0@s{two_stores['a']}.example"}
    events_a = [e for c in contacts_a for e in c["consentTimeline"]]
    assert len(events_a) == 1 and events_a[0]["contactId"] in {c["id"] for c in contacts_a}
    assert [t["node"]["name"] for t in data_a["templates"]["edges"]] == ["seed_0_0"]
    assert len(data_b["templates"]["edges"]) == 2


def test_a_token_signed_by_saleor_b_claiming_saleor_a_is_refused(client, two_stores):
    # given Saleor B's key signing a token whose issuer says Saleor A
    forged = token_for(two_stores["key_b"], two_stores["api_a"])
    response = gql(client, forged, EVERYTHING)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNKNOWN_KEY"


def test_store_a_cannot_disconnect_store_b_number(client, two_stores, session):
    b_account = session.exec(
        select(WhatsAppAccount).where(WhatsAppAccount.store_id == two_stores["b"])
    ).first()
    data = ok(
        client,
        two_stores["token_a"],
        "mutation($id: ID!) { disconnectWhatsApp(id: $id) {"
        " account { id } errors { field code } } }",
        {"id": str(b_account.id)},
    )
    assert data["disconnectWhatsApp"] == {
        "account": None,
        "errors": [{"field": "id", "code": "NOT_FOUND"}],
    }
    session.expire_all()
    assert session.get(WhatsAppAccount, b_account.id).status == AccountStatus.ACTIVE


def test_store_a_settings_change_leaves_store_b_alone(client, two_stores, session):
    ok(
        client,
        two_stores["token_a"],
        "mutation { updateStoreSettings(input: {marketingCap24h: 0}) { errors { code } } }",
    )
    session.expire_all()
    assert session.get(StoreSettings, two_stores["a"]).marketing_cap_24h == 0
    assert session.get(StoreSettings, two_stores["b"]).marketing_cap_24h == 1


def test_store_a_plan_change_leaves_store_b_alone(client, two_stores, session):
    ok(client, two_stores["token_a"], "mutation { changePlan(plan: GOLD) { errors { code } } }")
    session.expire_all()
    assert session.get(StoreSettings, two_stores["a"]).plan == "gold"
    assert session.get(StoreSettings, two_stores["b"]).plan == "free"


def test_the_guard_refuses_a_foreign_row_loaded_by_any_query(two_stores, app):
    from plugin.db import get_engine

    with Session(get_engine()) as guarded:
        install_guard(guarded, two_stores["a"])
        # a forgotten filter: the first row of store B comes back, the guard stops it
        with pytest.raises(StoreIsolationError):
            guarded.exec(
                select(WhatsAppAccount).where(WhatsAppAccount.store_id == two_stores["b"])
            ).all()


def test_the_guard_refuses_an_aggregate_without_a_store_filter(two_stores, app):
    from plugin.db import get_engine

    with Session(get_engine()) as guarded:
        install_guard(guarded, two_stores["a"])
        with pytest.raises(StoreIsolationError):
            guarded.execute(sa.select(sa.func.count()).select_from(WhatsAppAccount)).scalar()
        count = guarded.execute(
            scoped(
                sa.select(sa.func.count()).select_from(WhatsAppAccount),
                two_stores["a"],
                WhatsAppAccount,
            )
        ).scalar()
        assert count == 1


FOREIGN_READS = """query($contact: ID!, $template: ID!) {
  contact(id: $contact) { id }
  conversation(contactId: $contact, first: 100) { edges { node { id } } }
  template(id: $template) { id }
  templatePreview(id: $template) { body }
}"""


def _template_of(session, store_id):
    from plugin.templates.models import MessageTemplate

    return session.exec(select(MessageTemplate).where(MessageTemplate.store_id == store_id)).first()


def test_store_a_reads_nothing_of_store_b_by_id(client, two_stores, session):
    # given ids of store B's contact (with its conversation) and template
    variables = {
        "contact": str(two_stores["contact_b"]),
        "template": str(_template_of(session, two_stores["b"]).id),
    }
    # when store A asks for them, then nothing comes back; store B sees its own
    assert ok(client, two_stores["token_a"], FOREIGN_READS, variables) == {
        "contact": None,
        "conversation": {"edges": []},
        "template": None,
        "templatePreview": None,
    }
    own = ok(client, two_stores["token_b"], FOREIGN_READS, variables)
    assert own["contact"] == {"id": str(two_stores["contact_b"])}
    assert len(own["conversation"]["edges"]) == 4  # 2 delivered, 1 suppressed, 1 inbound


@pytest.mark.parametrize(
    "mutation",
    [
        'sendSupportReply(contactId: $id, text: "hi")',
        "recordConsent(contactId: $id, purpose: MARKETING, action: REVOKED)",
        "exportContact(id: $id)",
        "eraseContact(id: $id, confirm: true)",
    ],
)
def test_store_a_cannot_touch_store_b_contact(client, two_stores, session, mutation):
    from plugin.consent.models import ConsentEvent
    from plugin.contacts.models import Contact
    from plugin.delivery.models import OutboundMessage

    def state():
        session.expire_all()
        b = two_stores["b"]
        return (
            session.get(Contact, two_stores["contact_b"]).model_dump(),
            len(session.exec(select(ConsentEvent).where(ConsentEvent.store_id == b)).all()),
            len(session.exec(select(OutboundMessage).where(OutboundMessage.store_id == b)).all()),
        )

    before = state()
    name = mutation.split("(")[0]
    data = ok(
        client,
        two_stores["token_a"],
        f"mutation($id: ID!) {{ {name}: {mutation} {{ errors {{ field code }} }} }}",
        {"id": str(two_stores["contact_b"])},
    )
    assert data[name]["errors"][0]["code"] == "NOT_FOUND"
    assert state() == before


@pytest.mark.parametrize("mutation", ["submitTemplate(id: $id)", "deleteTemplate(id: $id)"])
def test_store_a_cannot_touch_store_b_template(client, two_stores, session, mutation):
    template = _template_of(session, two_stores["b"])
    name = mutation.split("(")[0]
    data = ok(
        client,
        two_stores["token_a"],
        f"mutation($id: ID!) {{ {name}: {mutation}"
        " { template { id } errors { field code } } }",
        {"id": str(template.id)},
    )
    assert data[name] == {"template": None, "errors": [{"field": "id", "code": "NOT_FOUND"}]}
    session.expire_all()
    assert _template_of(session, two_stores["b"]).status == "DRAFT"
