"""Errors the admin API reports: typed input errors in payloads, and request-level errors.

Input errors are data (`errors: [AdminError!]!` on every mutation payload, like Saleor's
`AccountError`); permission and cursor problems are GraphQL errors with `extensions.code`;
anything else is a bug, masked as "Unexpected error." and logged.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from plugin.errors import FieldError, InvalidInput, UlakError


@strawberry.enum(description="Why an input was refused (add members for new rules).")
class AdminErrorCode(Enum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    UNIQUE = "UNIQUE"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    NOT_ALLOWED = "NOT_ALLOWED"
    CREDENTIALS_REJECTED = "CREDENTIALS_REJECTED"
    GRAPH_UNREACHABLE = "GRAPH_UNREACHABLE"
    META_REJECTED = "META_REJECTED"
    WINDOW_CLOSED = "WINDOW_CLOSED"
    INVALID_PHONE = "INVALID_PHONE"
    CONFIRMATION_REQUIRED = "CONFIRMATION_REQUIRED"
    PLAN_LIMIT = "PLAN_LIMIT"
    INVALID_RULE = "INVALID_RULE"
    INVALID_CAMPAIGN = "INVALID_CAMPAIGN"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    TEST_SEND_REQUIRED = "TEST_SEND_REQUIRED"
    DAILY_TIER_EXCEEDED = "DAILY_TIER_EXCEEDED"
    NOT_STAFF_NUMBER = "NOT_STAFF_NUMBER"
    AUDIENCE_TOO_COSTLY = "AUDIENCE_TOO_COSTLY"
    FUTURE_DATE = "FUTURE_DATE"


@strawberry.type(description="One problem with the input; `field` is null for the whole input.")
class AdminError:
    field: str | None
    code: AdminErrorCode
    message: str = strawberry.field(description="In English.")
    message_tr: str = strawberry.field(description="In Turkish.")


def admin_errors(errors: InvalidInput | list[FieldError]) -> list[AdminError]:
    """Translate a domain's `InvalidInput` into the payload's error list."""
    items = errors.errors if isinstance(errors, InvalidInput) else errors
    return [
        AdminError(
            field=e.field, code=AdminErrorCode(e.code), message=e.message, message_tr=e.message_tr
        )
        for e in items
    ]


def domain_errors(exc: UlakError, field: str | None = None) -> list[AdminError]:
    """A domain refusal as the payload's errors: the plan (PLAN_LIMIT), a rule's problems
    (INVALID_RULE, field = the rule path under `field`), a campaign's code, or INVALID."""
    if isinstance(exc, InvalidInput):
        return admin_errors(exc)
    rule_errors = getattr(exc, "errors", None)
    if exc.code == "INVALID_RULE" and isinstance(rule_errors, list):
        return [
            AdminError(
                field=".".join(p for p in (field, e.path) if p) or None,
                code=AdminErrorCode.INVALID_RULE,
                message=e.message_en,
                message_tr=e.message_tr,
            )
            for e in rule_errors
        ]
    try:
        code = AdminErrorCode(exc.code)
    except ValueError:
        code = AdminErrorCode.INVALID
    en = getattr(exc, "message_en", None) or exc.message
    tr = getattr(exc, "message_tr", None) or f"Geçersiz istek: {exc.message}"
    return [
        AdminError(
            field=field if code is not AdminErrorCode.PLAN_LIMIT else None,
            code=code,
            message=en,
            message_tr=tr,
        )
    ]


def not_found(field: str, en: str, tr: str) -> list[AdminError]:
    """The payload errors for an id that is not one of this store's rows."""
    return admin_errors([FieldError(field, "NOT_FOUND", en, tr)])


def int_id(value: str) -> int:
    """A row id from a GraphQL ID; -1 (never a row) when it is not a number."""
    try:
        return int(value)
    except ValueError:
        return -1


class AdminApiError(Exception):
    """An expected request-level error: shown to the client as is (never masked)."""

    code = "GRAPHQL_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}


class PermissionDenied(AdminApiError):
    code = "PERMISSION_DENIED"


class InvalidCursor(AdminApiError):
    code = "INVALID_CURSOR"


class InvalidArgument(AdminApiError):
    code = "INVALID_ARGUMENT"


class TooCostly(AdminApiError):
    """A filter the database could not evaluate within the request's budget (TR/EN)."""

    code = "AUDIENCE_TOO_COSTLY"

    def __init__(self, exc: Any) -> None:
        super().__init__(exc.message_en, messageTr=exc.message_tr)
