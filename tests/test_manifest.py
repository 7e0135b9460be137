"""The manifest Saleor installs from, and the GraphQL documents it carries."""

from __future__ import annotations

import json
from pathlib import Path

from graphql import build_schema, parse, validate
from plugin.saleor import documents
from plugin.saleor.manifest import build_manifest
from plugin.saleor.webhooks import WEBHOOKS
from plugin.settings import Settings
from tests.support import SALEOR_SHARED

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_BASE = "http://127.0.0.1:3000"


def test_shipped_manifest_json_equals_the_built_manifest() -> None:
    # given the manifest as shipped in the repository
    shipped = json.loads((ROOT / "manifest.json").read_text())
    # when the app builds it for the default APP_URL
    built = build_manifest(Settings(ulak_env="dev", app_url=SHIPPED_BASE))
    # then they are the same document
    assert shipped == built


def test_served_manifest_uses_app_url_for_every_url(client, settings) -> None:
    # when Saleor fetches the manifest
    response = client.get("/api/manifest", headers={"host": "127.0.0.1"})
    # then it is the shipped manifest with URLs under APP_URL (never the Host header)
    assert response.status_code == 200
    shipped_text = (ROOT / "manifest.json").read_text().replace(SHIPPED_BASE, settings.app_url)
    assert response.json() == json.loads(shipped_text)
    body = response.json()
    assert body["tokenTargetUrl"] == "http://testserver/api/register"
    assert body["webhooks"][0]["targetUrl"].startswith("http://testserver/api/webhooks/saleor/")


def test_manifest_lists_every_required_event_once_with_its_route() -> None:
    manifest = build_manifest(Settings(ulak_env="dev"))
    events = [w["asyncEvents"][0] for w in manifest["webhooks"]]
    assert events == [
        "ORDER_CREATED",
        "ORDER_CONFIRMED",
        "ORDER_FULLY_PAID",
        "ORDER_FULFILLED",
        "ORDER_CANCELLED",
        "ORDER_REFUNDED",
        "FULFILLMENT_CREATED",
        "CHECKOUT_CREATED",
        "CHECKOUT_UPDATED",
        "CHECKOUT_FULLY_PAID",
        "CUSTOMER_CREATED",
        "CUSTOMER_UPDATED",
        "APP_DELETED",
    ]
    assert {w["targetUrl"].rsplit("/", 1)[1] for w in manifest["webhooks"]} == {
        w.slug for w in WEBHOOKS
    }
    assert set(manifest["permissions"]) == {"MANAGE_ORDERS", "MANAGE_CHECKOUTS", "MANAGE_USERS"}
    for key in (
        "id",
        "version",
        "name",
        "about",
        "appUrl",
        "tokenTargetUrl",
        "dataPrivacyUrl",
        "homepageUrl",
        "supportUrl",
        "author",
        "brand",
        "requiredSaleorVersion",
    ):
        assert manifest[key], key


def test_every_graphql_document_validates_against_saleors_schema() -> None:
    # given Saleor 3.23's schema
    schema = build_schema((SALEOR_SHARED / "schema.graphql").read_text())
    documents_dir = ROOT / "graphql"
    checked = 0
    # when every subscription and query document is validated
    for path in sorted(documents_dir.rglob("*.graphql")):
        if path.parent.name == "fragments" or path.name == "admin.graphql":
            continue
        document = documents.with_fragments(path.read_text())
        errors = validate(schema, parse(document))
        # then none has an error
        assert errors == [], f"{path}: {errors}"
        checked += 1
    assert checked >= len(WEBHOOKS)


def test_graphql_directory_is_documents_only() -> None:
    files = [p for p in (ROOT / "graphql").rglob("*") if p.is_file()]
    assert files
    assert all(p.suffix == ".graphql" for p in files), "graphql/ must hold .graphql documents only"


def test_payloads_ask_only_for_the_consent_metadata_not_all_metadata() -> None:
    # data minimisation: one metadata key is read, private metadata never
    for webhook in WEBHOOKS:
        query = webhook.query
        assert "privateMetadata" not in query
        assert "metadata {" not in query


def test_every_url_in_the_manifest_that_points_at_us_answers(client, settings) -> None:
    manifest = client.get("/api/manifest").json()
    for url in (manifest["dataPrivacyUrl"], manifest["brand"]["logo"]["default"]):
        path = url.removeprefix(settings.app_url)
        response = client.get(path)
        assert response.status_code == 200, path
    logo = client.get("/static/logo.png")
    assert logo.headers["content-type"] == "image/png"
    assert logo.content.startswith(b"\x89PNG")
