"""The admin API's template types: a template with its tracking verdict, rule findings
(problems) and their admin error codes, previews, the variable catalogue and the payloads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from plugin.admin_api.errors import AdminError, AdminErrorCode
from plugin.templates import builder
from plugin.templates import models as template_models
from plugin.templates.limits import TemplateError, blocking
from plugin.templates.models import MessageTemplate as TemplateRow
from plugin.templates.render import RenderedMessage

CODES = {
    "template_locked": AdminErrorCode.NOT_ALLOWED,
    "whatsapp_not_connected": AdminErrorCode.NOT_ALLOWED,
    "meta_name_taken": AdminErrorCode.UNIQUE,
    "meta_unavailable": AdminErrorCode.GRAPH_UNREACHABLE,
    "meta_account_problem": AdminErrorCode.META_REJECTED,
    "meta_rejected_request": AdminErrorCode.META_REJECTED,
}
# The domain's enums: strawberry.enum marks the class itself, so the aliases are the classes.
TemplateStatus = template_models.TemplateStatus
TemplateCategory = template_models.TemplateCategory
strawberry.enum(TemplateStatus, name="TemplateStatus")
strawberry.enum(TemplateCategory, name="TemplateCategory")


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
            for t in builder.url_button_tracking(
                list(cast(list[dict[str, Any]], self.components or []))
            )
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
            components=JSON(list(row.components or [])),
            variable_mapping=JSON(dict(row.variable_mapping or {})),
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


def problems_of(
    errors: Sequence[TemplateError], template: str | None = None
) -> list[TemplateProblem]:
    """Every finding (warnings too) as the admin shows it; `template` names it in a batch."""
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


def admin_errors(errors: Sequence[TemplateError]) -> list[AdminError]:
    """The blocking findings as the payload's typed errors (field = the template path)."""
    return [
        AdminError(
            field=e.path or None,
            code=CODES.get(e.code, AdminErrorCode.INVALID),
            message=e.message_en,
            message_tr=e.message_tr,
        )
        for e in blocking(errors)
    ]


def preview_of(rendered: RenderedMessage, problems: list[TemplateProblem]) -> TemplatePreview:
    """A rendered message as the admin's phone preview shows it, with its findings."""
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
