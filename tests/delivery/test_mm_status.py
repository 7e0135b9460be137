"""Issue 18 point 2: the Marketing Messages API onboarding status read from the Graph API at
connect and on the limits schedule, and the rule that the newest word from Meta decides the
number's marketing road (plugin/whatsapp/mm_status.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plugin import clock
from plugin.whatsapp import limits
from plugin.whatsapp.accounts import WhatsAppAccount, switch_marketing_to_mm_api
from plugin.whatsapp.mm_status import apply_onboarding_status
from tests.delivery.conftest import PNID

pytestmark = pytest.mark.sqlite


def _account(world) -> WhatsAppAccount:  # type: ignore[no-untyped-def]
    return world.account()  # type: ignore[no-any-return]


def _on_since(world, at) -> None:  # type: ignore[no-untyped-def]
    """The number took /marketing_messages at `at` (a 131063 or a terms webhook)."""
    account = _account(world)
    account.use_marketing_endpoint, account.marketing_endpoint_at = True, at
    world.session.add(account)
    world.session.commit()


def test_connecting_an_onboarded_business_routes_its_marketing_through_the_mm_api(world, sandbox):
    # given a business onboarded to the MM API before it connected (no webhook for us)
    sandbox.sandbox.numbers[PNID].mm_api_onboarded = True
    # when the merchant connects the number
    world.connect_through_graph()
    world.session.commit()
    # then Meta's status is kept and marketing takes /marketing_messages
    account = _account(world)
    assert (account.mm_api_status, account.use_marketing_endpoint) == ("ONBOARDED", True)


def test_a_not_onboarded_read_turns_off_an_older_switch_but_never_a_newer_one(world, sandbox):
    # given a number switched to the MM API an hour ago, and Meta now saying ELIGIBLE
    _on_since(world, clock.now() - timedelta(hours=1))
    # when the scheduled read comes round
    assert limits.read_limits(world.session, account_id=world.account_id) is True
    world.session.commit()
    # then the read is newer: marketing goes back to /messages
    account = _account(world)
    assert (account.mm_api_status, account.use_marketing_endpoint) == ("ELIGIBLE", False)
    # when a 131063 switches it while a read asked before it is still on its way
    asked = clock.now()
    clock.advance(1)
    switch_marketing_to_mm_api(world.session, {world.account_id})
    world.session.commit()
    account = _account(world)
    # then the older answer leaves the newer word standing
    assert apply_onboarding_status(world.session, account, "ELIGIBLE", asked_at=asked) is True
    world.session.commit()
    assert _account(world).use_marketing_endpoint is True


@pytest.mark.parametrize("status", ["PENDING_INTERNAL_SETUP", "PENDING_VALID_PAYMENT_METHOD"])
def test_a_pending_status_changes_nothing(world, sandbox, status):
    # given a number put on the MM API by the terms webhook, Meta still setting it up
    _on_since(world, clock.now() - timedelta(hours=7))
    sandbox.sandbox.numbers[PNID].mm_api_onboarding_status = status
    # when the scheduled read comes round
    assert limits.read_limits(world.session, account_id=world.account_id) is True
    world.session.commit()
    # then the status is recorded and the road stays
    account = _account(world)
    assert (account.mm_api_status, account.use_marketing_endpoint) == (status, True)


def test_a_refused_waba_read_keeps_the_road_and_still_records_the_numbers_figures(world, sandbox):
    # given a number whose WABA id Meta does not recognise for this token
    account = _account(world)
    account.waba_id = "999999"
    world.session.add(account)
    world.session.commit()
    _on_since(world, clock.now() - timedelta(hours=7))
    # when the scheduled read comes round
    assert limits.read_limits(world.session, account_id=world.account_id) is True
    world.session.commit()
    # then the number's limits are read, and the MM API road is left as it was
    account = _account(world)
    assert account.messaging_limit_tier == "TIER_2K"
    assert (account.mm_api_status, account.use_marketing_endpoint) == (None, True)
