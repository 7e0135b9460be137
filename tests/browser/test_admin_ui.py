"""The admin page inside a (test) Saleor dashboard, driven in Debian's Chromium: the AppBridge
handshake, the sandbox number, settings that persist, the template editor's live preview,
contacts and their consent timeline, and a screenshot of every page."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from plugin.consent.models import ConsentAction, ConsentEvent
from plugin.stores.models import StoreSettings
from tests.browser.conftest import Dashboard, needs, require, wait_for

pytestmark = pytest.mark.browser

CUSTOMER = "+905551112233"


def consent_actions() -> list[ConsentAction]:
    from plugin.db import get_engine

    with Session(get_engine()) as s:
        return [e.action for e in s.exec(select(ConsentEvent)).all()]


PAGES = [
    "onboarding",
    "dashboard",
    "templates",
    "flows",
    "segments",
    "campaigns",
    "contacts",
    "settings",
]


def test_onboarding_shows_the_sandbox_number_and_checks_credentials_live(dashboard: Dashboard):
    # given a store installed in test mode (the sandbox number is connected at install)
    # when the merchant opens Ulak from the dashboard
    frame = dashboard.open("onboarding")

    # then the sandbox number is shown and the connect and flow steps are done
    account = frame.get_by_test_id("whatsapp-account")
    expect(account).to_have_count(1)
    expect(account).to_contain_text("Sandbox")
    expect(account).to_contain_text("Active")
    # (test mode switches cart recovery on at install, so the flow step is done too)
    expect(frame.get_by_text("2 of 3 steps done")).to_be_visible()

    # when credentials WhatsApp does not know are submitted
    frame.get_by_text("Connect another number").click()
    frame.get_by_label("Phone number ID").fill("999000111")
    frame.get_by_label("WhatsApp Business Account ID").fill("waba-unknown")
    frame.get_by_label("Access token").fill("not-a-real-token")
    frame.get_by_role("button", name="Check and connect").click()

    # then the live check refuses them and no second number appears
    expect(frame.get_by_role("alert").first).to_contain_text("WhatsApp")
    expect(account).to_have_count(1)
    dashboard.screenshot("onboarding-connect-refused", frame)


def test_settings_change_persists(dashboard: Dashboard, db_url: str):
    # given the settings page
    frame = dashboard.open("settings")
    expect(frame.get_by_role("meter")).to_be_visible()

    # when quiet hours, a cap and the opt-out keywords change and are saved
    frame.get_by_label("Quiet from").fill("22:30")
    frame.get_by_label("At most in 24 hours").fill("2")
    frame.get_by_label("A reply with one of these words opts the contact out").fill(
        "STOP, DUR, IPTAL"
    )
    frame.get_by_role("button", name="Save").click()
    expect(frame.get_by_text("Saved.")).to_be_visible()

    # then they are stored ...
    from plugin.db import get_engine

    with Session(get_engine()) as s:
        row = s.exec(select(StoreSettings)).one()
        assert (row.quiet_hours_start, row.marketing_cap_24h) == ("22:30", 2)
        assert row.optout_keywords == ["STOP", "DUR", "IPTAL"]

    # ... and shown again after a reload, in Turkish this time
    frame = dashboard.open("settings", locale="tr")
    expect(frame.get_by_label("Sessiz başlangıç")).to_have_value("22:30")
    expect(frame.get_by_label("24 saatte en fazla")).to_have_value("2")


def test_template_editor_preview_updates_as_you_type(dashboard: Dashboard):
    # given the templates page
    frame = dashboard.open("templates")
    preview = frame.get_by_role("figure", name="WhatsApp message preview")
    problems = frame.get_by_test_id("template-problems")

    # when a body with a variable is typed, without a sample
    frame.get_by_label("Name").fill("sepet_hatirlatma")
    frame.get_by_label("Body").fill("Merhaba {{1}}, sepetiniz sizi bekliyor.")

    # then the preview shows the text and validation asks for the sample
    expect(preview).to_contain_text("sepetiniz sizi bekliyor")
    expect(problems).to_contain_text(re.compile("sample", re.I))
    expect(frame.get_by_role("button", name="Submit for approval")).to_be_disabled()

    # when the sample is given
    frame.get_by_label("Sample for {{1}}").fill("Ayşe")

    # then the preview fills it in and the template is ready to submit
    expect(preview).to_contain_text("Merhaba Ayşe, sepetiniz sizi bekliyor.")
    expect(problems).to_contain_text("Ready to submit")
    expect(frame.get_by_role("button", name="Submit for approval")).to_be_enabled()
    dashboard.screenshot("templates-editor", frame)


@needs("Query.templates")
def test_templates_list_shows_the_starter_library(dashboard: Dashboard):
    # given a dev store (its sandbox got the starter templates approved at install)
    frame = dashboard.open("templates")
    # then the list shows them with their Meta status
    table = frame.get_by_role("table")
    expect(table).to_contain_text("APPROVED")
    expect(table).to_contain_text("Starter")


@needs("Query.contacts", "Query.contact", "Query.conversation")
def test_contacts_search_shows_a_contact_and_its_consent_timeline(dashboard: Dashboard):
    # given a customer who wrote STOP from the sandbox phone, processed into the ledger
    reply = httpx.post(
        f"{dashboard.app_url}/sandbox/api/reply", json={"from": CUSTOMER, "text": "STOP"}
    )
    assert reply.status_code == 200, reply.text
    wait_for(lambda: consent_actions() == [ConsentAction.REVOKED])

    # when the merchant searches for the number and opens the contact
    frame = dashboard.open("contacts")
    frame.get_by_label("Search by phone, name or email").fill("5551112233")
    frame.get_by_role("button", name="Search").click()
    frame.get_by_role("button", name=CUSTOMER).click()

    # then the consent timeline shows the opt-out and the conversation the STOP
    timeline = frame.get_by_role("list", name="Consent timeline")
    expect(timeline.get_by_role("listitem")).to_have_count(1)
    expect(timeline).to_contain_text("REVOKED · MARKETING")
    expect(frame.get_by_role("list", name="Conversation")).to_contain_text("Customer: STOP")
    dashboard.screenshot("contacts-detail", frame)


def test_every_page_renders_inside_the_dashboard(dashboard: Dashboard):
    # given the app inside the dashboard
    for page in PAGES:
        # when each page is opened
        frame = dashboard.open(page)
        # then it shows its title and settles: data or the API's honest error, never blank
        expect(frame.locator("main h2").first).to_be_visible()
        expect(frame.get_by_role("status").filter(has_text="Loading data")).to_have_count(0)
        dashboard.screenshot(page, frame)
    frame = dashboard.open("onboarding", locale="tr")
    expect(frame.get_by_role("link", name="Kurulum")).to_be_visible()
    dashboard.screenshot("onboarding-tr", frame)
    frame = dashboard.open("settings", theme="dark")
    expect(frame.get_by_role("meter")).to_be_visible()
    dashboard.screenshot("settings-dark", frame)


def test_end_to_end_sandbox_to_opt_out(dashboard: Dashboard):
    """The issue's scenario: template → cart recovery → segment → campaign → sandbox phone →
    STOP → consent timeline. Runs as far as the admin API allows today."""
    # given the sandbox connected
    frame = dashboard.open("onboarding")
    expect(frame.get_by_test_id("whatsapp-account")).to_contain_text("Sandbox")

    # when a template is created and submitted
    require("Mutation.saveTemplateDraft", "Mutation.submitTemplate")
    frame = dashboard.open("templates")
    frame.get_by_label("Name").fill("kampanya_e2e")
    frame.get_by_label("Body").fill("Merhaba {{1}}, yeni sezon başladı!")
    frame.get_by_label("Sample for {{1}}").fill("Ayşe")
    frame.get_by_role("button", name="Submit for approval").click()
    expect(frame.get_by_text("Submitted to Meta for approval.")).to_be_visible()

    # and cart recovery is switched on
    require("Query.flows", "Mutation.setFlowEnabled")
    frame = dashboard.open("flows")
    frame.get_by_role("switch").first.check()

    # and a segment is built and a campaign launched to it
    require("Query.segmentPreview", "Mutation.createSegment", "Mutation.launchCampaign")
    # TODO(campaigns): drive the wizard (segment → template → schedule → review → launch),
    # then: the message on /sandbox/api/messages, STOP via /sandbox/api/reply, and the
    # contact's consent timeline showing REVOKED (as in the contacts test above).
    pytest.skip("the campaign wizard's launch is wired once the campaigns admin API exists")
