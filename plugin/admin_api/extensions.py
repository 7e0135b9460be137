"""Schema extensions: the unit of work, error masking, and limits on what one request costs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import structlog
from graphql.validation import NoSchemaIntrospectionCustomRule
from sqlalchemy.exc import SQLAlchemyError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from graphql import GraphQLError
from plugin.admin_api.errors import AdminApiError
from plugin.settings import get_settings

log = structlog.get_logger(__name__)

MAX_DEPTH = 10
MAX_TOKENS = 2000
MAX_ALIASES = 15
# Variables cost like tokens: every value, list item and object entry counts one.
MAX_VARIABLE_VALUES = MAX_TOKENS
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
MASKED_MESSAGE = "Unexpected error. / Beklenmeyen hata."


def is_expected(error: GraphQLError) -> bool:
    """Syntax, validation, limit and our own errors are shown; anything else is a bug."""
    return error.original_error is None or isinstance(error.original_error, AdminApiError)


class UnitOfWork(SchemaExtension):
    """A mutation document commits when it ends without any error; otherwise nothing changes.

    With an error the whole document is rolled back and `data` is dropped, so a client never
    reads a success that was not kept. Queries never commit.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        session = getattr(context, "session", None)
        if session is None or getattr(context, "auth_error", None) is not None:
            return
        result = self.execution_context.result
        try:
            is_mutation = self.execution_context.operation_type == OperationType.MUTATION
        except RuntimeError:  # no document (syntax error): nothing ran
            is_mutation = False
        if not is_mutation or result is None or result.errors:
            session.rollback()
            if is_mutation and result is not None and result.errors:
                result.data = None
            return
        try:
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            log.error("admin_commit_failed", error=exc.__class__.__name__, exc_info=exc)
            self.execution_context.result = ExecutionResult(
                data=None, errors=[GraphQLError(MASKED_MESSAGE)]
            )


def variable_cost(variables: Any, limit: int = MAX_VARIABLE_VALUES) -> int:
    """Values in a request's variables (iterative, so any nesting is safe; stops past limit)."""
    count, stack = 0, [variables]
    while stack and count <= limit:
        value = stack.pop()
        count += 1
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return count


class VariablesCostLimiter(SchemaExtension):
    """The token limit bounds the document; a list passed as a variable (ids, keywords, a
    segment rule as JSON) costs as much as written inline, so it meets the same ceiling.
    Checked before validation: an error set then is what strawberry answers."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if variable_cost(context.variables or {}) > MAX_VARIABLE_VALUES:
            context.pre_execution_errors = [
                GraphQLError(
                    f"Variables carry more than {MAX_VARIABLE_VALUES} values. / "
                    f"Değişkenler {MAX_VARIABLE_VALUES} değerden fazlasını taşıyor.",
                    extensions={"code": "TOO_COSTLY"},
                )
            ]
        yield


class ProductionSchemaPrivacy(SchemaExtension):
    """Production answers no introspection and no "Did you mean" field suggestions (they map
    the schema for a caller who guesses), unless GRAPHQL_INTROSPECTION=true."""

    def on_operation(self) -> Iterator[None]:
        hidden = not get_settings().introspection_enabled
        if hidden:
            context = self.execution_context
            context.validation_rules = (
                *context.validation_rules,
                NoSchemaIntrospectionCustomRule,
            )
        yield
        result = self.execution_context.result
        if hidden and result is not None and result.errors:
            for error in result.errors:
                error.message = _SUGGESTION.sub("", error.message)

    def on_validate(self) -> Iterator[None]:
        yield
        # the answer is built from these very objects, after this exits
        if not get_settings().introspection_enabled:
            for error in self.execution_context.pre_execution_errors or []:
                error.message = _SUGGESTION.sub("", error.message)


def _masking() -> MaskErrors:
    return MaskErrors(should_mask_error=lambda e: not is_expected(e), error_message=MASKED_MESSAGE)


def extensions() -> list[Callable[[], SchemaExtension] | type[SchemaExtension]]:
    """Fresh instances per request. Order matters: MaskErrors exits last, so it masks what
    UnitOfWork left."""
    return [
        _masking,
        UnitOfWork,
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        VariablesCostLimiter,
        ProductionSchemaPrivacy,
    ]
