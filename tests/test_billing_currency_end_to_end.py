"""Issue 18 point 3 end to end, through the real app and its sandbox WhatsApp: a business Meta
bills in euros. Until the Graph API is read the admin marks the billing currency as the store's
setting; once the limits schedule has read the WABA's `currency`, the dashboard says Meta bills
in EUR while the cost stays in the rate card's USD (never relabelled as euros)."""

from __future__ import annotations

import pytest

from plugin.whatsapp.limits import REFRESH_EVERY
from tests.admin_api_support import token_for
from tests.support import FakeSaleor, SigningKey
from tests.test_end_to_end import _admin, _clock, _work_off, driven_store  # noqa: F401
from tests.test_mm_status_end_to_end import _change_number

pytestmark = pytest.mark.sqlite

ASKED = """{ dashboardMetrics(days: 7) { headline { cost costCurrency billingCurrency
  billingCurrencySource rateCardCurrency rateCardDate } }
  costSettings { billingCurrency billingCurrencySource rateCardCurrency } }"""


def test_a_sandbox_number_billed_in_euros_is_shown_as_meta_billing_in_eur_with_a_usd_card(
    driven_store: str,  # noqa: F811 - the fixture
    fake_saleor: FakeSaleor,
    saleor_key: SigningKey,
) -> None:
    app = driven_store
    # given Meta bills the sandbox business in euros
    _change_number(app, billing_currency="EUR")
    merchant = token_for(saleor_key, fake_saleor.api_url)
    before = _admin(app, merchant, ASKED)["dashboardMetrics"]["headline"]
    assert before["billingCurrency"] != "EUR" or before["billingCurrencySource"] == "META"
    # when the scheduled Graph API read of the number and its WABA comes round
    _clock(app, REFRESH_EVERY.total_seconds() + 60)
    _work_off()
    # then the admin says Meta bills in EUR (read from Meta) and the figure is the USD card's
    shown = _admin(app, merchant, ASKED)
    headline = shown["dashboardMetrics"]["headline"]
    assert (headline["billingCurrency"], headline["billingCurrencySource"]) == ("EUR", "META")
    assert (headline["costCurrency"], headline["rateCardCurrency"]) == ("USD", "USD")
    assert headline["rateCardDate"] is not None
    assert shown["costSettings"] == {
        "billingCurrency": "EUR",
        "billingCurrencySource": "META",
        "rateCardCurrency": "USD",
    }
