"""Templates: list with Meta's status and quality, drafts, previews, the variable catalogue,
submission, sync, deletion and the starter library.

The templates service calls Meta synchronously (`asyncio.run`); resolvers that may reach Meta
are async and run the service in a worker thread (`anyio.to_thread.run_sync`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import anyio
import strawberry
from sqlmodel import select
from strawberry.scalars import JSON

from plugin.admin_api.context import Info
from plugin.admin_api.errors import AdminError, AdminErrorCode, int_id, not_found
from plugin.admin_api.pagination import DESC, Connection, paginate
from plugin.admin_api.permissions import Allowed
from plugin.templates import builder, meta_api, service, starter
from plugin.templates import models as template_models
from plugin.templates.limits import TemplateError, blocking
from plugin.templates.models import MessageTemplate as TemplateRow
from plugin.templates.render import RenderedMessage, render_text
from plugin.templates.variables import CATALOGUE, sample_values
from plugin.whatsapp.errors import WhatsAppError

T = TypeVar("T")
NO_TEMPLATE = ("No such template.", "Böyle bir şablon yok.")
# Template rule codes that mean more than "invalid" to a client.
_CODES = {
    "template_locked": AdminErrorCode.NOT_ALLOWED,
    "whatsapp_not_connected": AdminErrorCode.NOT_ALLOWED,
    "meta_name_taken": AdminErrorCode.UNIQUE,
    "meta_unavailable": AdminErrorCode.GRAPH_UNREACHABLE,
    "meta_account_problem": AdminErrorCode.META_REJECTED,
    "meta_rejected_request": AdminErrorCode.META_REJECTED,
}


TemplateStatus = strawberry.enum(template_models.TemplateStatus, name="TemplateStatus")
TemplateCategory = strawberry.enum(template_models.TemplateCategory, name="TemplateCategory")


@strawberry.type(description="Whether a URL button's clicks can be counted, and how to fix it.")
class UrlButtonTracking:
    index: int
    text: str
    url: str
    tracked: bool
    message: str
    message_tr: str


@strawberry.type(description="A WhatsApp message template of the store (one language).")
class MessageTemplate:
    id: strawberry.ID
    name: str
    language: str
    category: TemplateCategory
    status: TemplateStatus
    quality: str | None = strawberry.field(description="GREEN, YELLOW, RED or UNKNOWN (Meta).")
    components: JSON = strawberry.field(description="Meta's components array.")
    variable_mapping: JSON = strawberry.field(
        description='Which variable fills which parameter, e.g. {"body": ["first_name"]}.'
    )
    rejected_reason: str | None
    starter_key: str | None
    meta_id: str | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field(
        description="Each URL button: are its clicks counted? Only a button whose address is "
        "the app's tracked base (trackedUrl, <APP_URL>/r/{{1}}) can be tracked."
    )
    def url_buttons(self) -> list[UrlButtonTracking]:
        return [
            UrlButtonTracking(
                index=t.index,
                text=t.text,
                url=t.url,
                tracked=t.tracked,
                message=t.message_en,
                message_tr=t.message_tr,
            )
            for t in builder.url_button_tracking(list(self.components or []))
        ]

    @classmethod
    def from_row(cls, row: TemplateRow) -> MessageTemplate:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            language=row.language,
            category=TemplateCategory(str(row.category)),
            status=TemplateStatus(str(row.status)),
            quality=row.quality,
            components=list(row.components or []),
            variable_mapping=dict(row.variable_mapping or {}),
            rejected_reason=row.rejected_reason,
            starter_key=row.starter_key,
            meta_id=row.meta_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="A template rule's finding; warnings never block a draft.")
class TemplateProblem:
    path: str = strawberry.field(description='Where in the template, e.g. "components.1.text".')
    code: str = strawberry.field(description="The rule, e.g. variable_unknown.")
    severity: str = strawberry.field(description="error or warning.")
    message: str
    message_tr: str
    template: str | None = strawberry.field(
        default=None, description='"name:language" when several templates are reported.'
    )


@strawberry.input
class TemplateDraftInput:
    name: str
    language: str
    category: TemplateCategory
    components: JSON
    variable_mapping: JSON | None = None


@strawberry.type
class RenderedButton:
    type: str
    text: str
    url: str | None
    phone_number: str | None
    payload: str | None
    code: str | None


@strawberry.type
class RenderedHeader:
    format: str
    text: str | None
    link: str | None


@strawberry.type(description="What the customer's phone would show.")
class TemplatePreview:
    header: RenderedHeader | None
    body: str
    footer: str | None
    buttons: list[RenderedButton]
    problems: list[TemplateProblem]


@strawberry.type
class TemplateVariable:
    key: str
    label_en: str
    label_tr: str
    sample_en: str
    sample_tr: str
    flows: list[str]


@strawberry.type
class TemplatePayload:
    template: MessageTemplate | None = None
    errors: list[AdminError] = strawberry.field(default_factory=list)
    problems: list[TemplateProblem] = strawberry.field(default_factory=list)


@strawberry.type
class SyncTemplatesPayload:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type
class InstallStarterTemplatesPayload:
    templates: list[MessageTemplate] = strawberry.field(default_factory=list)
    errors: list[AdminError] = strawberry.field(default_factory=list)
    problems: list[TemplateProblem] = strawberry.field(default_factory=list)


def _problems(
    errors: Sequence[TemplateError], template: str | None = None
) -> list[TemplateProblem]:
    return [
        TemplateProblem(
            path=e.path,
            code=e.code,
            severity=e.severity,
            message=e.message_en,
            message_tr=e.message_tr,
            template=template,
        )
        for e in errors
    ]


def _errors(errors: Sequence[TemplateError]) -> list[AdminError]:
    """The blocking findings as the payload's typed errors (field = the template path)."""
    return [
        AdminError(
            field=e.path or None,
            code=_CODES.get(e.code, AdminErrorCode.INVALID),
            message=e.message_en,
            message_tr=e.message_tr,
        )
        for e in blocking(errors)
    ]


def _preview(rendered: RenderedMessage, problems: list[TemplateProblem]) -> TemplatePreview:
    header = rendered.header
    return TemplatePreview(
        header=RenderedHeader(format=header.format, text=header.text, link=header.link)
        if header is not None
        else None,
        body=rendered.body,
        footer=rendered.footer,
        buttons=[
            RenderedButton(
                type=b.type,
                text=b.text,
                url=b.url,
                phone_number=b.phone_number,
                payload=b.payload,
                code=b.code,
            )
            for b in rendered.buttons
        ],
        problems=problems,
    )


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
        template=MessageTemplate.from_row(row), errors=_errors(errors), problems=_problems(errors)
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
        return _preview(render_text(row, filled), _problems(problems))

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
        return _preview(render_text(_Draft(components), filled), _problems(problems))

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
            errors=_errors(result.errors) if result.template is None else [],
            problems=_problems(result.errors),
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
            return SyncTemplatesPayload(errors=_errors([meta_api.meta_error(exc)]))
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
        problems = [p for key, errors in found.items() for p in _problems(errors, key)]
        return InstallStarterTemplatesPayload(
            templates=[MessageTemplate.from_row(r) for r in rows],
            errors=_errors([e for errors in found.values() for e in errors]),
            problems=problems,
        )
