"""Issue 18 point 3 end to end, through the real app and its sandbox WhatsApp: Meta's
VOLUME_BASED_PRICING_TIER_UPDATE reaches the app as a signed account_update and the dashboard
shows the month's tier next to the cost (list prices are then an upper bound)."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select

from plugin.db import get_engine
from plugin.whatsapp.accounts import AccountStatus, WhatsAppAccount
from tests.admin_api_support import token_for
from tests.support import FakeSaleor, SigningKey
from tests.test_end_to_end import _admin, _work_off, driven_store  # noqa: F401

pytestmark = pytest.mark.sqlite

HEADLINE = """{ dashboardMetrics(days: 7) { headline { billingCurrency
  volumeTiers { category region effectiveMonth tier aboveFirstTier } } } }"""


def test_a_volume_tier_webhook_from_the_sandbox_is_shown_next_to_the_cost(
    driven_store: str,  # noqa: F811 - the fixture
    fake_saleor: FakeSaleor,
    saleor_key: SigningKey,
) -> None:
    app = driven_store
    with Session(get_engine()) as session:
        pnid = session.exec(select(WhatsAppAccount)).one().phone_number_id
    # when Meta moves the business past its first utility tier in Turkey
    sent = httpx.post(
        f"{app}/sandbox/api/quality",
        json={
            "kind": "volume_tier",
            "phone_number_id": pnid,
            "category": "UTILITY",
            "region": "TURKEY",
            "tier": "25000001:50000000",
        },
    )
    assert sent.status_code == 200, sent.text
    change = sent.json()["webhook"]["entry"][0]["changes"][0]
    assert change["field"] == "account_update"
    assert change["value"]["event"] == "VOLUME_BASED_PRICING_TIER_UPDATE"
    assert sent.json()["status"] == 200
    _work_off()
    # then the number keeps sending and the dashboard shows the tier of the month
    with Session(get_engine()) as session:
        assert session.exec(select(WhatsAppAccount)).one().status == AccountStatus.ACTIVE
    merchant = token_for(saleor_key, fake_saleor.api_url)
    shown = _admin(app, merchant, HEADLINE)["dashboardMetrics"]["headline"]
    month = change["value"]["volume_tier_info"]["effective_month"]
    assert shown == {
        "billingCurrency": "USD",
        "volumeTiers": [
            {
                "category": "UTILITY",
                "region": "TURKEY",
                "effectiveMonth": month,
                "tier": "25000001:50000000",
                "aboveFirstTier": True,
            }
        ],
    }
