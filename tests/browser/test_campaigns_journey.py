"""Campaigns as a merchant meets them at night (issue 20 point 7), in Debian's Chromium: a
campaign launched at 22:00 in Istanbul says it waits for quiet hours and starts at 09:00, the
list and the live panel showing the same figures; the review shows the message itself; at 09:00
it sends, and its results open. In English on a desktop and in Turkish at 390 px, photographed;
and a draft is continued or deleted only after a confirmation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, expect
from sqlmodel import Session, select

from plugin import clock
from plugin.analytics.models import RollupState
from plugin.campaigns.models import Campaign
from plugin.contacts.staff_numbers import set_staff_test_numbers
from plugin.db import get_engine
from plugin.delivery.models import MessageKind, MessageStatus, OutboundMessage
from plugin.saleor.models import Store
from plugin.segments.models import Segment
from plugin.stores.models import Plan
from plugin.stores.service import get_settings
from plugin.templates.models import MessageTemplate, TemplateStatus
from tests.admin_api_support import ok
from tests.browser.conftest import SCREENSHOTS, Dashboard, wait_for
from tests.browser.controls import pick
from tests.delivery.test_policy import ISTANBUL
from tests.segments.factories import grant_marketing, make_contact

pytestmark = pytest.mark.browser

STAFF = "+905559990001"  # outside the contact factory's phone range
TEMPLATE = "kis_indirimi"
SEGMENT = "Herkes"
NAME = "Kış indirimi"
WORDS = {
    "en": {
        "waiting": "Waiting for quiet hours",
        "starts": re.compile(r"^Starts at (.+, )?09:00 \(Europe/Istanbul\)$"),
        "line": re.compile(
            r"3 messages wait for quiet hours to end; sending starts at (.+, )?09:00 "
            r"\(Europe/Istanbul\)"
        ),
        "handled": "0 of 3 handled",
        "open": f"Open {NAME}",
        "results": f"Results of {NAME}",
        "sent": "Sent",
        "lift": "Holdout lift",
    },
    "tr": {
        "waiting": "Sessiz saatlerin bitmesi bekleniyor",
        "starts": re.compile(r"^Başlangıç (.+ )?09:00 \(Europe/Istanbul\)$"),
        "line": re.compile(
            r"3 mesaj sessiz saatlerin bitmesini bekliyor; gönderim (.+ )?09:00 \(Europe/Istanbul\)"
        ),
        "handled": "3 mesajdan 0 tanesi işlendi",
        "open": f"{NAME} kampanyasını aç",
        "results": f"{NAME} sonuçları",
        "sent": "Gönderilen",
        "lift": "Kontrol grubuna göre etki",
    },
}


def _move_clocks_to_istanbul(app_url: str, hour: int) -> None:
    """Move time on to the next `hour`:00 in Istanbul as the dev page does, through the
    sandbox's clock, which moves the app's with it: Meta's status webhooks carry the sandbox's
    timestamps, and a sent time read from them must not fall before the launch."""
    now = clock.now().astimezone(ISTANBUL)
    target = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    seconds = (target - now).total_seconds()
    httpx.post(f"{app_url}/sandbox/api/clock", json={"advance_seconds": seconds}).raise_for_status()


def _settled_since(moment: Any) -> bool:
    with Session(get_engine()) as s:
        state = s.exec(select(RollupState)).first()
        return state is not None and state.settled_at is not None and state.settled_at >= moment


def _store(session: Session) -> Store:
    return session.exec(select(Store)).one()


@pytest.fixture()
def night_shop(dashboard: Dashboard) -> Iterator[dict[str, Any]]:
    """The installed store on Silver with a segment of three consented customers in Istanbul,
    a marketing template the sandbox approved, and a staff test number."""
    with Session(get_engine()) as s:
        store = _store(s)
        settings = get_settings(s, store.id)
        settings.plan = Plan.SILVER
        s.add(settings)
        s.add(
            Segment(
                store_id=store.id,
                name=SEGMENT,
                rule={"field": "orders_count", "op": "gte", "value": 0},
            )
        )
        for first in ("Ayşe", "Mehmet", "Zeynep"):
            contact = make_contact(s, store, first_name=first, timezone="Europe/Istanbul")
            grant_marketing(s, contact, at=clock.now() - timedelta(days=3))
        set_staff_test_numbers(s, store_id=store.id, numbers=[STAFF])
        s.commit()
    with httpx.Client(base_url=dashboard.app_url, timeout=30) as client:
        draft = ok(
            client,
            dashboard.token(),
            "mutation($input: TemplateDraftInput!) { saveTemplateDraft(input: $input) "
            "{ template { id } errors { code message } } }",
            {
                "input": {
                    "name": TEMPLATE,
                    "language": "tr",
                    "category": "MARKETING",
                    "components": [
                        {
                            "type": "BODY",
                            "text": "Merhaba {{1}}, kış indirimi başladı!",
                            "example": {"body_text": [["Ayşe"]]},
                        }
                    ],
                    "variableMapping": {"body": ["first_name"]},
                }
            },
        )["saveTemplateDraft"]
        assert draft["errors"] == [], draft
        submitted = ok(
            client,
            dashboard.token(),
            "mutation($id: ID!) { submitTemplate(id: $id) { errors { code message } } }",
            {"id": draft["template"]["id"]},
        )["submitTemplate"]
        assert submitted["errors"] == [], submitted

    def approved() -> bool:
        with Session(get_engine()) as s:
            row = s.exec(select(MessageTemplate).where(MessageTemplate.name == TEMPLATE)).one()
            return row.status == TemplateStatus.APPROVED

    wait_for(approved, timeout=30)
    yield {"dashboard": dashboard}


def _context(browser: Browser, width: int) -> BrowserContext:
    """A merchant in Istanbul whose browser clock reads the app's (moved) clock."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, timezone_id="Europe/Istanbul"
    )
    context.clock.install(time=clock.now())
    return context


