"""Schema extensions: the unit of work, error masking, and limits on what one request costs."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import structlog
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

log = structlog.get_logger(__name__)

MAX_DEPTH = 10
MAX_TOKENS = 2000
MAX_ALIASES = 15
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
    ]
