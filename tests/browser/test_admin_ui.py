"""The admin page inside a (test) Saleor dashboard, driven in Debian's Chromium: the AppBridge
handshake, the sandbox number, settings that persist, the template editor's live preview,
contacts and their consent timeline, a screenshot of every page, and the issue's scenario end
to end (template → cart recovery → segment → campaign wizard → sandbox phone → STOP → the
consent timeline), with campaign sending done by the live app's in-process worker."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from plugin.consent.models import ConsentAction, ConsentEvent
from plugin.contacts.models import Contact
from plugin.db import get_engine
from plugin.stores.models import StoreSettings
from tests.browser.conftest import Dashboard, wait_for
from tests.browser.controls import pick
from tests.flows.support import PHONE as SHOPPER
from tests.support import FakeSaleor, SigningKey
from tests.test_end_to_end import _opted_in_checkout

pytestmark = pytest.mark.browser

CUSTOMER = "+905551112233"
STAFF = "+905550000001"
TEMPLATE = "kampanya_e2e"
SEGMENT = "Türkiye, izinli"


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
    # (test mode switches cart recovery on at install and names the sandbox storefront, so
    # the flow and storefront steps are done too)
    expect(frame.get_by_text("3 of 4 steps done")).to_be_visible()

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

    # when quiet hours, a cap, the opt-out keywords and the time zone (found by typing part of
    # its name into the searchable picker) change and are saved
    frame.get_by_label("Quiet from").fill("22:30")
    frame.get_by_label("At most in 24 hours").fill("2")
    frame.get_by_label("A reply with one of these words opts the contact out").fill(
        "STOP, DUR, IPTAL"
    )
    zone = frame.get_by_role("combobox", name=re.compile(r"^Time zone"))
    zone.fill("berl")
    expect(frame.get_by_role("option")).to_have_text(["Europe/Berlin"])
    frame.get_by_role("option", name="Europe/Berlin", exact=True).click()
    frame.get_by_role("button", name="Save", exact=True).click()
    expect(frame.get_by_text("Saved.")).to_be_visible()

    # then they are stored ...
    from plugin.db import get_engine

    with Session(get_engine()) as s:
        row = s.exec(select(StoreSettings)).one()
        assert (row.quiet_hours_start, row.marketing_cap_24h) == ("22:30", 2)
        assert row.optout_keywords == ["STOP", "DUR", "IPTAL"]
        assert row.timezone == "Europe/Berlin"

    # ... and shown again after a reload, in Turkish this time
    frame = dashboard.open("settings", locale="tr")
    expect(frame.get_by_label("Sessiz başlangıç")).to_have_value("22:30")
    expect(frame.get_by_label("24 saatte en fazla")).to_have_value("2")
    expect(frame.get_by_role("combobox", name=re.compile(r"^Saat dilimi"))).to_have_value(
        "Europe/Berlin"
    )


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


def test_templates_list_shows_the_starter_library(dashboard: Dashboard):
    # given a dev store (its sandbox got the starter templates approved at install)
    frame = dashboard.open("templates")
    # then the list shows them with their Meta status
    table = frame.get_by_role("table")
    expect(table).to_contain_text("Approved")
    expect(table).to_contain_text("Starter")


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
    frame.locator(".ulak-contact-link").filter(has_text=CUSTOMER).first.click()

    # then the consent timeline shows the opt-out and the conversation the STOP
    timeline = frame.get_by_role("list", name="Consent timeline")
    expect(timeline.get_by_role("listitem")).to_have_count(1)
    expect(timeline).to_contain_text("Opted out · Marketing")
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


def test_the_dashboard_and_the_plan_page_warn_when_the_marketing_quota_is_used_up(
    dashboard: Dashboard,
):
    from plugin import clock
    from plugin.saleor.models import Store
    from plugin.stores import usage

    # given a Free store whose 500 marketing messages of the month are used up
    with Session(get_engine()) as s:
        store_id = s.exec(select(Store.id)).one()
        assert usage.reserve(session=s, store_id=store_id, want=500, now=clock.now()).granted
        s.commit()
        resets_on = usage.usage(session=s, store_id=store_id).resets_on
    # when the merchant opens the dashboard
    frame = dashboard.open("dashboard")
    # then a banner says marketing now waits, until when, and how to upgrade
    banner = frame.get_by_role("alert").filter(has_text="marketing quota is used up")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(f"they go out on {resets_on.day} ")
    expect(banner).to_contain_text("Order updates are not affected")
    expect(banner).to_contain_text("Settings → Plan and usage")
    dashboard.screenshot("dashboard-quota-full", frame)
    # and the plan page says it in Turkish, its meter full
    frame = dashboard.open("settings", locale="tr")
    expect(frame.get_by_role("alert").filter(has_text="pazarlama kotası doldu")).to_be_visible()
    meter = frame.get_by_role("meter", name="Bu ayki pazarlama mesajları")
    expect(meter).to_have_attribute("aria-valuetext", "100%")


def _phone(app: str, phone: str) -> list[dict]:
    return httpx.get(f"{app}/sandbox/api/messages", params={"to": phone}).json()


def _marketing_actions(phone: str) -> list[ConsentAction]:
    from plugin.db import get_engine

    with Session(get_engine()) as s:
        return list(
            s.exec(
                select(ConsentEvent.action)
                .join(Contact, Contact.id == ConsentEvent.contact_id)  # type: ignore[arg-type]
                .where(Contact.phone_e164 == phone, ConsentEvent.purpose == "marketing")
                .order_by(ConsentEvent.id)  # type: ignore[arg-type]
            ).all()
        )


def _flow_enabled(key: str) -> bool:
    from plugin.db import get_engine
    from plugin.flows.models import FlowConfig

    with Session(get_engine()) as s:
        row = s.exec(select(FlowConfig).where(FlowConfig.flow_key == key)).one()
        return bool(row.enabled)


def test_end_to_end_sandbox_to_opt_out(
    dashboard: Dashboard, fake_saleor: FakeSaleor, saleor_key: SigningKey
):
    """The issue's scenario: sandbox → template → cart recovery → segment → campaign →
    the sandbox phone → STOP → the consent timeline, every page photographed."""
    app = dashboard.app_url
    # given a shopper who gave marketing consent on her checkout and confirmed it on WhatsApp
    _opted_in_checkout(app, fake_saleor, saleor_key, SHOPPER)
    wait_for(lambda: _marketing_actions(SHOPPER)[-1:] == [ConsentAction.GRANTED], timeout=25)

    # when the merchant opens Ulak: the sandbox number is connected
    frame = dashboard.open("onboarding")
    expect(frame.get_by_test_id("whatsapp-account")).to_contain_text("Sandbox")
    dashboard.screenshot("e2e-1-onboarding", frame)

    # and writes a marketing template and submits it; the sandbox's review approves it
    frame = dashboard.open("templates")
    frame.get_by_label("Name").fill(TEMPLATE)
    frame.get_by_label("Body").fill("Merhaba {{1}}, yeni sezon başladı!")
    frame.get_by_label("Sample for {{1}}").fill("Ayşe")
    frame.get_by_role("button", name="Submit for approval").click()
    expect(frame.get_by_text("Submitted to Meta for approval.")).to_be_visible()
    row = frame.get_by_role("row").filter(has_text=TEMPLATE)
    expect(row).to_contain_text("Approved", timeout=30_000)
    dashboard.screenshot("e2e-2-templates", frame)

    # and switches cart recovery on (test mode installs it on: off first, then on again)
    frame = dashboard.open("flows")
    recovery = frame.get_by_role("switch", name="Cart recovery")
    expect(recovery).to_be_checked()
    recovery.click()  # the switch follows the saved state, so it moves once the API answered
    expect(recovery).not_to_be_checked()
    wait_for(lambda: not _flow_enabled("cart_recovery"))
    recovery.click()
    expect(recovery).to_be_checked()
    wait_for(lambda: _flow_enabled("cart_recovery"))
    dashboard.screenshot("e2e-3-flows", frame)

    # and moves to the Silver plan, which has the merchant's own segments
    frame = dashboard.open("settings")
    frame.get_by_role("button", name="Switch to Silver").click()
    frame.get_by_role("dialog").get_by_role("button", name="Switch plan").click()
    expect(frame.get_by_test_id("plan-SILVER")).to_have_attribute("aria-current", "true")
    expect(frame.get_by_test_id("plan-SILVER")).to_contain_text("Current plan")
    # and puts their own phone on the staff test list, where campaign tests go
    staff = frame.get_by_role("region", name="Staff test numbers")
    staff.get_by_role("button", name="Add a number").click()
    staff.get_by_label("Staff phone 1").fill(STAFF)
    staff.get_by_role("button", name="Save staff numbers").click()
    expect(staff.get_by_text("Saved.")).to_be_visible()
    dashboard.screenshot("e2e-4-settings", frame)

    # and builds a segment: marketing consent in the last year (the start) and country TR
    frame = dashboard.open("segments")
    frame.get_by_label("Segment name").fill(SEGMENT)
    frame.get_by_role("button", name="Add condition (Group 1)").click()
    pick(frame, "Field (Condition 1.2)", "Country")
    frame.get_by_role("textbox", name="Value (Condition 1.2)").fill("TR")
    expect(frame.get_by_test_id("rule-preview")).to_have_text("1 contact matches")
    expect(frame.get_by_role("table", name="Sample of the matching contacts")).to_contain_text(
        "Ayşe Yılmaz"
    )
    frame.get_by_role("button", name="Save segment").click()
    expect(frame.get_by_text(f"Segment “{SEGMENT}” saved.")).to_be_visible()
    saved = frame.get_by_role("table", name="Saved segments")
    expect(
        saved.get_by_role("row").filter(has_text=SEGMENT).get_by_role("cell").nth(1)
    ).to_have_text("1")
    dashboard.screenshot("e2e-5-segments", frame)

    # and launches a campaign through the wizard
    frame = dashboard.open("campaigns")
    frame.get_by_label("Campaign name").fill("Yeni sezon")
    pick(frame, "Segment", SEGMENT)
    expect(frame.get_by_test_id("campaign-audience-count")).to_contain_text("1 contact")
    frame.get_by_role("button", name="Next").click()
    pick(frame, "Template (variant A)", f"{TEMPLATE} · tr · Marketing")
    expect(frame.get_by_role("combobox", name="{{1}} is filled with (variant A)")).to_contain_text(
        "First name"
    )
    expect(frame.get_by_role("figure", name="WhatsApp message preview")).to_contain_text(
        "Merhaba Ayşe, yeni sezon başladı!"
    )
    dashboard.screenshot("e2e-6-campaign-template", frame)
    frame.get_by_role("button", name="Next").click()
    expect(frame.get_by_role("radio", name="Now")).to_be_checked()
    expect(frame.get_by_text("Quiet hours 21:00–09:00")).to_be_visible()
    frame.get_by_role("button", name="Next").click()
    # the review: recipients, estimated cost and Meta's daily tier
    expect(frame.get_by_test_id("review-recipients")).to_contain_text(
        "Messages to send: 1. 1 of the 1 contacts"
    )
    expect(frame.get_by_test_id("review-cost")).to_contain_text("$0.0109")
    # the sandbox number is connected unlimited (plugin/events/sandbox_connect.py), as its
    # Graph API then answers
    expect(frame.get_by_test_id("review-tier")).to_have_text("Your number has no daily limit.")
    launch = frame.get_by_role("button", name="Launch campaign")
    expect(launch).to_be_disabled()  # until a test went to a staff phone
    frame.get_by_label("Staff phone for the test").fill(STAFF)
    frame.get_by_role("button", name="Send test").click()
    expect(frame.get_by_text("Test queued for the staff phone.", exact=False)).to_be_visible()
    dashboard.screenshot("e2e-7-campaign-review", frame)
    # the test reaches the staff phone (typing the number in is the staff member's consent)
    wait_for(lambda: TEMPLATE in [m["template_name"] for m in _phone(app, STAFF)], timeout=30)
    launch.click()

    # then the live progress shows it sent, and the message is on the shopper's phone
    progress = frame.get_by_test_id("campaign-progress")
    expect(progress).to_contain_text("Yeni sezon", timeout=15_000)
    sent = frame.get_by_test_id("campaign-outcomes").locator("div").filter(has_text="Sent")
    expect(sent.locator("dd")).to_have_text("1", timeout=30_000)
    listed = frame.get_by_test_id("campaign-row").filter(has_text="Yeni sezon")
    expect(listed).to_contain_text("1 of 1 handled", timeout=30_000)
    wait_for(lambda: TEMPLATE in [m["template_name"] for m in _phone(app, SHOPPER)], timeout=30)
    message = next(m for m in _phone(app, SHOPPER) if m["template_name"] == TEMPLATE)
    assert message["text"] == "Merhaba Ayşe, yeni sezon başladı!"
    dashboard.screenshot("e2e-8-campaign-progress", frame)

    # when she replies STOP on the sandbox phone
    reply = httpx.post(f"{app}/sandbox/api/reply", json={"from": SHOPPER, "text": "STOP"})
    assert reply.status_code == 200, reply.text
    wait_for(lambda: _marketing_actions(SHOPPER)[-1:] == [ConsentAction.REVOKED], timeout=25)

    # then her consent timeline in Contacts ends with the opt-out, after the campaign message
    frame = dashboard.open("contacts")
    frame.get_by_label("Search by phone, name or email").fill(SHOPPER[-7:])
    frame.get_by_role("button", name="Search").click()
    frame.locator(".ulak-contact-link").filter(has_text=SHOPPER).first.click()
    timeline = frame.get_by_role("list", name="Consent timeline")
    expect(timeline.get_by_role("listitem").last).to_contain_text("Opted out · Marketing")
    expect(timeline.get_by_role("listitem").last).to_contain_text("WhatsApp keyword")
    conversation = frame.get_by_role("list", name="Conversation")
    expect(conversation).to_contain_text("Customer: STOP")
    # the campaign message as her phone showed it, then which template it was
    expect(conversation).to_contain_text(
        f"Store: Merhaba Ayşe, yeni sezon başladı!Template message “{TEMPLATE}”"
    )
    dashboard.screenshot("e2e-9-contacts", frame)
