"""The admin schema: every domain's Query and Mutation merged into one."""

from __future__ import annotations

from typing import Any

import strawberry
import structlog
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from graphql import GraphQLError
from plugin.admin_api.domains import (
    campaigns,
    consent,
    contact_list,
    contacts,
    cost_settings,
    dashboard,
    flows,
    inbox,
    iys,
    pickup,
    replies,
    segments,
    sending_health,
    staff_numbers,
    store,
    templates,
    whatsapp,
)
from plugin.admin_api.extensions import extensions, is_expected

log = structlog.get_logger(__name__)

# Add your domain module here (docs/admin-api.md).
QUERIES: tuple[type[Any], ...] = (
    store.Query,
    whatsapp.Query,
    inbox.Query,
    contacts.Query,
    replies.Query,
    contact_list.Query,
    consent.Query,
    iys.Query,
    templates.Query,
    pickup.Query,
    cost_settings.Query,
    staff_numbers.Query,
    flows.Query,
    segments.Query,
    campaigns.Query,
    dashboard.Query,
    sending_health.Query,
)
MUTATIONS: tuple[type[Any], ...] = (
    store.Mutation,
    whatsapp.Mutation,
    whatsapp.TestMessageMutation,
    contacts.Mutation,
    consent.Mutation,
    iys.Mutation,
    templates.Mutation,
    pickup.Mutation,
    cost_settings.Mutation,
    staff_numbers.Mutation,
    flows.Mutation,
    segments.Mutation,
    campaigns.Mutation,
)


class AdminSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log bugs with their traceback; expected errors are the client's business."""
        for error in errors:
            if is_expected(error):
                continue
            log.error(
                "admin_api_error",
                path=error.path,
                error=error.original_error.__class__.__name__,
                exc_info=error.original_error,
            )


def build_schema() -> AdminSchema:
    return AdminSchema(
        query=merge_types("Query", QUERIES),
        mutation=merge_types("Mutation", MUTATIONS),
        extensions=extensions(),
    )


schema = build_schema()


def sdl() -> str:
    """The schema as SDL, as exported to graphql/admin.graphql."""
    return schema.as_str() + "\n"
