"""Dev mode survives a restart (issue 19, point 8): a real `ulak serve` in dev mode, as
`make run` starts it with only PORT set, keeps its sandbox numbers, its starter templates
approved and its clock across a restart, and its status webhooks reach its own port.

Before, the sandbox lived in memory: after a restart every starter send failed 132001 and
template sync marked the starters DELETED, the dev clock was back at real time, and without
APP_URL the sandbox posted statuses to port 3000 whatever PORT said."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select

from plugin.delivery.models import OutboundMessage
from plugin.settings import Settings
from plugin.templates.models import MessageTemplate
from tests.admin_api_support import token_for
from tests.faults.support import UlakProcess, _answering
from tests.support import FakeSaleor, SigningKey, free_port, wait_for

pytestmark = pytest.mark.sqlite

SHOPPER = "+905321234567"  # tests.flows.support.PHONE, on the order payloads


def _dev_serve(db: Path, port: int, logs: Path) -> UlakProcess:
    """`ulak serve --migrate` in dev mode with PORT and no APP_URL, as `PORT=... make run`."""
    env = {
        "ULAK_ENV": "dev",
        "DATABASE_URL": f"sqlite:///{db}",
        "PORT": str(port),
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
        "JWKS_REFETCH_MIN_INTERVAL_SECONDS": "0",
    }
    process = UlakProcess("serve", ["serve", "--migrate"], env, logs)
    process.env.pop("APP_URL", None)
    process.env.pop("SECRET_KEY", None)
    process.start()
    _answering(process, f"http://127.0.0.1:{port}/healthz")
    return process


def _order(app: str, fake: FakeSaleor, key: SigningKey, order_id: str) -> None:
    from tests.flows.support import order_event
    from tests.test_end_to_end import _deliver

    _deliver(app, fake, key, "ORDER_CREATED", order_event(created=_now(app), order_id=order_id))


def _order_updates(app: str) -> list[dict]:
    messages = httpx.get(f"{app}/sandbox/api/messages", params={"to": SHOPPER}).json()
    return [m for m in messages if m["template_name"] == "ulak_order_created"]


def _app_statuses(db: Path) -> list[str]:
    """What the app recorded for its order updates (moved on by the status webhooks)."""
    engine = create_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as s:
            rows = s.exec(
                select(OutboundMessage).where(OutboundMessage.template_name == "ulak_order_created")
            ).all()
            return [str(r.status) for r in rows]
    finally:
        engine.dispose()


def _starter_statuses(db: Path) -> dict[str, str]:
    engine = create_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as s:
            rows = s.exec(select(MessageTemplate)).all()
            return {f"{r.name}/{r.language}": str(r.status) for r in rows}
    finally:
        engine.dispose()


def _now(app: str) -> datetime:
    return _advance(app, 0)


def _advance(app: str, seconds: float) -> datetime:
    answer = httpx.post(f"{app}/sandbox/api/clock", json={"advance_seconds": seconds})
    return datetime.fromisoformat(answer.json()["now"])


@pytest.mark.slow
def test_a_restarted_dev_server_keeps_templates_numbers_and_clock_and_hears_its_statuses(
    tmp_path: Path, fake_saleor: FakeSaleor, saleor_key: SigningKey
) -> None:
    db = tmp_path / "ulak.db"
    port = free_port()
    app = f"http://127.0.0.1:{port}"
    # given `PORT=<port> make run` (dev mode, no APP_URL) and a store installed from Saleor
    server = _dev_serve(db, port, tmp_path)
    fake_saleor.app_url = app  # Saleor installed Ulak from this app's manifest
    try:
        register = httpx.post(
            f"{app}/api/register",
            headers={"saleor-api-url": fake_saleor.api_url},
            json={"auth_token": "good-app-token"},
        )
        assert register.status_code == 200, register.text
        wait_for(lambda: "ulak_order_created/tr" in _starter_statuses(db), timeout=20)
        numbers = httpx.get(f"{app}/sandbox/api/numbers").json()["numbers"]
        assert len(numbers) == 1
        # when an order arrives: its update reaches the sandbox, and the sandbox's statuses
        # reach this server (not port 3000)
        _order(app, fake_saleor, saleor_key, "T3JkZXI6MQ==")
        wait_for(lambda: len(_order_updates(app)) == 1, timeout=25)
        wait_for(lambda: _app_statuses(db) == ["read"], timeout=25)
        # and the merchant moves the dev clock two days on
        moved = _advance(app, 2 * 86400)
        approved = _starter_statuses(db)
    finally:
        server.stop()
    assert set(approved.values()) == {"APPROVED"}, approved

    # when the server is restarted
    server = _dev_serve(db, port, tmp_path)
    try:
        # then the sandbox still serves the number and holds every starter template approved
        assert httpx.get(f"{app}/sandbox/api/numbers").json()["numbers"] == numbers
        held = httpx.get(
            f"{app}/sandbox/api/templates", params={"waba_id": numbers[0]["waba_id"]}
        ).json()["data"]
        assert {f"{t['name']}/{t['language']}": t["status"] for t in held} == approved
        # and the clock kept its two days
        assert _now(app) >= moved - timedelta(seconds=1)
        # and a template sync from the admin finds them all at "Meta" (none turns DELETED)
        token = token_for(saleor_key, fake_saleor.api_url)
        synced = httpx.post(
            f"{app}/graphql",
            json={"query": "mutation { syncTemplates { errors { code message } } }"},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        assert "errors" not in synced and not synced["data"]["syncTemplates"]["errors"], synced
        assert _starter_statuses(db) == approved
        # and the next order update is sent, accepted and its statuses come back here
        _order(app, fake_saleor, saleor_key, "T3JkZXI6Mg==")
        wait_for(lambda: len(_order_updates(app)) == 1, timeout=25)  # a fresh phone after restart
        assert not _order_updates(app)[0]["errors"]
        wait_for(lambda: _app_statuses(db) == ["read", "read"], timeout=25)
    finally:
        server.stop()


def test_port_alone_sets_the_app_url() -> None:
    # given PORT and no APP_URL, the app's public URL (manifest, sandbox webhooks) follows it
    assert Settings(_env_file=None, port=3101, ulak_env="dev").app_url == "http://127.0.0.1:3101"
    assert (
        Settings(_env_file=None, port=3101, ulak_env="dev").whatsapp_graph_url
        == "http://127.0.0.1:3101/sandbox/graph"
    )
    # and an APP_URL that is set still wins
    explicit = Settings(_env_file=None, port=3101, app_url="https://ulak.example/")
    assert explicit.app_url == "https://ulak.example"


def test_a_sandbox_without_its_state_file_gets_the_approved_templates_back_from_the_database(
    settings: Settings, installed_store: dict, session: Session
) -> None:
    from fastapi.testclient import TestClient

    from plugin.app import create_app
    from plugin.templates.models import TemplateStatus
    from plugin.whatsapp.accounts import WhatsAppAccount
    from tests.support import drain_queue

    # given a store whose starter templates are approved (a dev database from before the
    # sandbox kept a state file, say)
    def approved() -> list[MessageTemplate]:
        drain_queue()
        session.expire_all()
        return list(
            session.exec(
                select(MessageTemplate).where(MessageTemplate.status == TemplateStatus.APPROVED)
            ).all()
        )

    rows = wait_for(approved, timeout=15)
    account = session.exec(select(WhatsAppAccount)).one()
    # when the app starts again with an empty sandbox
    app = create_app(settings, embedded_worker=False)
    with TestClient(app) as restarted:
        # then the sandbox holds them approved, under the ids the app knows
        held = app.state.sandbox.templates[account.waba_id]
        assert {k: (t.id, t.status) for k, t in held.items()} == {
            (r.name, r.language): (r.meta_id, "APPROVED") for r in rows
        }
        # and a starter send finds its template
        sent = restarted.post(
            f"/sandbox/graph/v23.0/{account.phone_number_id}/messages",
            headers={"authorization": f"Bearer {account.access_token()}"},
            json={
                "messaging_product": "whatsapp",
                "to": SHOPPER,
                "type": "template",
                "template": {
                    "name": "ulak_optin_request",
                    "language": {"code": "en"},
                    "components": [],
                },
            },
        )
        # (known to "Meta": at worst its parameters are missing, never 132001 "does not exist")
        assert sent.json().get("error", {}).get("code") in (None, 132000), sent.text
