"""Another app on the same Saleor cannot take a store over through POST /api/register.

Every app installed on a Saleor holds a token that Saleor accepts; only an installation of
this Ulak (a THIRDPARTY app installed from our manifest URL, its identifier our manifest id)
may register, and an installed store keeps its app until Saleor stops accepting its token.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from plugin import crypto
from plugin.saleor.models import Store, StoreStatus
from tests.admin_api_support import gql, token_for
from tests.support import ULAK_IDENTIFIER, FakeApp, saleor_body, saleor_headers

pytestmark = pytest.mark.sqlite

OTHER_APP_ID = "QXBwOjk5"


def _register(client, fake, token):
    return client.post(
        "/api/register",
        headers={"saleor-api-url": fake.api_url, "saleor-domain": fake.domain},
        json={"auth_token": token},
    )


def _store(session) -> Store:
    session.expire_all()
    return session.exec(select(Store)).one()


IMPOSTORS = {
    "another third-party app": FakeApp(
        id=OTHER_APP_ID,
        identifier="app.saleor.klaviyo",
        manifest_url="https://klaviyo.saleor.app/api/manifest",
        name="Klaviyo",
    ),
    "a local app whose staff set our identifier": FakeApp(
        id=OTHER_APP_ID, type="LOCAL", identifier=ULAK_IDENTIFIER, manifest_url=None
    ),
    "a local app with our identifier and manifest URL": FakeApp(
        id=OTHER_APP_ID, type="LOCAL", identifier=ULAK_IDENTIFIER
    ),
    "a third-party app from another manifest claiming our identifier": FakeApp(
        id=OTHER_APP_ID, manifest_url="https://evil.example/api/manifest"
    ),
    "a third-party app from our manifest URL with another identifier": FakeApp(
        id=OTHER_APP_ID, identifier="app.someone.else"
    ),
}


@pytest.mark.parametrize("name", list(IMPOSTORS))
def test_another_apps_token_cannot_replace_the_installed_app(
    client, installed_store, fake_saleor, saleor_key, session, name
):
    # given Ulak installed on a Saleor where another app is installed too
    impostor = IMPOSTORS[name]
    fake_saleor.apps["impostor-token"] = impostor
    # when that app posts its own (valid) token to our register endpoint
    response = _register(client, fake_saleor, "impostor-token")
    # then it is refused, and the store keeps its app id and token
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "NOT_THIS_APP"
    store = _store(session)
    assert store.saleor_app_id == installed_store["app_id"]
    assert crypto.decrypt(store.app_token_encrypted) == "good-app-token"
    # and the store's own admin and Saleor's deliveries still work
    token = token_for(saleor_key, installed_store["api_url"])
    assert gql(client, token, "{ viewer { isStaff } }").status_code == 200
    body = saleor_body("ORDER_CREATED")
    headers = dict(saleor_headers("ORDER_CREATED"), **{"saleor-api-url": fake_saleor.api_url})
    headers["saleor-signature"] = saleor_key.sign_body(body)
    delivery = client.post("/api/webhooks/saleor/order-created", content=body, headers=headers)
    assert delivery.status_code == 200, delivery.text


@pytest.mark.parametrize("name", list(IMPOSTORS))
def test_another_apps_token_cannot_install_a_new_store(client, fake_saleor, session, name):
    impostor = IMPOSTORS[name]
    fake_saleor.apps["impostor-token"] = impostor
    assert _register(client, fake_saleor, "impostor-token").status_code == 403
    assert session.exec(select(Store)).all() == []


def test_a_second_ulak_installation_waits_until_the_first_is_gone(
    client, installed_store, fake_saleor, session
):
    # given Ulak installed, and staff installing it a second time on the same Saleor
    fake_saleor.apps["second-token"] = FakeApp(id="QXBwOjI=")
    # when the second installation registers while Saleor still accepts the first's token
    response = _register(client, fake_saleor, "second-token")
    # then it is refused and the first keeps the store
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "ALREADY_INSTALLED"
    assert _store(session).saleor_app_id == installed_store["app_id"]
    # and once Saleor no longer accepts the first app's token (it was removed), it may
    fake_saleor.valid_tokens.discard("good-app-token")
    assert _register(client, fake_saleor, "second-token").status_code == 200
    store = _store(session)
    assert store.saleor_app_id == "QXBwOjI="
    assert crypto.decrypt(store.app_token_encrypted) == "second-token"


def test_after_app_deleted_a_new_installation_takes_the_store(
    client, installed_store, fake_saleor, session
):
    # given the store uninstalled (APP_DELETED disabled it)
    store = _store(session)
    store.status = StoreStatus.DISABLED
    session.add(store)
    session.commit()
    # when Ulak is installed again (a new app id) while the old token still answers
    fake_saleor.apps["again-token"] = FakeApp(id="QXBwOjM=")
    response = _register(client, fake_saleor, "again-token")
    # then the store is active again under the new app
    assert response.status_code == 200, response.text
    store = _store(session)
    assert (store.saleor_app_id, store.status) == ("QXBwOjM=", StoreStatus.ACTIVE)


def test_a_new_token_of_the_installed_app_is_accepted(
    client, installed_store, fake_saleor, session
):
    # the same app (same id) registering a fresh token keeps the store
    fake_saleor.apps["rotated-token"] = FakeApp(id=installed_store["app_id"])
    assert _register(client, fake_saleor, "rotated-token").status_code == 200
    assert crypto.decrypt(_store(session).app_token_encrypted) == "rotated-token"


def test_an_inactive_app_is_not_confirmed(client, fake_saleor, session):
    fake_saleor.apps["inactive-token"] = FakeApp(id="QXBwOjQ=", is_active=False)
    response = _register(client, fake_saleor, "inactive-token")
    assert response.status_code == 401
    assert session.exec(select(Store)).all() == []
