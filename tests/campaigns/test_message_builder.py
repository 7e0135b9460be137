"""One message builder for campaigns, over the real app, its admin API and the sandbox phone:
a campaign's stop button opts out when tapped, its URL button is a tracked link whose click
shows on the campaign's figures and on the dashboard, and a template the campaign cannot fill
is refused at launch, naming the component in Turkish and English."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from plugin import clock
from plugin.consent.models import Purpose
from plugin.consent.service import current_state
from plugin.contacts.staff_numbers import set_staff_test_numbers
from plugin.db import get_engine
from plugin.events.sandbox_connect import mounted_sandbox
from plugin.saleor.models import Store
from plugin.segments.models import ContactTag
from plugin.stores.models import Plan
from plugin.stores.service import get_settings
from plugin.templates.models import MessageTemplate, TemplateCategory, TemplateStatus
from plugin.whatsapp.accounts import default_account
from tests.admin_api_support import ok, token_for
from tests.segments.factories import grant_marketing, make_contact
from tests.support import FakeSaleor, SigningKey
from tests.test_end_to_end import _clock, _messages, _settle, _work_off, driven_store  # noqa: F401
from tests.whatsapp.test_sandbox_wiring import served_app  # noqa: F401

pytestmark = pytest.mark.sqlite

PHONE = "+905551230099"
STAFF = "+905550000001"
MOBILE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"
ERRORS = "errors { code message messageTr }"


def _template(app: str, session: Session, store: Store, name: str, components: list) -> None:
    """A template approved at the store's sandbox number and mirrored locally."""
    account = default_account(session, store.id)
    sandbox = mounted_sandbox()
    assert account is not None and sandbox is not None
    sandbox.add_template(
        waba_id=account.waba_id,
        name=name,
        language="tr",
        category="MARKETING",
        components=components,
    )
    session.add(
        MessageTemplate(
            store_id=store.id,
            name=name,
            language="tr",
            category=TemplateCategory.MARKETING,
            status=TemplateStatus.APPROVED,
            components=components,
        )
    )
    session.commit()


def _spring(app: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "BODY",
            "text": "Merhaba {{1}}, bahar indirimi başladı!",
            "example": {"body_text": [["Ayşe"]]},
        },
        {
            "type": "BUTTONS",
            "buttons": [
                {
                    "type": "URL",
                    "text": "İncele",
                    "url": f"{app}/r/{{{{1}}}}",
                    "example": [f"{app}/r/Ab3dE9xY"],
                },
                {"type": "QUICK_REPLY", "text": "Ayakkabı"},
                {"type": "QUICK_REPLY", "text": "Durdur"},
            ],
        },
    ]


@pytest.fixture()
def shop(driven_store: str, saleor_key: SigningKey, fake_saleor: FakeSaleor) -> Iterator[dict]:  # noqa: F811
    with Session(get_engine(), expire_on_commit=False) as session:
        store = session.exec(select(Store)).one()
        settings = get_settings(session, store.id)
        settings.storefront_url = "https://magaza.example"
        settings.daily_recipient_tier = None
        settings.plan = Plan.GOLD
        settings.quiet_hours_start = settings.quiet_hours_end = "00:00"  # whatever the hour
        session.add(settings)
        set_staff_test_numbers(session, store_id=store.id, numbers=[STAFF])
        session.commit()
        yield {
            "app": driven_store,
            "session": session,
            "store": store,
            "token": token_for(saleor_key, fake_saleor.api_url),
        }


def _admin(shop: dict, query: str, variables: dict | None = None) -> Any:
    with httpx.Client(base_url=shop["app"]) as client:
        return ok(client, shop["token"], query, variables)


def _save(shop: dict, template: str, **variant: Any) -> str:
    data = _admin(
        shop,
        f"mutation($input: CampaignInput!) {{ saveCampaign(input: $input) "
        f"{{ campaign {{ id }} {ERRORS} }} }}",
        {
            "input": {
                "name": "Bahar",
                "rule": {"field": "orders_count", "op": "gte", "value": 0},
                "variants": [{"templateName": template, "templateLanguage": "tr", **variant}],
            }
        },
    )["saveCampaign"]
    assert data["errors"] == []
    return str(data["campaign"]["id"])


def _step(shop: dict, mutation: str, campaign_id: str, extra: str = "") -> dict:
    return _admin(
        shop,
        f'mutation {{ {mutation}(id: "{campaign_id}"{extra}) {{ campaign {{ id status }} '
        f"{ERRORS} }} }}",
    )[mutation]


