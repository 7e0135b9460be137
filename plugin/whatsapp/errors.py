"""WhatsApp errors classified by what the sender should do next.

Meta's HTTP status says little (most errors are a 400); the `code` and `error_data` say what
happened. One table (`TABLE`) maps each code to a disposition, and a test walks it. Transport
failures get their own dispositions because they decide whether an at-most-once (marketing)
message may be retried: a request that never reached Meta can be, one whose outcome is unknown
cannot.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

import aiohttp


class Disposition(enum.StrEnum):
    """What to do with a message after a failure."""

    RETRY_SOON = "retry_soon"  # a passing fault at Meta: back off and retry
    PAIR_RATE = "pair_rate"  # too many messages to this recipient: not before 6 s
    NOT_TODAY = "not_today"  # 131049, per-user marketing limit: final, the contact rests
    MARKETING_OPT_OUT = "marketing_opt_out"  # the user stopped marketing: record, never retry
    UNDELIVERABLE = "undeliverable"  # the number cannot receive: mark it
    WINDOW_CLOSED = "window_closed"  # free-form outside the 24 h window: needs a template
    TEMPLATE_PROBLEM = "template_problem"  # mark the template, pause what uses it
    ACCOUNT_PROBLEM = "account_problem"  # stop sending for the store and alert
    OUR_BUG = "our_bug"  # a request we built wrong: fail without retry
    # 131063 from /messages: marketing templates are off on the Cloud API for this number;
    # the same message goes once through /marketing_messages (never retried as transient)
    MARKETING_OFF_CLOUD_API = "marketing_off_cloud_api"
    MARKETING_EXPERIMENT = "marketing_experiment"  # 130472: the user is in Meta's experiment
    COUNTRY_RESTRICTED = "country_restricted"  # 130497: the business may not message there
    BSUID_NOT_SUPPORTED = "bsuid_not_supported"  # 131062: this message needs a phone number
    NEVER_REACHED = "never_reached"  # transport: the request never left us (safe to retry)
    OUTCOME_UNKNOWN = "outcome_unknown"  # transport: sent, no answer (Meta may have sent it)
    UNCLASSIFIED = "unclassified"  # a code not in the table: fail without retry, log it


@dataclass(frozen=True, slots=True)
class ErrorClass:
    """A classified failure; the flags are the side effects the delivery engine performs."""

    disposition: Disposition
    code: int | None = None
    subcode: int | None = None
    details: str | None = None
    retry_after: timedelta | None = None
    retryable: bool = False
    marks_number_undeliverable: bool = False
    marks_template: bool = False
    stops_store: bool = False
    records_opt_out: bool = False
    needs_template: bool = False
    alert: bool = False
    limits_marketing: bool = False  # 131049: skip the contact for marketing for a while
    scope: str = "message"  # "message" | "recipient" | "template" | "store"

    @property
    def may_have_been_sent(self) -> bool:
        """True only when Meta may have accepted the message: an at-most-once send stops here."""
        return self.disposition is Disposition.OUTCOME_UNKNOWN


@dataclass(frozen=True, slots=True)
class _Rule:
    disposition: Disposition
    retry_after: timedelta | None = None
    retryable: bool = False
    marks_number_undeliverable: bool = False
    marks_template: bool = False
    stops_store: bool = False
    records_opt_out: bool = False
    needs_template: bool = False
    alert: bool = False
    limits_marketing: bool = False
    scope: str = "message"


_RETRY_SOON = _Rule(Disposition.RETRY_SOON, retryable=True)
_PAIR_RATE = _Rule(
    Disposition.PAIR_RATE, retry_after=timedelta(seconds=6), retryable=True, scope="recipient"
)
# 131049 "not delivered to maintain healthy ecosystem engagement": Meta's per-user marketing
# limit. Retrying the same message soon only meets the same limit: final for the row, and the
# contact is skipped for marketing for a while (docs/delivery.md).
_NOT_TODAY = _Rule(Disposition.NOT_TODAY, limits_marketing=True, scope="recipient")
_OPT_OUT = _Rule(Disposition.MARKETING_OPT_OUT, records_opt_out=True, scope="recipient")
_UNDELIVERABLE = _Rule(
    Disposition.UNDELIVERABLE, marks_number_undeliverable=True, scope="recipient"
)
_WINDOW = _Rule(Disposition.WINDOW_CLOSED, needs_template=True, scope="recipient")
_TEMPLATE = _Rule(Disposition.TEMPLATE_PROBLEM, marks_template=True, alert=True, scope="template")
_ACCOUNT = _Rule(Disposition.ACCOUNT_PROBLEM, stops_store=True, alert=True, scope="store")
_OUR_BUG = _Rule(Disposition.OUR_BUG, alert=True)
_MARKETING_OFF_CLOUD_API = _Rule(Disposition.MARKETING_OFF_CLOUD_API, scope="store")
_EXPERIMENT = _Rule(Disposition.MARKETING_EXPERIMENT, scope="recipient")
_COUNTRY = _Rule(Disposition.COUNTRY_RESTRICTED, alert=True, scope="recipient")
_BSUID = _Rule(Disposition.BSUID_NOT_SUPPORTED, scope="recipient")

TABLE: dict[int, _Rule] = {
    **{code: _RETRY_SOON for code in (130429, 1, 2, 4, 80007, 131000, 131016, 131057)},
    131056: _PAIR_RATE,
    131049: _NOT_TODAY,
    131050: _OPT_OUT,
    131026: _UNDELIVERABLE,
    131047: _WINDOW,
    **{code: _TEMPLATE for code in range(132000, 132017)},
    # 131037: the number's display name is not approved yet: nothing sends until it is
    **{code: _ACCOUNT for code in (0, 190, 368, 131031, 131037, 131042, 131048, 131064)},
    **{code: _OUR_BUG for code in (10, 100, 131008, 131009, 131051)},
    131063: _MARKETING_OFF_CLOUD_API,
    130472: _EXPERIMENT,
    130497: _COUNTRY,
    131062: _BSUID,
}
"""Meta error code -> rule. Codes 132000-132016 are the template family.