def _open(dashboard: Dashboard, context: BrowserContext, locale: str) -> Frame:
    """The campaigns page inside the test dashboard, in a given browser context."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    previous = dashboard.page
    dashboard.page = page
    try:
        frame = dashboard.open("campaigns", locale=locale)
    finally:
        dashboard.page = previous
    return frame


def _shot(frame: Frame, name: str) -> None:
    """The whole page (its iframe grown to the content), and nothing wider than the viewport."""
    page = frame.page
    height = frame.evaluate("document.documentElement.scrollHeight")
    page.evaluate(f"document.getElementById('app').style.height = '{height}px'")
    width = page.viewport_size["width"] if page.viewport_size else 1280
    assert frame.evaluate("document.documentElement.scrollWidth") <= width, name
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _campaign_rows() -> list[OutboundMessage]:
    with Session(get_engine()) as s:
        return list(
            s.exec(select(OutboundMessage).where(OutboundMessage.kind == MessageKind.CAMPAIGN))
        )


@pytest.mark.timeout(420)  # a template review, a night and a morning on a shared 2-core machine
def test_a_campaign_launched_at_night_waits_for_09_00_then_sends_and_shows_its_results(
    browser: Browser, night_shop: dict[str, Any]
) -> None:
    dashboard: Dashboard = night_shop["dashboard"]
    en = WORDS["en"]
    # given it is 22:00 in Istanbul (quiet hours 21:00-09:00)
    _move_clocks_to_istanbul(dashboard.app_url, 22)
    desktop = _context(browser, 1280)
    frame = _open(dashboard, desktop, "en")

    # when the merchant walks the wizard: Next first says what is missing, beside the field
    frame.get_by_role("button", name="Next").click()
    expect(frame.get_by_text("Give the campaign a name.")).to_be_visible()
    expect(frame.get_by_label("Campaign name")).to_have_attribute("aria-invalid", "true")
    # ... and the review shows the message itself
    frame.get_by_label("Campaign name").fill(NAME)
    expect(frame.get_by_text("Give the campaign a name.")).to_have_count(0)
    expect(frame.get_by_test_id("campaign-audience-count")).to_contain_text("3 contacts")
    frame.get_by_role("button", name="Next").click()
    pick(frame, "Template (variant A)", f"{TEMPLATE} · tr · Marketing")
    frame.get_by_role("button", name="Next").click()
    frame.get_by_role("button", name="Next").click()
    message = frame.get_by_test_id("review-message")
    expect(message).to_contain_text("Merhaba Ayşe, kış indirimi başladı!")
    expect(frame.get_by_test_id("campaign-review")).not_to_contain_text(TEMPLATE)
    frame.get_by_label("Staff phone for the test").fill(STAFF)
    frame.get_by_role("button", name="Send test").click()
    expect(frame.get_by_text("Test queued for the staff phone.", exact=False)).to_be_visible()
    _shot(frame, "campaign-review-desktop-en")
    frame.get_by_role("button", name="Launch campaign").click()

    # then the live panel says it waits for quiet hours and sends at 09:00 ...
    panel = frame.get_by_test_id("campaign-progress")
    expect(panel.get_by_test_id("campaign-status")).to_have_text(en["waiting"], timeout=30_000)
    expect(panel.get_by_test_id("campaign-when")).to_have_text(en["line"])
    expect(panel).to_contain_text(en["handled"])
    # ... and the list shows the very same figures
    row = frame.get_by_test_id("campaign-row").filter(has_text=NAME)
    expect(row).to_contain_text(en["waiting"], timeout=15_000)
    expect(row.get_by_test_id("campaign-when")).to_have_text(en["starts"])
    expect(row).to_contain_text(en["handled"])
    rows = _campaign_rows()
    assert {(r.status, r.status_reason) for r in rows} == {(MessageStatus.SCHEDULED, "quiet_hours")}
    assert {r.due_at.astimezone(ISTANBUL).strftime("%H:%M") for r in rows} == {"09:00"}
    _shot(frame, "campaign-quiet-hours-desktop-en")

    # and in Turkish on a phone the list reads the same, nothing wider than 390 px
    phone = _context(browser, 390)
    frame_tr = _open(dashboard, phone, "tr")
    tr = WORDS["tr"]
    row_tr = frame_tr.get_by_test_id("campaign-row").filter(has_text=NAME)
    expect(row_tr).to_contain_text(tr["waiting"])
    expect(row_tr.get_by_test_id("campaign-when")).to_have_text(tr["starts"])
    expect(row_tr).to_contain_text(tr["handled"])
    row_tr.get_by_role("button", name=tr["open"]).click()
    expect(frame_tr.get_by_test_id("campaign-when").first).to_have_text(tr["line"])
    _shot(frame_tr, "campaign-quiet-hours-390-tr")
    phone.close()

    # when the morning comes: at 09:00 the scheduler sends the three messages
    _move_clocks_to_istanbul(dashboard.app_url, 9)
    wait_for(lambda: {r.status for r in _campaign_rows()} <= set(MessageStatus.sent()), timeout=60)
    # (the dashboard's rollups settle the last days once an hour: messages written before
    # midnight UTC and sent after it count in the figures from the next settling, so the
    # merchant looks after 10:00, once the scheduler has settled them; the page shows what the
    # server says when it opens)
    httpx.post(
        f"{dashboard.app_url}/sandbox/api/clock", json={"advance_seconds": 3900}
    ).raise_for_status()
    looking_at = clock.now()
    wait_for(lambda: _settled_since(looking_at - timedelta(minutes=5)), timeout=60)

    # then its results open, in both languages and widths, with the holdout explained
    for locale, width, name in (("en", 1280, "desktop-en"), ("tr", 390, "390-tr")):
        words = WORDS[locale]
        context = _context(browser, width)
        page_frame = _open(dashboard, context, locale)
        page_frame.get_by_role("button", name=words["open"]).click()
        results = page_frame.get_by_role("region", name=words["results"])
        figures = results.get_by_test_id("campaign-results")
        sent = figures.locator("div").filter(has=page_frame.get_by_text(words["sent"], exact=True))
        expect(sent.locator("dd").first).to_have_text("3", timeout=30_000)
        expect(results.get_by_test_id("campaign-lift")).to_contain_text(words["lift"])
        _shot(page_frame, f"campaign-results-{name}")
        context.close()
    desktop.close()


def test_a_draft_is_continued_at_its_review_or_deleted_after_a_confirmation(
    browser: Browser, night_shop: dict[str, Any]
) -> None:
    dashboard: Dashboard = night_shop["dashboard"]
    # given a draft saved through the wizard's API
    with httpx.Client(base_url=dashboard.app_url, timeout=30) as client:
        with Session(get_engine()) as s:
            segment_id = s.exec(select(Segment.id)).one()
        saved = ok(
            client,
            dashboard.token(),
            "mutation($input: CampaignInput!) { saveCampaign(input: $input) "
            "{ campaign { id } errors { code } } }",
            {
                "input": {
                    "name": "Yılbaşı",
                    "segmentId": str(segment_id),
                    "variants": [
                        {
                            "templateName": TEMPLATE,
                            "templateLanguage": "tr",
                            "bodyFields": ["first_name"],
                        }
                    ],
                }
            },
        )["saveCampaign"]
        assert saved["errors"] == []
    context = _context(browser, 390)
    frame = _open(dashboard, context, "en")
    row = frame.get_by_test_id("campaign-row").filter(has_text="Yılbaşı")
    # when continued: the wizard opens at the review with the rendered message
    row.get_by_role("button", name="Continue editing").click()
    expect(frame.get_by_role("heading", name="Editing the draft “Yılbaşı”")).to_be_visible()
    expect(frame.get_by_test_id("review-message")).to_contain_text(
        "Merhaba Ayşe, kış indirimi başladı!"
    )
    _shot(frame, "campaign-draft-390-en")
    # when deleting is dismissed, the draft stays; when confirmed, it is gone
    row.get_by_role("button", name="Delete draft").click()
    frame.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    expect(row).to_be_visible()
    row.get_by_role("button", name="Delete draft").click()
    frame.get_by_role("dialog").get_by_role("button", name="Delete draft").click()
    expect(frame.get_by_text("Draft “Yılbaşı” deleted.")).to_be_visible()
    expect(frame.get_by_test_id("campaign-row")).to_have_count(0)
    with Session(get_engine()) as s:
        assert s.exec(select(Campaign)).all() == []
    context.close()
