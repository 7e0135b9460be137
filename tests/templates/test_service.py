"""Template services against the WhatsApp sandbox over real loopback HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import Session, select

from plugin import crypto
from plugin.saleor.models import Store
from plugin.stores.models import StoreSettings
from plugin.templates import meta_api, service, starter
from plugin.templates.library import STARTER_KEYS
from plugin.templates.models import MessageTemplate, TemplateStatus
from plugin.templates.render import build_components
from plugin.templates.variables import sample_values
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.client import CloudApiClient
from plugin.whatsapp.credentials import Credentials
from plugin.whatsapp.sandbox import SandboxConfig, SandboxNumber, create_sandbox_app
from plugin.whatsapp.sandbox.state import Sandbox
from tests.support import ServerThread, free_port

pytestmark = pytest.mark.sqlite

PNID = "106540352242922"
WABA = "102290129340398"
TOKEN = "sandbox-token-templates"
CUSTOMER = "+905551112233"
BODY = [{"type": "BODY", "text": "Merhaba, siparişiniz hazır."}]


@dataclass
class Meta:
    graph_url: str
    sandbox: Sandbox

    def status(self, name: str, language: str) -> str:
        return self.sandbox.templates[WABA][(name, language)].status


@pytest.fixture
def meta() -> Iterator[Meta]:
    config = SandboxConfig(
        review_delay_seconds=0.2,
        status_webhooks=False,
        random_seed=3,
        numbers=[
            SandboxNumber(
                phone_number_id=PNID,
                waba_id=WABA,
                display_phone_number="+90 555 000 00 00",
                access_token=TOKEN,
            )
        ],
    )
    app = create_sandbox_app(config)
    port = free_port()
    with ServerThread(app, port):
        yield Meta(f"http://127.0.0.1:{port}/sandbox/graph", app.state.sandbox)


def make_store(session: Session, *, sandbox_number: bool = False, connected: bool = True) -> int:
    store = Store(
        saleor_api_url="https://shop.example/graphql/",
        saleor_app_id="QXBwOjE=",
        app_token_encrypted=crypto.encrypt("app-token"),
    )
    session.add(store)
    session.flush()
    assert store.id is not None
    session.add(StoreSettings(store_id=store.id, default_locale="tr"))
    if connected:
        session.add(
            WhatsAppAccount(
                store_id=store.id,
                phone_number_id=PNID,
                waba_id=WABA,
                access_token_encrypted=crypto.encrypt(TOKEN),
                is_sandbox=sandbox_number,
            )
        )
    session.commit()
    return store.id


def rows(session: Session, store_id: int) -> list[MessageTemplate]:
    query = (
        select(MessageTemplate)
        .where(MessageTemplate.store_id == store_id)
        .order_by(MessageTemplate.id)
    )  # type: ignore[arg-type]
    return list(session.exec(query).all())


def make_draft(
    session: Session,
    store_id: int,
    name: str,
    *,
    language: str = "tr",
    category: str = "UTILITY",
    components: list[dict[str, Any]] = BODY,
) -> MessageTemplate:
    """A valid draft saved through the service."""
    result = service.create_or_update_draft(
        session,
        store_id=store_id,
        name=name,
        language=language,
        category=category,
        components=components,
    )
    assert result.template is not None, result.errors
    return result.template


def wait_reviewed(meta: Meta, count: int) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        statuses = [t.status for t in meta.sandbox.templates[WABA].values()]
        if len(statuses) == count and "PENDING" not in statuses:
            return
        time.sleep(0.02)
    raise AssertionError("sandbox review did not finish")


def test_the_starter_library_is_submitted_with_one_action_and_approved_on_sync(
    session: Session, meta: Meta
) -> None:
    # given
    store_id = make_store(session)
    # when
    problems = starter.install_starter_library(
        session, store_id=store_id, submit=True, graph_url=meta.graph_url
    )
    session.commit()
    # then every starter, in both languages, is pending at Meta with its id
    assert problems == {}
    saved = rows(session, store_id)
    assert sorted((r.starter_key, r.language) for r in saved) == sorted(
        (k, lang) for k in STARTER_KEYS for lang in ("tr", "en")
    )
    assert {r.status for r in saved} == {TemplateStatus.PENDING}
    assert all(r.meta_id == meta.sandbox.templates[WABA][(r.name, r.language)].id for r in saved)
    # when the review is over and we sync
    wait_reviewed(meta, len(saved))
    report = meta_api.sync_templates(session, store_id=store_id, graph_url=meta.graph_url)
    session.commit()
    # then
    assert (report.created, report.updated, report.deleted) == (0, len(saved), 0)
    assert {r.status for r in rows(session, store_id)} == {TemplateStatus.APPROVED}


def test_installing_again_changes_nothing(session: Session, meta: Meta) -> None:
    store_id = make_store(session)
    starter.install_starter_library(
        session, store_id=store_id, submit=True, graph_url=meta.graph_url
    )
    before = [(r.id, r.status, r.meta_id) for r in rows(session, store_id)]
    # when
    problems = starter.install_starter_library(
        session, store_id=store_id, submit=True, graph_url=meta.graph_url
    )
    # then
    assert problems == {}
    assert [(r.id, r.status, r.meta_id) for r in rows(session, store_id)] == before
    assert len(meta.sandbox.templates[WABA]) == len(before)


def test_a_rejected_template_gets_its_reason_on_sync(session: Session, meta: Meta) -> None:
    # given two drafts the sandbox's reviewer rejects (by name, by body)
    store_id = make_store(session)
    by_name = make_draft(session, store_id, "reject_promo", category="MARKETING")
    rejected_body = [{"type": "BODY", "text": "Big sale REJECT_ME today."}]
    by_body = make_draft(
        session,
        store_id,
        "spring_sale",
        language="en",
        category="MARKETING",
        components=rejected_body,
    )
    # when
    assert meta_api.submit_template(session, template=by_name, graph_url=meta.graph_url) == []
    assert meta_api.submit_template(session, template=by_body, graph_url=meta.graph_url) == []
    wait_reviewed(meta, 2)
    meta_api.sync_templates(session, store_id=store_id, graph_url=meta.graph_url)
    # then
    for row in (by_name, by_body):
        session.refresh(row)
        assert (row.status, row.rejected_reason) == (TemplateStatus.REJECTED, "INVALID_FORMAT")


def test_meta_refusing_a_template_is_a_clear_typed_error(session: Session, meta: Meta) -> None:
    # given the same name and language already at Meta
    store_id = make_store(session)
    meta.sandbox.add_template(
        waba_id=WABA, name="welcome", language="tr", category="UTILITY", components=BODY
    )
    draft = make_draft(session, store_id, "welcome")
    # when
    errors = meta_api.submit_template(session, template=draft, graph_url=meta.graph_url)
    # then
    assert [(e.code, e.path) for e in errors] == [("meta_name_taken", "name")]
    assert (
        errors[0].message_tr
        == "Bu adda ve bu dilde bir şablon Meta'da zaten var; başka bir ad seçin."
    )
    assert (draft.status, draft.meta_id) == (TemplateStatus.DRAFT, None)


def test_an_invalid_template_never_reaches_meta(session: Session, meta: Meta) -> None:
    store_id = make_store(session)
    row = MessageTemplate(
        store_id=store_id,
        name="bad",
        language="tr",
        category="UTILITY",  # type: ignore[arg-type]
        components=[{"type": "BODY", "text": "Merhaba {{1}}"}],
    )
    session.add(row)
    session.flush()
    # when
    errors = meta_api.submit_template(session, template=row, graph_url=meta.graph_url)
    # then
    assert [e.code for e in errors] == ["variable_at_end", "sample_missing"]
    assert meta.sandbox.templates[WABA] == {}
    assert row.status == TemplateStatus.DRAFT


def test_without_a_connected_number_nothing_is_submitted(session: Session, meta: Meta) -> None:
    store_id = make_store(session, connected=False)
    problems = starter.install_starter_library(
        session, store_id=store_id, languages=("tr",), submit=True, graph_url=meta.graph_url
    )
    assert {e.code for errors in problems.values() for e in errors} == {"whatsapp_not_connected"}
    assert len(problems) == len(STARTER_KEYS)
    assert {r.status for r in rows(session, store_id)} == {TemplateStatus.DRAFT}


def test_drafts_are_validated_and_submitted_ones_are_locked(session: Session, meta: Meta) -> None:
    store_id = make_store(session)
    bad = service.create_or_update_draft(
        session,
        store_id=store_id,
        name="Kargo",
        language="tr",
        category="UTILITY",
        components=BODY,
        variable_mapping={"body": ["frist_name"]},
    )
    assert bad.template is None
    assert [e.code for e in bad.errors] == ["name_format", "variable_unknown"]
    assert rows(session, store_id) == []
    good = service.create_or_update_draft(
        session, store_id=store_id, name="kargo", language="tr", category="UTILITY", components=BODY
    )
    assert good.template is not None
    meta_api.submit_template(session, template=good.template, graph_url=meta.graph_url)
    again = service.create_or_update_draft(
        session, store_id=store_id, name="kargo", language="tr", category="UTILITY", components=BODY
    )
    assert again.template is None and [e.code for e in again.errors] == ["template_locked"]


def test_sync_adds_meta_only_templates_pages_through_and_marks_deleted(
    session: Session, meta: Meta
) -> None:
    # given 120 templates made in Meta's own tools (more than one page of 100) ...
    store_id = make_store(session)
    for i in range(120):
        meta.sandbox.add_template(
            waba_id=WABA,
            name=f"made_at_meta_{i}",
            language="en",
            category="MARKETING",
            components=BODY,
        )
    # ... and one of ours that Meta no longer has
    gone = make_draft(session, store_id, "gone")
    meta_api.submit_template(session, template=gone, graph_url=meta.graph_url)
    del meta.sandbox.templates[WABA][("gone", "tr")]
    # when
    report = meta_api.sync_templates(session, store_id=store_id, graph_url=meta.graph_url)
    session.commit()
    # then
    assert (report.created, report.updated, report.deleted) == (120, 0, 1)
    saved = {r.name: r for r in rows(session, store_id)}
    assert saved["gone"].status == TemplateStatus.DELETED
    assert saved["made_at_meta_119"].status == TemplateStatus.APPROVED
    assert (
        saved["made_at_meta_119"].meta_id
        == meta.sandbox.templates[WABA][("made_at_meta_119", "en")].id
    )
    # and a second sync finds nothing new
    again = meta_api.sync_templates(session, store_id=store_id, graph_url=meta.graph_url)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)


def test_deleting_removes_the_template_at_meta(session: Session, meta: Meta) -> None:
    store_id = make_store(session)
    row = make_draft(session, store_id, "old_promo", category="MARKETING")
    meta_api.submit_template(session, template=row, graph_url=meta.graph_url)
    # when
    assert meta_api.delete_template(session, template=row, graph_url=meta.graph_url) == []
    # then
    assert ("old_promo", "tr") not in meta.sandbox.templates[WABA]
    assert row.status == TemplateStatus.DELETED
    # a draft never submitted is only marked locally
    draft = make_draft(session, store_id, "never_sent", category="MARKETING")
    assert meta_api.delete_template(session, template=draft, graph_url=meta.graph_url) == []
    assert draft.status == TemplateStatus.DELETED


def _approved(
    session: Session, store_id: int, name: str, language: str, status: str = "APPROVED"
) -> None:
    session.add(
        MessageTemplate(
            store_id=store_id,
            name=name,
            language=language,
            category="UTILITY",  # type: ignore[arg-type]
            components=BODY,
            status=status,  # type: ignore[arg-type]
        )
    )
    session.flush()


def test_approved_template_falls_back_across_regions_then_to_the_store_language(
    session: Session,
) -> None:
    # given (store default language: tr)
    store_id = make_store(session, connected=False)
    _approved(session, store_id, "ulak_order_paid", "tr_TR")
    _approved(session, store_id, "ulak_order_paid", "en")
    _approved(session, store_id, "ulak_order_paid", "de", status="PENDING")
    _approved(session, store_id, "only_pending", "tr", status="PENDING")

    def lang(name: str, language: str) -> str | None:
        found = service.approved_template(session, store_id=store_id, name=name, language=language)
        return found.language if found else None

    # then
    assert lang("ulak_order_paid", "tr_TR") == "tr_TR"
    assert lang("ulak_order_paid", "tr") == "tr_TR"
    assert lang("ulak_order_paid", "en_US") == "en"
    assert lang("ulak_order_paid", "en") == "en"
    assert lang("ulak_order_paid", "de") == "tr_TR"  # pending German is not used
    assert lang("only_pending", "tr") is None
    assert lang("missing", "tr") is None
    other_store = service.approved_template(
        session, store_id=store_id + 1, name="ulak_order_paid", language="tr"
    )
    assert other_store is None


def test_a_sandbox_number_gets_the_starter_library_approved_at_once_and_it_sends(
    session: Session, meta: Meta
) -> None:
    # given
    store_id = make_store(session, sandbox_number=True)
    # when
    saved = starter.ensure_sandbox_approved(session, store_id=store_id, sandbox=meta.sandbox)
    session.commit()
    # then
    assert len(saved) == 2 * len(STARTER_KEYS)
    assert {r.status for r in rows(session, store_id)} == {TemplateStatus.APPROVED}
    assert {meta.status(r.name, r.language) for r in saved} == {"APPROVED"}
    # and every starter sends with the components build_components makes
    credentials = Credentials(phone_number_id=PNID, access_token=TOKEN, waba_id=WABA)

    async def send_all() -> list[str]:
        async with CloudApiClient(meta.graph_url) as client:
            wamids = []
            for row in saved:
                components = build_components(
                    row, sample_values(row.variable_mapping, row.language)
                )
                payload: dict[str, Any] = {
                    "to": CUSTOMER,
                    "type": "template",
                    "template": {
                        "name": row.name,
                        "language": {"code": row.language},
                        "components": components,
                    },
                }
                result = await client.send_message(payload, credentials=credentials)
                wamids.append(result.wamid)
            return wamids

    assert len(asyncio.run(send_all())) == len(saved)
    sent = meta.sandbox.list_messages(CUSTOMER)
    optin = next(
        m
        for m in sent
        if m["template_name"] == "ulak_optin_request" and m["template_language"] == "tr"
    )
    assert [(b["text"], b["payload"]) for b in optin["buttons"]] == [
        ("Evet", "ULAK_OPTIN_YES"),
        ("Hayır", "ULAK_OPTIN_NO"),
    ]
    # and a second call changes nothing
    assert len(
        starter.ensure_sandbox_approved(session, store_id=store_id, sandbox=meta.sandbox)
    ) == len(saved)
    assert len(meta.sandbox.templates[WABA]) == len(saved)


def test_a_real_number_is_not_seeded_into_the_sandbox(session: Session, meta: Meta) -> None:
    store_id = make_store(session, sandbox_number=False)
    assert starter.ensure_sandbox_approved(session, store_id=store_id, sandbox=meta.sandbox) == []
    assert meta.sandbox.templates[WABA] == {}
    assert rows(session, store_id) == []