Sources: Meta's error-code reference
(developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes),
its business-scoped user id page (131062: a BSUID recipient is not supported for this message,
e.g. authentication templates) and the Marketing Messages API pages (131063 on /messages:
marketing templates are disabled on the Cloud API for this business; send them through
/<PHONE_NUMBER_ID>/marketing_messages). 10 is Meta's "permission denied", which the sandbox
answers when /marketing_messages is called by a business not onboarded to it."""

# (code, subcode) pairs that mean something else than the bare code.
SUBCODE_TABLE: dict[tuple[int, int], _Rule] = {
    # "Object with ID ... does not exist": the store's phone number id is wrong or revoked.
    (100, 33): _ACCOUNT,
}


def classify(code: int, subcode: int | None = None, details: str | None = None) -> ErrorClass:
    """Classify a Meta error by its `code` and `error_subcode` (never by HTTP status)."""
    rule = None
    if subcode is not None:
        rule = SUBCODE_TABLE.get((code, subcode))
    if rule is None:
        rule = TABLE.get(code)
    if rule is None:
        return ErrorClass(
            Disposition.UNCLASSIFIED, code=code, subcode=subcode, details=details, alert=True
        )
    return ErrorClass(
        rule.disposition,
        code=code,
        subcode=subcode,
        details=details,
        retry_after=rule.retry_after,
        retryable=rule.retryable,
        marks_number_undeliverable=rule.marks_number_undeliverable,
        marks_template=rule.marks_template,
        stops_store=rule.stops_store,
        records_opt_out=rule.records_opt_out,
        needs_template=rule.needs_template,
        alert=rule.alert,
        limits_marketing=rule.limits_marketing,
        scope=rule.scope,
    )


def classify_http_status(status_code: int) -> ErrorClass:
    """An HTTP error without a Meta error body: 5xx and 429 are passing, the rest our bug."""
    if status_code >= 500 or status_code == 429:
        return ErrorClass(Disposition.RETRY_SOON, retryable=True, details=f"HTTP {status_code}")
    return ErrorClass(Disposition.OUR_BUG, alert=True, details=f"HTTP {status_code}")


def classify_transport(exc: BaseException) -> ErrorClass:
    """A request that got no HTTP answer.

    Connecting failed (refused, DNS, connect timeout, no free pooled connection): the request
    never reached Meta, so even an at-most-once message may be retried. Anything after the
    request started going out (write/read timeout, reset, protocol error) leaves the outcome
    unknown: Meta may have accepted and sent the message.
    """
    # aiohttp: refused, DNS and TLS-handshake failures are ClientConnectorError; a connect or
    # pool-wait timeout is ConnectionTimeoutError. A reset or timeout later is not.
    never_reached = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
    if isinstance(exc, never_reached):
        return ErrorClass(
            Disposition.NEVER_REACHED, retryable=True, details=f"{type(exc).__name__}: {exc}"
        )
    return ErrorClass(Disposition.OUTCOME_UNKNOWN, details=f"{type(exc).__name__}: {exc}")


class WhatsAppError(Exception):
    """A failed Graph API call, carrying its classification and Meta's error object."""

    def __init__(
        self,
        error_class: ErrorClass,
        *,
        message: str = "",
        http_status: int | None = None,
        fbtrace_id: str | None = None,
        raw: dict[str, object] | None = None,
    ) -> None:
        text = message or error_class.details or error_class.disposition.value
        super().__init__(f"[{error_class.code}] {text}" if error_class.code is not None else text)
        self.error_class = error_class
        self.message = text
        self.http_status = http_status
        self.fbtrace_id = fbtrace_id
        self.raw = raw or {}

    @property
    def disposition(self) -> Disposition:
        return self.error_class.disposition

    @property
    def code(self) -> int | None:
        return self.error_class.code


class TransportError(WhatsAppError):
    """No HTTP answer from Meta: `disposition` is NEVER_REACHED or OUTCOME_UNKNOWN."""