def test_a_campaign_stop_button_opts_out_and_its_link_click_counts(shop: dict) -> None:
    # given a consented customer and a campaign template with a tracked link and a stop button
    app, session, store = shop["app"], shop["session"], shop["store"]
    contact = make_contact(session, store, phone_e164=PHONE, first_name="Ayşe")
    grant_marketing(session, contact, at=clock.now())
    _template(app, session, store, "bahar", _spring(app))
    campaign_id = _save(
        shop,
        "bahar",
        bodyFields=["first_name"],
        buttons={"0": {"url": "https://magaza.example/bahar"}, "1": {"tag": "ilgi"}},
    )
    tested = _admin(
        shop,
        f'mutation {{ sendCampaignTest(id: "{campaign_id}", phone: "{STAFF}") {{ {ERRORS} }} }}',
    )["sendCampaignTest"]
    assert tested["errors"] == []
    # when launched and sent
    launched = _step(shop, "launchCampaign", campaign_id)
    assert launched["errors"] == [] and launched["campaign"]["status"] == "RUNNING"
    _settle(app)
    # then the phone shows the message with a tracked link and the Stop payload
    [message] = _messages(app, PHONE)
    assert message["text"] == "Merhaba Ayşe, bahar indirimi başladı!"
    link, interest, stop = message["buttons"]
    assert link["url"].startswith(f"{app}/r/")
    assert (interest["text"], interest["payload"]) == ("Ayakkabı", "TAG:ilgi")
    assert (stop["text"], stop["payload"]) == ("Durdur", "ULAK_STOP")
    # when the customer taps the link (a preview fetch first, which never counts)
    _clock(app, 5)
    code = link["url"].rsplit("/", 1)[1]
    preview = httpx.get(f"{app}/r/{code}", headers={"user-agent": "WhatsApp/2.23"})
    assert preview.status_code == 302
    tap = httpx.get(f"{app}/r/{code}", headers={"user-agent": MOBILE})
    assert (tap.status_code, tap.headers["location"]) == (302, "https://magaza.example/bahar")
    # a forged code is not a link
    forged = code[:-2] + ("AA" if code[-2:] != "AA" else "BB")
    assert httpx.get(f"{app}/r/{forged}", headers={"user-agent": MOBILE}).status_code == 404
    # then the click shows on the campaign's figures and on the dashboard
    funnel = _admin(shop, "{ analyticsFunnel(by: CAMPAIGN) { source sent clicked } }")
    campaign_rows = [r for r in funnel["analyticsFunnel"] if r["clicked"]]
    assert [r["clicked"] for r in campaign_rows] == [1]
    daily = _admin(shop, "{ dashboardMetrics(days: 1) { daily { clicked } } }")
    assert sum(d["clicked"] for d in daily["dashboardMetrics"]["daily"]) == 1
    # when the customer taps Ayakkabı: she is tagged with her answer
    reply = httpx.post(
        f"{app}/sandbox/api/reply", json={"from": PHONE, "button_payload": interest["payload"]}
    )
    assert reply.status_code == 200, reply.text
    _work_off()
    tags = session.exec(select(ContactTag.tag).where(ContactTag.contact_id == contact.id)).all()
    assert [t for t in tags if t.startswith("ilgi:")] == ["ilgi:ayakkabı"]
    # when the customer taps Durdur as the phone sends it
    reply = httpx.post(
        f"{app}/sandbox/api/reply", json={"from": PHONE, "button_payload": stop["payload"]}
    )
    assert reply.status_code == 200, reply.text
    _work_off()
    # then marketing consent is revoked
    session.expire_all()
    state = current_state(session, contact=contact, purpose=Purpose.MARKETING)
    assert not state.granted and state.action == "revoked"


def test_launch_refuses_a_template_the_campaign_cannot_fill_naming_the_component(
    shop: dict,
) -> None:
    # given a campaign tested on a text template
    app, session, store = shop["app"], shop["session"], shop["store"]
    _template(app, session, store, "bahar", _spring(app))
    campaign_id = _save(
        shop, "bahar", bodyFields=["first_name"], buttons={"0": {"url": "https://magaza.example/b"}}
    )
    tested = _admin(
        shop,
        f'mutation {{ sendCampaignTest(id: "{campaign_id}", phone: "{STAFF}") {{ {ERRORS} }} }}',
    )["sendCampaignTest"]
    assert tested["errors"] == []
    # when Meta's copy of the template gains an image header (a sync) and it is launched
    template = session.exec(select(MessageTemplate).where(MessageTemplate.name == "bahar")).one()
    template.components = [
        {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["https://x/y.jpg"]}},
        *template.components,
    ]
    session.add(template)
    session.commit()
    refused = _step(shop, "launchCampaign", campaign_id)
    # then launch is refused, naming the header, in both languages
    assert refused["campaign"]["status"] == "DRAFT"
    [error] = refused["errors"]
    assert error["code"] == "INVALID"
    assert error["message"] == "Variant A: No value for the image header."
    assert error["messageTr"] == "A varyantı: Şunlar için değer yok: görsel başlığı."
    # and a body left unmapped is named too
    second = _save(shop, "bahar")
    refused = _admin(
        shop,
        f'mutation {{ sendCampaignTest(id: "{second}", phone: "{STAFF}") {{ {ERRORS} }} }}',
    )["sendCampaignTest"]
    [error] = refused["errors"]
    assert error["message"] == (
        "Variant A: No value for the image header; body parameter {{1}}; URL button 1 “İncele”."
    )
    assert error["messageTr"] == (
        "A varyantı: Şunlar için değer yok: görsel başlığı; gövde parametresi {{1}}; "
        "1. bağlantı düğmesi “İncele”."
    )
