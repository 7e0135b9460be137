"""Issue 18 point 3: the currency Meta bills the WABA in, read from the Graph API's WhatsApp
Business Account node (`currency`) at connect and on the limits schedule, kept on the number
(plugin/whatsapp/waba_info.py), and what the cost basis then says (plugin/pricing/billing.py)."""

from __future__ import annotations

import pytest

from plugin.pricing.billing import BillingSource, billing_currency
from plugin.whatsapp import limits
from plugin.whatsapp.waba_info import apply_billing_currency
from tests.delivery.conftest import PNID

pytestmark = pytest.mark.sqlite


def test_before_meta_is_read_the_store_setting_stands_in_and_says_so(world):
    # given a number connected without a Graph read of its WABA
    billing = billing_currency(world.settings_row(), world.account())
    # then the store's cost currency setting stands in, marked as such
    assert (billing.currency, billing.source, billing.read_at) == (
        "USD",
        BillingSource.SETTING,
        None,
    )


def test_connecting_reads_the_wabas_billing_currency(world, sandbox):
    # given a business Meta bills in euros
    sandbox.sandbox.numbers[PNID].billing_currency = "EUR"
    # when the merchant connects the number
    world.connect_through_graph()
    world.session.commit()
    # then Meta's currency is on the number and the cost basis takes it from Meta
    account = world.account()
    assert account.billing_currency == "EUR" and account.billing_currency_read_at is not None
    billing = billing_currency(world.settings_row(), account)
    assert (billing.currency, billing.source) == ("EUR", BillingSource.META)


def test_the_scheduled_read_follows_a_change_of_billing_currency(world, sandbox):
    world.connect_through_graph()
    world.session.commit()
    assert world.account().billing_currency == "USD"
    # when Meta now bills the business in Turkish lira and the limits schedule reads the WABA
    sandbox.sandbox.numbers[PNID].billing_currency = "TRY"
    assert limits.read_limits(world.session, account_id=world.account_id) is True
    world.session.commit()
    # then the number says TRY
    assert world.account().billing_currency == "TRY"


def test_a_refused_waba_read_or_a_malformed_currency_keeps_the_last_one_read(world, sandbox):
    world.connect_through_graph()
    world.session.commit()
    # a value that is not an ISO 4217 code changes nothing
    assert apply_billing_currency(world.session, world.account(), "euro") is False
    assert apply_billing_currency(world.session, world.account(), None) is False
    world.session.commit()
    assert world.account().billing_currency == "USD"
    # a WABA Meta does not recognise for this token: the number's limits are still read
    account = world.account()
    account.waba_id = "999999"
    world.session.add(account)
    world.session.commit()
    assert limits.read_limits(world.session, account_id=world.account_id) is True
    world.session.commit()
    assert world.account().billing_currency == "USD"
