"""What the merchant reads beside a cost (issue 18 point 3): Meta's billing currency, the rate
card's date, a stale figure's upper-bound note, Meta's volume tier of the month, and the cost
in the store's currency only at the merchant's own dated rate; the Marketing Messages API
onboarding status as last read. Through the admin API, as the admin asks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from plugin import clock
from plugin.saleor.models import Store
from plugin.stores.models import Plan
from plugin.stores.service import get_settings
from plugin.whatsapp.account_updates import apply_account_update
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.mm_status import apply_onboarding_status
from plugin.whatsapp.payloads.webhook import AccountUpdate
from tests.admin_api_support import gql, ok, token_for
from tests.segments.factories import grant_marketing, make_contact, make_template
from tests.test_admin_api_flows_campaigns import CAMPAIGN_INPUT, ERRORS, set_plan

pytestmark = pytest.mark.sqlite

BASIS = """billingCurrency rateCardDate staleSince
  staleFigures { country category since upperBound }
  costInStoreCurrency { amount currency exchangeRate { rate rateDate base quote } }
  volumeTiers { category region effectiveMonth tier aboveFirstTier }"""
HEADLINE = f"{{ dashboardMetrics(days: 7) {{ headline {{ cost costCurrency {BASIS} }} }} }}"
SET_RATE = f"""mutation($rate: String, $on: Date) {{ setExchangeRate(rate: $rate, rateDate: $on)
  {{ costSettings {{ billingCurrency storeCurrency exchangeRate {{ rate rateDate base quote }} }}
  {ERRORS} }} }}"""


@pytest.fixture()
def shop(client, installed_store, saleor_key, session) -> dict[str, Any]:
    store = session.exec(select(Store)).one()
    set_plan(session, store.id, Plan.GOLD)
    account = WhatsAppAccount(
        store_id=store.id, phone_number_id="pn-1", waba_id="waba-1", access_token_encrypted="x"
    )
    session.add(account)
    session.commit()
    return {
        "store": store,
        "account_id": account.id,
        "token": token_for(saleor_key, installed_store["api_url"]),
    }


def run(client, shop, query: str, variables: dict[str, Any] | None = None) -> Any:
    return ok(client, shop["token"], query, variables)


def _today() -> str:
    return clock.now().date().isoformat()


def test_the_dashboard_cost_says_its_currency_its_card_and_that_turkish_utility_is_a_bound(
    client, shop
):
    # when a Turkish store (the default region) opens its dashboard
    shown = run(client, shop, HEADLINE)["dashboardMetrics"]["headline"]
    # then the cost is in Meta's billing currency, priced with the card of 2026-04-01, and
    # Turkey's utility and authentication figures are flagged as upper bounds since then
    assert (shown["costCurrency"], shown["billingCurrency"]) == ("USD", "USD")
    assert shown["rateCardDate"] == "2026-04-01"
    assert shown["staleSince"] == "2026-04-01"
    assert shown["staleFigures"] == [
        {"country": "TR", "category": "authentication", "since": "2026-04-01", "upperBound": True},
        {
            "country": "TR",
            "category": "authentication_international",
            "since": "2026-04-01",
            "upperBound": True,
        },
        {"country": "TR", "category": "utility", "since": "2026-04-01", "upperBound": True},
    ]
    # and nothing is converted without a rate the merchant set
    assert shown["costInStoreCurrency"] is None
    assert shown["volumeTiers"] == []


def test_a_figure_the_store_sets_itself_is_never_stale(client, shop, session):
    # given the store's own dated table prices Turkish utility and authentication
    settings = get_settings(session, shop["store"].id)
    settings.rate_table = {
        "currency": "USD",
        "effective": "2026-05-01",
        "rates": {"TR": {"utility": "0.0009", "authentication": "0.0011"}},
    }
    session.add(settings)
    session.commit()
    shown = run(client, shop, HEADLINE)["dashboardMetrics"]["headline"]
    # then the card's date is the store's and no figure is a bound
    assert (shown["rateCardDate"], shown["staleSince"], shown["staleFigures"]) == (
        "2026-05-01",
        None,
        [],
    )


def test_an_exchange_rate_is_checked_and_then_converts_the_dashboards_cost(client, shop):
    tomorrow = (clock.now().date() + timedelta(days=2)).isoformat()
    cases = [
        ("abc", _today(), [("rate", "INVALID")]),
        ("-3", _today(), [("rate", "OUT_OF_RANGE")]),
        ("0", _today(), [("rate", "OUT_OF_RANGE")]),
        ("34.1234567", _today(), [("rate", "INVALID")]),
        ("34.12", tomorrow, [("rateDate", "FUTURE_DATE")]),
        ("34.12", None, [("rateDate", "REQUIRED")]),
    ]
    for rate, on, expected in cases:
        # when the merchant gives a bad rate or date
        refused = run(client, shop, SET_RATE, {"rate": rate, "on": on})["setExchangeRate"]
        # then it is refused with a code and a text in both languages, and nothing is kept
        assert [(e["field"], e["code"]) for e in refused["errors"]] == expected, rate
        assert all(e["message"] and e["messageTr"] for e in refused["errors"])
        assert refused["costSettings"] is None
    assert run(client, shop, "{ costSettings { exchangeRate { rate } } }") == {
        "costSettings": {"exchangeRate": None}
    }
    # when the merchant sets 1 USD = 34.12 TRY on today's date
    kept = run(client, shop, SET_RATE, {"rate": "34.12", "on": _today()})["setExchangeRate"]
    rate = {"rate": "34.12", "rateDate": _today(), "base": "USD", "quote": "TRY"}
    assert kept == {
        "costSettings": {"billingCurrency": "USD", "storeCurrency": "TRY", "exchangeRate": rate},
        "errors": [],
    }
    # then the dashboard shows the cost in lira too, with the rate and its date
    shown = run(client, shop, HEADLINE)["dashboardMetrics"]["headline"]
    assert shown["costInStoreCurrency"] == {
        "amount": "0.00",
        "currency": "TRY",
        "exchangeRate": rate,
    }
    # when the merchant clears it, nothing is converted any more
    cleared = run(client, shop, SET_RATE, {"rate": "", "on": None})["setExchangeRate"]
    assert cleared["costSettings"]["exchangeRate"] is None
    assert (
        run(client, shop, HEADLINE)["dashboardMetrics"]["headline"]["costInStoreCurrency"] is None
    )


def test_a_rate_needs_the_billing_currency_to_differ_from_the_stores(client, shop, session):
    settings = get_settings(session, shop["store"].id)
    settings.default_currency = "USD"
    session.add(settings)
    session.commit()
    refused = run(client, shop, SET_RATE, {"rate": "1", "on": _today()})["setExchangeRate"]
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [(None, "NOT_ALLOWED")]


def test_setting_a_rate_needs_manage_apps(client, shop, saleor_key, installed_store):
    viewer = token_for(saleor_key, installed_store["api_url"], permissions=["MANAGE_USERS"])
    body = gql(client, viewer, SET_RATE, {"rate": "34.12", "on": _today()}).json()
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_the_estimate_shows_its_basis_and_the_converted_cost(client, shop, session):
    # given two consented Turkish contacts, a marketing template and a rate the merchant set
    make_template(session, shop["store"])
    for _ in range(2):
        grant_marketing(session, make_contact(session, shop["store"]), at=clock.now())
    run(client, shop, SET_RATE, {"rate": "34.12", "on": _today()})
    saved = run(
        client,
        shop,
        "mutation($input: CampaignInput!) { saveCampaign(input: $input) { campaign { id } } }",
        {"input": CAMPAIGN_INPUT},
    )["saveCampaign"]["campaign"]["id"]
    # when the merchant asks for the estimate
    estimate = run(
        client,
        shop,
        f'mutation {{ estimateCampaign(id: "{saved}") {{ estimate {{ cost costCurrency '
        f"{BASIS} }} {ERRORS} }} }}",
    )["estimateCampaign"]["estimate"]
    # then two Turkish marketing messages at the 2026-04-01 card, in USD and in lira at 34.12;
    # marketing's figure is current, so no bound
    assert (estimate["cost"], estimate["billingCurrency"]) == ("0.0218", "USD")
    assert (estimate["rateCardDate"], estimate["staleSince"]) == ("2026-04-01", None)
    assert estimate["costInStoreCurrency"] == {
        "amount": "0.74",
        "currency": "TRY",
        "exchangeRate": {"rate": "34.12", "rateDate": _today(), "base": "USD", "quote": "TRY"},
    }


def test_metas_volume_tier_of_the_month_is_shown_next_to_the_cost(client, shop, session):
    # given Meta moved the business past its first utility tier in Turkey this month
    account = session.get(WhatsAppAccount, shop["account_id"])
    month = clock.now().strftime("%Y-%m")
    info = {"effective_month": month, "pricing_category": "UTILITY", "region": "TURKEY"}
    update = AccountUpdate(
        event="VOLUME_BASED_PRICING_TIER_UPDATE",
        volume_tier_info={**info, "tier": "25000001:50000000", "tier_update_time": 1},
    )
    assert apply_account_update(session, accounts=[account], update=update) == 1
    # and last month's tier of another category, which no longer applies
    old = {**info, "effective_month": "2020-01", "pricing_category": "AUTHENTICATION"}
    update = AccountUpdate(
        event="VOLUME_BASED_PRICING_TIER_UPDATE", volume_tier_info={**old, "tier": "1:1000"}
    )
    apply_account_update(session, accounts=[account], update=update)
    session.commit()
    # then the dashboard lists this month's tier, above the first: list prices are a bound
    shown = run(client, shop, HEADLINE)["dashboardMetrics"]["headline"]
    assert shown["volumeTiers"] == [
        {
            "category": "UTILITY",
            "region": "TURKEY",
            "effectiveMonth": month,
            "tier": "25000001:50000000",
            "aboveFirstTier": True,
        }
    ]
    assert account.status == "active"


def test_the_settings_show_the_mm_api_onboarding_status_and_when_it_was_read(client, shop, session):
    numbers = "{ whatsappAccounts { mmApiStatus mmApiStatusReadAt marketingViaMmApi } }"
    # before Meta was asked: unknown
    assert run(client, shop, numbers)["whatsappAccounts"] == [
        {"mmApiStatus": None, "mmApiStatusReadAt": None, "marketingViaMmApi": False}
    ]
    # when the Graph API answered ONBOARDED
    account = session.get(WhatsAppAccount, shop["account_id"])
    apply_onboarding_status(session, account, "ONBOARDED", asked_at=clock.now())
    session.commit()
    [shown] = run(client, shop, numbers)["whatsappAccounts"]
    assert (shown["mmApiStatus"], shown["marketingViaMmApi"]) == ("ONBOARDED", True)
    assert shown["mmApiStatusReadAt"] is not None
