"""Issue 18 point 3: the admin says the currency Meta bills the account in as Meta says it (the
WABA's `currency`, plugin/whatsapp/waba_info.py), the store's setting only until Meta has been
read and marked so, and never shows a USD rate-card figure as if it were in another billing
currency. Every cost carries the same basis: the dashboard, the campaign's results after launch
and each analytics cost row. Through the admin API, as the admin asks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from plugin import clock
from plugin.delivery.models import MessageStatus
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.waba_info import apply_billing_currency
from tests.campaigns.test_lifecycle import campaign_rows
from tests.test_admin_api_campaign_views import _launched
from tests.test_admin_api_flows_campaigns import ERRORS, run, shop  # noqa: F401

pytestmark = pytest.mark.sqlite

BASIS = """billingCurrency billingCurrencySource rateCardCurrency rateCardDate staleSince
  costInStoreCurrency { amount currency exchangeRate { rate base quote } }"""
HEADLINE = f"dashboardMetrics(days: 7) {{ headline {{ cost costCurrency {BASIS} }} }}"
SETTINGS = "costSettings { billingCurrency billingCurrencySource rateCardCurrency storeCurrency }"


def _meta_bills(session: Session, store_id: int, currency: str) -> None:
    """The Graph API read of the store's WABA answered `currency` (as waba_info records it)."""
    accounts = session.exec(
        select(WhatsAppAccount).where(WhatsAppAccount.store_id == store_id)
    ).all()
    if not accounts:
        account = WhatsAppAccount(
            store_id=store_id, phone_number_id="pn-1", waba_id="waba-1", access_token_encrypted="x"
        )
        session.add(account)
        session.flush()
        accounts = [account]
    for account in accounts:
        assert apply_billing_currency(session, account, currency) is True
    session.commit()


def test_until_meta_is_read_the_stores_setting_stands_in_and_the_admin_says_so(client, shop):  # noqa: F811
    data = run(client, shop, f"{{ {HEADLINE} {SETTINGS} }}")
    shown = data["dashboardMetrics"]["headline"]
    assert (shown["billingCurrency"], shown["billingCurrencySource"]) == ("USD", "SETTING")
    assert (shown["costCurrency"], shown["rateCardCurrency"]) == ("USD", "USD")
    assert data["costSettings"] == {
        "billingCurrency": "USD",
        "billingCurrencySource": "SETTING",
        "rateCardCurrency": "USD",
        "storeCurrency": "TRY",
    }


def test_meta_billing_in_euros_keeps_the_figures_in_usd_and_says_both(client, shop, session):  # noqa: F811
    # given Meta's Graph API says the business is billed in euros
    _meta_bills(session, shop["id"], "EUR")
    # when the merchant opens the dashboard and the settings
    data = run(client, shop, f"{{ {HEADLINE} {SETTINGS} }}")
    shown = data["dashboardMetrics"]["headline"]
    # then the billing currency is Meta's, and the figure stays in the rate card's USD
    assert (shown["billingCurrency"], shown["billingCurrencySource"]) == ("EUR", "META")
    assert (shown["costCurrency"], shown["rateCardCurrency"]) == ("USD", "USD")
    assert shown["costInStoreCurrency"] is None
    assert data["costSettings"]["billingCurrency"] == "EUR"
    # when the merchant sets a dated rate, it converts the card's USD (never EUR) to TRY
    today = clock.now().date().isoformat()
    answer = run(
        client,
        shop,
        f'mutation {{ setExchangeRate(rate: "34.12", rateDate: "{today}") '
        f"{{ costSettings {{ exchangeRate {{ base quote }} }} {ERRORS} }} }}",
    )["setExchangeRate"]
    assert answer["errors"] == []
    assert answer["costSettings"]["exchangeRate"] == {"base": "USD", "quote": "TRY"}
    converted = run(client, shop, f"{{ {HEADLINE} }}")["dashboardMetrics"]["headline"]
    assert converted["costInStoreCurrency"]["exchangeRate"] == {
        "rate": "34.12",
        "base": "USD",
        "quote": "TRY",
    }


def test_campaign_results_and_analytics_cost_rows_carry_the_same_basis(client, shop, session):  # noqa: F811
    # given a launched campaign whose three messages were delivered, and Meta billing in EUR
    campaign_id = _launched(client, shop, session, 3)
    sent_at = clock.now() - timedelta(minutes=30)
    for row in campaign_rows(session, int(campaign_id)):
        row.status, row.sent_at = MessageStatus.DELIVERED, sent_at
        row.delivered_at = sent_at + timedelta(minutes=1)
        row.pricing_category, row.billable = "marketing", True  # Meta's PMP status said so
    session.commit()
    _meta_bills(session, shop["id"], "EUR")
    today = clock.now().date().isoformat()
    run(
        client,
        shop,
        f'mutation {{ setExchangeRate(rate: "40", rateDate: "{today}") {{ {ERRORS} }} }}',
    )
    # when the merchant reads the campaign's results and the analytics cost rows
    data = run(
        client,
        shop,
        f'{{ campaign(id: "{campaign_id}") {{ results {{ cost costCurrency {BASIS} }} }} '
        f"analyticsCost(by: CAMPAIGN) {{ source cost costCurrency basis {{ {BASIS} }} }} "
        f"analyticsPerformance(by: CAMPAIGN) {{ source cost basis {{ {BASIS} }} }} }}",
    )
    results = data["campaign"]["results"]
    [cost_row] = [r for r in data["analyticsCost"] if r["source"] == campaign_id]
    [performance] = [r for r in data["analyticsPerformance"] if r["source"] == campaign_id]
    # then each says Meta bills in EUR, the figure is the USD card's, with the card's date
    for basis in (results, cost_row["basis"], performance["basis"]):
        assert (basis["billingCurrency"], basis["billingCurrencySource"]) == ("EUR", "META")
        assert (basis["rateCardCurrency"], basis["rateCardDate"]) == ("USD", "2026-04-01")
    assert results["costCurrency"] == cost_row["costCurrency"] == "USD"
    # and the amount at the merchant's rate is each figure's own
    assert Decimal(results["cost"]) > 0
    for figure, basis in ((results["cost"], results), (cost_row["cost"], cost_row["basis"])):
        expected = (Decimal(figure) * 40).quantize(Decimal("0.01"))
        assert basis["costInStoreCurrency"]["amount"] == str(expected)
    assert {k: v for k, v in results.items() if k not in ("cost", "costCurrency")} == cost_row[
        "basis"
    ]
