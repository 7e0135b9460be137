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


class FieldError:
    """One problem with one input field, reported to the merchant in English and Turkish."""

    __slots__ = ("code", "field", "message", "message_tr")

    def __init__(self, field: str | None, code: str, message: str, message_tr: str) -> None:
        self.field = field
        self.code = code
        self.message = message
        self.message_tr = message_tr

    def __repr__(self) -> str:
        return f"FieldError({self.field!r}, {self.code!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldError) and (self.field, self.code) == (
            other.field,
            other.code,
        )

    def __hash__(self) -> int:
        return hash((self.field, self.code))


class InvalidInput(UlakError):
    """A merchant's input breaks a rule: nothing was changed; `errors` says what to fix."""

    code = "INVALID_INPUT"
    status_code = 400

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors) or "invalid input")
        self.errors = errors
