"""Issue 18 point 4 end to end, through the real app and its sandbox WhatsApp: Meta's messaging
limit and throughput are read from the Graph API on a schedule, and a limit upgrade webhook
(business_capability_update, then THROUGHPUT_UPGRADE) raises the tier and the throughput the
store sends with; the admin shows the number's window."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select

from plugin.db import get_engine
from plugin.stores.models import StoreSettings
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.limits import REFRESH_EVERY
from tests.admin_api_support import token_for
from tests.support import FakeSaleor, SigningKey
from tests.test_end_to_end import _admin, _clock, _work_off, driven_store  # noqa: F401

pytestmark = pytest.mark.sqlite

LIMIT = """{ messagingLimit { tierName tier used reserve available marketingAvailable
  throughputMps readAt } }"""


def _number() -> tuple[WhatsAppAccount, StoreSettings]:
    with Session(get_engine()) as session:
        account = session.exec(select(WhatsAppAccount)).one()
        settings = session.get(StoreSettings, account.store_id)
        assert settings is not None
        return account, settings


def test_a_limit_upgrade_webhook_raises_the_tier_and_the_throughput(
    driven_store: str,  # noqa: F811 - the fixture
    fake_saleor: FakeSaleor,
    saleor_key: SigningKey,
) -> None:
    app = driven_store
    account, _ = _number()
    pnid = account.phone_number_id
    # given Meta holds the store's number to a new portfolio's limit at the standard speed
    changed = httpx.post(
        f"{app}/sandbox/api/numbers",
        json={
            "phone_number_id": pnid,
            "messaging_limit_tier": "TIER_250",
            "throughput_level": "STANDARD",
        },
    )
    assert changed.status_code == 201, changed.text
    # when the scheduled read of the Graph API comes round
    _clock(app, REFRESH_EVERY.total_seconds() + 60)
    _work_off()
    # then the number and the store follow Meta: 250 people a day, 80 messages a second
    account, settings = _number()
    assert (account.messaging_limit_tier, account.throughput_mps) == ("TIER_250", 80)
    assert settings.daily_recipient_tier == 250
    merchant = token_for(saleor_key, fake_saleor.api_url)
    shown = _admin(app, merchant, LIMIT)["messagingLimit"]
    assert (shown["tierName"], shown["tier"], shown["reserve"], shown["throughputMps"]) == (
        "TIER_250",
        250,
        50,
        80,
    )
    assert (shown["available"], shown["marketingAvailable"]) == (250 - shown["used"], 200)
    # when Meta raises the portfolio to unlimited: business_capability_update, then the
    # number's THROUGHPUT_UPGRADE (both signed webhooks from the sandbox to the app)
    upgrade = httpx.post(
        f"{app}/sandbox/api/quality",
        json={"kind": "limit", "tier": "TIER_UNLIMITED", "phone_number_id": pnid},
    )
    assert upgrade.status_code == 200, upgrade.text
    fields = [w["entry"][0]["changes"][0]["field"] for w in upgrade.json()["webhooks"]]
    assert fields == ["business_capability_update", "phone_number_quality_update"]
    assert upgrade.json()["statuses"] == [200, 200]
    _work_off()
    # then the store has no daily window any more and sends at 1,000 messages a second
    account, settings = _number()
    assert (account.messaging_limit_tier, account.throughput_mps) == ("TIER_UNLIMITED", 1000)
    assert settings.daily_recipient_tier is None
    shown = _admin(app, merchant, LIMIT)["messagingLimit"]
    assert (shown["tier"], shown["marketingAvailable"], shown["throughputMps"]) == (
        None,
        None,
        1000,
    )


def test_changing_a_sandbox_number_as_meta_sets_a_business_sends_metas_webhooks(
    driven_store: str,  # noqa: F811 - the fixture
) -> None:
    """DESIGN.md's sandbox contract: `POST /sandbox/api/numbers` sets `messaging_limit`,
    `quality_rating` and the Marketing Messages API onboarding, and each change reaches the
    app as the webhook Meta sends for it (sources in plugin/whatsapp/sandbox/quality.py)."""
    app = driven_store
    account, _ = _number()
    pnid = account.phone_number_id

    def change(**fields: object) -> None:
        answer = httpx.post(f"{app}/sandbox/api/numbers", json={"phone_number_id": pnid, **fields})
        assert answer.status_code == 201, answer.text
        _work_off()

    # when Meta raises the limit: business_capability_update, read at once, no Graph read due
    change(messaging_limit="TIER_10K")
    account, settings = _number()
    assert (account.messaging_limit_tier, settings.daily_recipient_tier) == ("TIER_10K", 10_000)
    # when the number's quality falls to low: FLAGGED (marketing halves); back up: UNFLAGGED
    change(quality_rating="RED")
    assert _number()[0].quality_rating == "FLAGGED"
    change(quality_rating="GREEN")
    assert _number()[0].quality_rating == "GREEN"
    # when the business signs the Marketing Messages API terms: its marketing takes that road
    assert _number()[0].use_marketing_endpoint is False
    change(mm_api_onboarded=True)
    assert _number()[0].use_marketing_endpoint is True
    # and a limit Meta does not have is refused, changing nothing
    wrong = httpx.post(
        f"{app}/sandbox/api/numbers", json={"phone_number_id": pnid, "messaging_limit": "TIER_3"}
    )
    assert wrong.status_code == 422
    assert _number()[0].messaging_limit_tier == "TIER_10K"
