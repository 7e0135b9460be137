"""Every held, cancelled or failed row carries a reason the admin translates; Meta's failures
are told apart (131050, 132012), and a Graph API that is never reached fails the row in the end."""

from __future__ import annotations

from datetime import timedelta

from plugin import clock
from plugin.campaigns import service as campaigns
from plugin.delivery import claims, policy, reasons, service
from plugin.delivery.models import MessageStatus
from plugin.delivery.service import StatusUpdate
from plugin.events.tick import run_tick
from plugin.flows.recovery import CHECKOUT_URL_MISSING
from plugin.whatsapp.errors import Disposition
from tests.delivery.conftest import phone
from tests.delivery.test_policy import send
from tests.support import drain_queue, free_port

FLOW_REASONS = (
    "no_phone",
    "template_not_approved",
    "missing_variables",
    "link_refused",
    "paid_at_creation",
    "appointment_passed",
    CHECKOUT_URL_MISSING,
    "order_cancelled",
    "ordered",
    "paid",
    "emptied",
    "reset",
    "replied",
    "answered",
    "recent_order",
    "no_consent",
)


def test_every_reason_code_has_english_and_turkish_text() -> None:
    codes = {
        *policy.SUPPRESS_REASONS,
        *policy.DEFER_REASONS,
        service.REJECTED,
        service.RETRIES_EXHAUSTED,
        service.INVALID_PAYLOAD,
        service.OUTCOME_UNKNOWN,
        service.LEASE_EXPIRED,
        service.NOT_DELIVERED_TODAY,
        *(d.value for d in (Disposition.RETRY_SOON, Disposition.NEVER_REACHED)),
        *claims._FINAL_REASON.values(),
        *reasons.TEMPLATE_REASON_BY_CODE.values(),
        "template_problem",
        *FLOW_REASONS,
        campaigns.PAUSED_REASON,
        campaigns.CANCELLED_REASON,
        "erased",  # events.privacy
        "recategorised",  # templates.meta_updates
        "cancelled",  # cancel_messages' default
    }
    for code in sorted(codes):
        text = reasons.REASONS.get(code)
        assert text is not None, code
        assert text.en and text.tr and text.en != text.tr, code
        if text.alerts:
            assert text.fix_en and text.fix_tr, code


def _failed_by_webhook(world, make_contacts, sandbox, code: int):
    [cid] = make_contacts(consents=("transactional", "marketing"))
    row = send(world, cid, key=f"o{code}", marketing=False)
    assert row.status == MessageStatus.SENT
    service.apply_statuses(
        world.session, updates=[StatusUpdate(row.wamid, "failed", clock.now(), error_code=code)]
    )
    world.session.commit()
    world.session.refresh(row)
    return row


def test_a_131050_reported_by_the_status_webhook_gives_the_row_its_reason(
    world, make_contacts, sandbox
):
    row = _failed_by_webhook(world, make_contacts, sandbox, 131050)
    assert (row.status, row.status_reason, row.error_code) == ("failed", "consent_revoked", 131050)


def test_a_132012_is_a_parameter_format_problem_not_an_unapproved_template(
    world, make_contacts, sandbox
):
    # reported later by the status webhook
    row = _failed_by_webhook(world, make_contacts, sandbox, 132012)
    assert (row.status, row.status_reason) == ("failed", "template_param_format")
    # and answered at once by the Graph API
    [cid] = make_contacts(consents=("transactional",))  # the second contact: phone(2)
    sandbox.sandbox.set_faults({"recipient_errors": {phone(2): 132012}})
    row = send(world, cid, key="o2", marketing=False)
    assert (row.status, row.status_reason, row.error_code) == (
        "failed",
        "template_param_format",
        132012,
    )


def test_a_graph_api_never_reached_fails_the_row_after_its_retries(
    world, make_contacts, sandbox, settings
):
    # given a Graph API URL nothing listens on (PORT changed, APP_URL not)
    settings.whatsapp_graph_url = f"http://127.0.0.1:{free_port()}"
    [cid] = make_contacts(consents=("transactional",))
    row = send(world, cid, key="o1", marketing=False)
    assert (row.status, row.status_reason) == ("scheduled", "never_reached")
    # when the retries run their course
    for _ in range(service.MAX_ATTEMPTS + 2):
        clock.advance(timedelta(minutes=10).total_seconds())
        run_tick()
        drain_queue()
    # then the row failed, saying why, instead of waiting forever
    world.session.refresh(row)
    assert (row.status, row.status_reason, row.attempts) == (
        "failed",
        "never_reached",
        service.MAX_ATTEMPTS,
    )
