"""Templates: list with Meta's status and quality, drafts, previews, the variable catalogue,
submission, sync, deletion and the starter library.

The templates service calls Meta synchronously (`asyncio.run`); resolvers that may reach Meta
are async and run the service in a worker thread (`anyio.to_thread.run_sync`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import strawberry
from sqlmodel import select
from strawberry.scalars import JSON

from plugin.admin_api.context import Info
from plugin.admin_api.domains.template_types import (
    InstallStarterTemplatesPayload,
    MessageTemplate,
    SyncTemplatesPayload,
    TemplateCategory,
    TemplateDraftInput,
    TemplatePayload,
    TemplatePreview,
    TemplateStatus,
    TemplateVariable,
    admin_errors,
    preview_of,
    problems_of,
)
from plugin.admin_api.errors import int_id, not_found
from plugin.admin_api.pagination import DESC, Connection, paginate
from plugin.admin_api.permissions import Allowed
from plugin.templates import builder, meta_api, service, starter
from plugin.templates.limits import TemplateError
from plugin.templates.models import MessageTemplate as TemplateRow
from plugin.templates.render import render_text
from plugin.templates.variables import CATALOGUE, sample_values
from plugin.whatsapp.errors import WhatsAppError

T = TypeVar("T")
NO_TEMPLATE = ("No such template.", "Böyle bir şablon yok.")
# Template rule codes that mean more than "invalid" to a client.


class _Draft:
    """An unsaved template, shaped like a row for rendering."""

    def __init__(self, components: list[dict[str, Any]]) -> None:
        self.components = components


def _as_list(value: Any) -> list[dict[str, Any]]:
    return [c for c in value if isinstance(c, dict)] if isinstance(value, list) else []


def _as_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


async def _in_thread(fn: Callable[[], T]) -> T:
    """Run a templates service call that may reach Meta (it uses asyncio.run) off the loop."""
    return await anyio.to_thread.run_sync(fn)


def _owned(info: Info, id: strawberry.ID) -> TemplateRow | None:
    return info.context.get_owned(TemplateRow, int_id(id))


async def _with_meta(
    info: Info, id: strawberry.ID, action: Callable[..., list[TemplateError]]
) -> TemplatePayload:
    """Run a template action that may call Meta (submit, delete) on one of this store's rows."""
    row = _owned(info, id)
    if row is None:
        return TemplatePayload(errors=not_found("id", *NO_TEMPLATE))
    session = info.context.session
    errors = await _in_thread(lambda: action(session, template=row))
    return TemplatePayload(
        template=MessageTemplate.from_row(row),
        errors=admin_errors(errors),
        problems=problems_of(errors),
    )


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[Allowed], description="Recently changed first.")
    def templates(
        self,
        info: Info,
        status: TemplateStatus | None = None,
        category: TemplateCategory | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[MessageTemplate]:
        ctx = info.context
        stmt = ctx.scoped(select(TemplateRow))
        if status is not None:
            stmt = stmt.where(TemplateRow.status == status.value)
        if category is not None:
            stmt = stmt.where(TemplateRow.category == category.value)
        return paginate(
            ctx,
            stmt,
            order=[(TemplateRow.updated_at, DESC), (TemplateRow.id, DESC)],
            node=MessageTemplate.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
        )

    @strawberry.field(permission_classes=[Allowed])
    def template(self, info: Info, id: strawberry.ID) -> MessageTemplate | None:
        row = _owned(info, id)
        return MessageTemplate.from_row(row) if row is not None else None

    @strawberry.field(
        permission_classes=[Allowed],
        description='`values`: variable key -> text, e.g. {"first_name": "Ayşe"}; the rest '
        "take the catalogue's samples. Null for an unknown template.",
    )
    def template_preview(
        self, info: Info, id: strawberry.ID, values: JSON | None = None
    ) -> TemplatePreview | None:
        row = _owned(info, id)
        if row is None:
            return None
        filled = sample_values(row.variable_mapping or {}, row.language, _as_dict(values))
        problems = service.template_errors(
            name=row.name,
            language=row.language,
            category=str(row.category),
            components=row.components,
            variable_mapping=row.variable_mapping,
        )
        return preview_of(render_text(row, filled), problems_of(problems))

    @strawberry.field(
        permission_classes=[Allowed],
        description="Render and validate an unsaved draft (nothing is stored).",
    )
    def preview_draft(
        self, info: Info, input: TemplateDraftInput, values: JSON | None = None
    ) -> TemplatePreview:
        components = _as_list(input.components)
        mapping = _as_dict(input.variable_mapping)
        problems = service.template_errors(
            name=input.name,
            language=input.language,
            category=input.category.value,
            components=components,
            variable_mapping=mapping,
        )
        filled = sample_values(mapping, input.language, _as_dict(values))
        return preview_of(render_text(_Draft(components), filled), problems_of(problems))

    @strawberry.field(
        permission_classes=[Allowed],
        description="The variables a template may use; only those of `flow` when given.",
    )
    def variable_catalogue(self, info: Info, flow: str | None = None) -> list[TemplateVariable]:
        return [
            TemplateVariable(
                key=v.key,
                label_en=v.label_en,
                label_tr=v.label_tr,
                sample_en=v.sample_en,
                sample_tr=v.sample_tr,
                flows=list(v.flows),
            )
            for v in CATALOGUE.values()
            if flow is None or flow in v.flows
        ]

    @strawberry.field(
        permission_classes=[Allowed],
        description="The URL-button address whose clicks Ulak counts (<APP_URL>/r/{{1}}); the "
        "template editor offers it for every URL button.",
    )
    def tracked_url(self, info: Info) -> str:
        return builder.tracked_url()


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[Allowed],
        description="Create or rewrite a draft (by name and language). Blocking findings are "
        "`errors` (field = template path); all findings, warnings too, are `problems`.",
    )
    def save_template_draft(self, info: Info, input: TemplateDraftInput) -> TemplatePayload:
        ctx = info.context
        result = service.create_or_update_draft(
            ctx.session,
            store_id=ctx.store_id,
            name=input.name,
            language=input.language,
            category=input.category.value,
            components=_as_list(input.components),
            variable_mapping=_as_dict(input.variable_mapping),
        )
        return TemplatePayload(
            template=MessageTemplate.from_row(result.template) if result.template else None,
            errors=admin_errors(result.errors) if result.template is None else [],
            problems=problems_of(result.errors),
        )

    @strawberry.mutation(permission_classes=[Allowed], description="Send for Meta's review.")
    async def submit_template(self, info: Info, id: strawberry.ID) -> TemplatePayload:
        return await _with_meta(info, id, meta_api.submit_template)

    @strawberry.mutation(
        permission_classes=[Allowed],
        description="Bring statuses, quality and components in line with Meta.",
    )
    async def sync_templates(self, info: Info) -> SyncTemplatesPayload:
        ctx = info.context
        try:
            report = await _in_thread(
                lambda: meta_api.sync_templates(ctx.session, store_id=ctx.store_id)
            )
        except WhatsAppError as exc:
            return SyncTemplatesPayload(errors=admin_errors([meta_api.meta_error(exc)]))
        return SyncTemplatesPayload(
            created=report.created, updated=report.updated, deleted=report.deleted
        )

    @strawberry.mutation(
        permission_classes=[Allowed], description="Deleted at Meta too when it was submitted."
    )
    async def delete_template(self, info: Info, id: strawberry.ID) -> TemplatePayload:
        return await _with_meta(info, id, meta_api.delete_template)

    @strawberry.mutation(
        permission_classes=[Allowed],
        description="The TR/EN starter library as drafts; submitted for review when `submit`. "
        "Idempotent.",
    )
    async def install_starter_templates(
        self, info: Info, submit: bool
    ) -> InstallStarterTemplatesPayload:
        ctx = info.context
        found = await _in_thread(
            lambda: starter.install_starter_library(
                ctx.session, store_id=ctx.store_id, submit=submit
            )
        )
        rows = starter.starter_rows(ctx.session, store_id=ctx.store_id)
        problems = [p for key, errors in found.items() for p in problems_of(errors, key)]
        return InstallStarterTemplatesPayload(
            templates=[MessageTemplate.from_row(r) for r in rows],
            errors=admin_errors([e for errors in found.values() for e in errors]),
            problems=problems,
        )
