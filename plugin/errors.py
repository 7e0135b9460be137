"""Errors classified by what the caller should do next (STYLE.md, point 4).

One table maps them to HTTP status codes for Saleor, which retries only 5xx, timeouts and
connection errors: "try again" is a 5xx, "never again" is a 4xx. Only our own exceptions are
mapped; anything else is a 500 with its traceback logged.
"""

from __future__ import annotations


class UlakError(Exception):
    """Base of the errors that carry a disposition."""

    code: str = "ERROR"
    status_code: int = 500

    def __init__(
        self, message: str, *, code: str | None = None, status_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code


class RetryableError(UlakError):
    """A passing fault (database down, Saleor unreachable): the sender should retry."""

    code = "RETRY"
    status_code = 503


class ConfigurationError(UlakError):
    """The request can never succeed as sent (bad credentials, disallowed Saleor)."""

    code = "CONFIGURATION"
    status_code = 400


class AuthenticationError(UlakError):
    """Unknown sender or a signature that does not verify."""

    code = "UNAUTHORIZED"
    status_code = 401


class InvalidPayload(UlakError):
    """The body is not what the contract promises."""

    code = "INVALID_PAYLOAD"
    status_code = 400


class PayloadTooLarge(UlakError):
    code = "PAYLOAD_TOO_LARGE"
    status_code = 413


class IgnoredEvent(UlakError):
    """Nothing to do, by design (e.g. an event for a disabled flow): answered 200."""

    code = "IGNORED"
    status_code = 200


# The defaults, kept in one table so a test can hold them to Saleor's retry rule.
DISPOSITIONS: dict[type[UlakError], int] = {
    RetryableError: 503,
    ConfigurationError: 400,
    AuthenticationError: 401,
    InvalidPayload: 400,
    PayloadTooLarge: 413,
    IgnoredEvent: 200,
}


def status_for(exc: UlakError) -> int:
    """The HTTP status that tells the sender what to do next (the instance may narrow it)."""
    return exc.status_code
