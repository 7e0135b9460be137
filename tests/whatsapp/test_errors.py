from datetime import timedelta

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey

from plugin.whatsapp.errors import (
    Disposition,
    classify,
    classify_http_status,
    classify_transport,
)

_KEY = ConnectionKey("graph.facebook.com", 443, True, True, None, None, None, None)

# (code, disposition, retry_after, flag that must be set)
TABLE = [
    (130429, Disposition.RETRY_SOON, None, "retryable"),
    (1, Disposition.RETRY_SOON, None, "retryable"),
    (2, Disposition.RETRY_SOON, None, "retryable"),
    (4, Disposition.RETRY_SOON, None, "retryable"),
    (80007, Disposition.RETRY_SOON, None, "retryable"),
    (131000, Disposition.RETRY_SOON, None, "retryable"),
    (131016, Disposition.RETRY_SOON, None, "retryable"),
    (131057, Disposition.RETRY_SOON, None, "retryable"),
    (131056, Disposition.PAIR_RATE, timedelta(seconds=6), "retryable"),
    (131049, Disposition.NOT_TODAY, None, "limits_marketing"),
    (131050, Disposition.MARKETING_OPT_OUT, None, "records_opt_out"),
    (131026, Disposition.UNDELIVERABLE, None, "marks_number_undeliverable"),
    (131047, Disposition.WINDOW_CLOSED, None, "needs_template"),
    *[
        (code, Disposition.TEMPLATE_PROBLEM, None, "marks_template")
        for code in range(132000, 132017)
    ],
    *[
        (code, Disposition.ACCOUNT_PROBLEM, None, "stops_store")
        for code in (0, 190, 368, 131031, 131037, 131042, 131048, 131064)
    ],
    *[(code, Disposition.OUR_BUG, None, "alert") for code in (10, 100, 131008, 131009, 131051)],
    # Meta's error-code reference: 131063 on /messages means marketing templates are off on
    # the Cloud API (send them via the Marketing Messages API): never a passing fault
    (131063, Disposition.MARKETING_OFF_CLOUD_API, None, "store"),
    (130472, Disposition.MARKETING_EXPERIMENT, None, "recipient"),
    (130497, Disposition.COUNTRY_RESTRICTED, None, "alert"),
    (131062, Disposition.BSUID_NOT_SUPPORTED, None, "recipient"),
]
FLAGS = (
    "retryable",
    "marks_number_undeliverable",
    "marks_template",
    "stops_store",
    "records_opt_out",
    "needs_template",
    "limits_marketing",
)


@pytest.mark.parametrize(("code", "disposition", "retry_after", "flag"), TABLE)
def test_every_meta_code_has_its_disposition(code, disposition, retry_after, flag):
    # given a Meta error code
    # when it is classified
    result = classify(code, None, "details")
    # then the disposition, the wait and exactly the expected side effect follow
    assert result.disposition is disposition
    assert result.code == code
    assert result.retry_after == retry_after
    if flag in ("store", "recipient"):  # a final answer about the recipient or the number
        assert result.scope == flag and result.retryable is False
    else:
        assert getattr(result, flag) is True
    assert [f for f in FLAGS if getattr(result, f)] == ([flag] if flag in FLAGS else [])
    assert result.may_have_been_sent is False


def test_no_rule_retries_and_also_marks_or_stops():
    # given every classified code
    for code, *_ in TABLE:
        result = classify(code)
        # then a retried error never also marks a number, a template or the store
        if result.retryable:
            assert not (result.marks_number_undeliverable or result.marks_template)
            assert not (result.stops_store or result.records_opt_out)


def test_account_problems_alert_and_stop_the_store():
    result = classify(190)
    assert (result.stops_store, result.alert, result.scope) == (True, True, "store")


def test_unknown_object_subcode_is_an_account_problem_not_our_bug():
    # given Meta's "object does not exist" (a wrong or revoked phone number id)
    # when classified
    result = classify(100, 33, "Unsupported post request")
    # then the store stops rather than every message failing one by one
    assert result.disposition is Disposition.ACCOUNT_PROBLEM
    assert result.subcode == 33


def test_unknown_code_is_unclassified_and_not_retried():
    result = classify(139999, None, "experiment")
    assert result.disposition is Disposition.UNCLASSIFIED
    assert result.retryable is False
    assert result.alert is True


@pytest.mark.parametrize(
    ("status", "disposition"),
    [
        (500, Disposition.RETRY_SOON),
        (503, Disposition.RETRY_SOON),
        (429, Disposition.RETRY_SOON),
        (404, Disposition.OUR_BUG),
    ],
)
def test_http_status_without_meta_body(status, disposition):
    assert classify_http_status(status).disposition is disposition


@pytest.mark.parametrize(
    ("exc", "disposition", "may_have_been_sent"),
    [
        (
            aiohttp.ClientConnectorError(_KEY, ConnectionRefusedError(111, "refused")),
            Disposition.NEVER_REACHED,
            False,
        ),
        (
            aiohttp.ClientConnectorDNSError(_KEY, OSError(-2, "Name or service not known")),
            Disposition.NEVER_REACHED,
            False,
        ),
        (aiohttp.ConnectionTimeoutError("connect or pool wait"), Disposition.NEVER_REACHED, False),
        (aiohttp.SocketTimeoutError("read"), Disposition.OUTCOME_UNKNOWN, True),
        (TimeoutError(), Disposition.OUTCOME_UNKNOWN, True),
        (aiohttp.ClientOSError(104, "reset"), Disposition.OUTCOME_UNKNOWN, True),
        (aiohttp.ServerDisconnectedError(), Disposition.OUTCOME_UNKNOWN, True),
        (aiohttp.ClientPayloadError("eof"), Disposition.OUTCOME_UNKNOWN, True),
    ],
)
def test_transport_failures(exc, disposition, may_have_been_sent):
    # given a transport failure
    # when classified
    result = classify_transport(exc)
    # then only a request that never left is safe to retry for at-most-once sends
    assert result.disposition is disposition
    assert result.may_have_been_sent is may_have_been_sent
    assert result.retryable is (disposition is Disposition.NEVER_REACHED)
