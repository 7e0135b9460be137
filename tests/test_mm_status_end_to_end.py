"""Issue 18 point 2 end to end, through the real app and its sandbox WhatsApp: the Marketing
Messages API onboarding status is read from the Graph API on the limits schedule, so a store
whose business onboarded (and whose MM_LITE_TERMS_SIGNED webhook never reached Ulak) sends its
marketing through /marketing_messages, and a business that has not onboarded keeps /messages."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select

from plugin.db import get_engine
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.limits import REFRESH_EVERY
from tests.test_end_to_end import _clock, _morning_in_istanbul, _settle, _work_off, driven_store  # noqa: F401
from tests.test_platform_end_to_end import consented_shoppers, enqueue

pytestmark = pytest.mark.sqlite

SHOPPER = "+905321110077"


def _number() -> WhatsAppAccount:
    with Session(get_engine()) as session:
        return session.exec(select(WhatsAppAccount)).one()


def _change_number(app: str, **fields: object) -> None:
    pnid = _number().phone_number_id
    answer = httpx.post(f"{app}/sandbox/api/numbers", json={"phone_number_id": pnid, **fields})
    assert answer.status_code == 201, answer.text


def _campaign_message_endpoint(app: str) -> list[tuple[str, str]]:
    """A campaign message to a consented shopper, sent; where it reached the phone."""
    _morning_in_istanbul(app)
    with Session(get_engine()) as session:
        [shopper] = consented_shoppers(session, _number().store_id, [SHOPPER])
        enqueue(session, shopper, "campaign-mm", marketing=True)
    _settle(app)
    got = httpx.get(f"{app}/sandbox/api/messages", params={"to": SHOPPER}).json()
    return [(m["template_name"], m["endpoint"]) for m in got]


def test_a_business_onboarded_to_the_mm_api_sends_marketing_there_after_the_scheduled_read(
    driven_store: str,  # noqa: F811 - the fixture
) -> None:
    app = driven_store
    # given the business onboards to the MM API, and Meta's terms webhook is lost for good
    lost = httpx.post(f"{app}/sandbox/api/faults", json={"lost_account_webhooks": True})
    assert lost.status_code == 200, lost.text
    _change_number(app, mm_api_onboarded=True)
    _work_off()
    assert _number().use_marketing_endpoint is False  # nothing told Ulak yet
    # when the scheduled read of the Graph API comes round
    _clock(app, REFRESH_EVERY.total_seconds() + 60)
    _work_off()
    # then the number holds Meta's status and takes the Marketing Messages API
    account = _number()
    assert (account.mm_api_status, account.use_marketing_endpoint) == ("ONBOARDED", True)
    # and a campaign message reaches the shopper once, through /marketing_messages
    assert _campaign_message_endpoint(app) == [("ulak_cart_recovery_1", "marketing_messages")]


def test_a_business_not_onboarded_keeps_its_marketing_on_the_cloud_api(
    driven_store: str,  # noqa: F811 - the fixture
) -> None:
    app = driven_store
    # given a business that has not onboarded (the sandbox's default: ELIGIBLE)
    # when the scheduled read of the Graph API comes round
    _clock(app, REFRESH_EVERY.total_seconds() + 60)
    _work_off()
    # then Meta's status is kept and marketing stays on /messages
    account = _number()
    assert (account.mm_api_status, account.use_marketing_endpoint) == ("ELIGIBLE", False)
    assert _campaign_message_endpoint(app) == [("ulak_cart_recovery_1", "messages")]
