"""Templates and Meta's Graph API: submission for review, sync back, deletion, and Meta's
refusals said so a merchant knows what to do next.

Functions are synchronous and never commit (the request or actor commits). Calls to Meta go
through the async `CloudApiClient`, run to completion with `asyncio.run` on a client opened for
that call: actors run in worker threads without an event loop, so this is safe there. From async
code (a FastAPI endpoint, a strawberry resolver) call these through
`anyio.to_thread.run_sync(...)`; called inside a running event loop they raise `RuntimeError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import Session, select

from plugin import clock
from plugin.settings import get_settings
from plugin.templates.limits import TemplateError, blocking
from plugin.templates.models import MessageTemplate, TemplateCategory, TemplateStatus
from plugin.templates.validation import validate_template
from plugin.whatsapp.accounts import WhatsAppAccount, default_account
from plugin.whatsapp.client import CloudApiClient
from plugin.whatsapp.credentials import Credentials
from plugin.whatsapp.errors import Disposition, WhatsAppError
from plugin.whatsapp.payloads.graph import TemplateDefinition, TemplateInfo

T = TypeVar("T")

SYNC_FIELDS = "id,name,language,status,category,components,rejected_reason,quality_score"


@dataclass(slots=True)
class SyncReport:
    created: int = 0
    updated: int = 0
    deleted: int = 0


# --------------------------------------------------------------------------- errors


def _error(path: str, code: str, en: str, tr: str) -> TemplateError:
    return TemplateError(path, code, en, tr)


def _not_connected() -> TemplateError:
    return _error(
        "store",
        "whatsapp_not_connected",
        "Connect a WhatsApp number before submitting templates.",
        "Şablon göndermeden önce bir WhatsApp numarası bağlayın.",
    )


def meta_error(exc: WhatsAppError) -> TemplateError:
    """Meta's refusal of a template, said so a merchant knows what to do next."""
    detail = exc.error_class.details or exc.message
    subcode = exc.error_class.subcode
    if exc.code == 100 and subcode == 2388024:
        return _error(
            "name",
            "meta_name_taken",
            "A template with this name already exists in this language at Meta; choose "
            "another name.",
            "Bu adda ve bu dilde bir şablon Meta'da zaten var; başka bir ad seçin.",
        )
    if exc.disposition in (
        Disposition.NEVER_REACHED,
        Disposition.OUTCOME_UNKNOWN,
        Disposition.RETRY_SOON,
    ):
        return _error(
            "",
            "meta_unavailable",
            "WhatsApp could not be reached; try again in a few minutes.",
            "WhatsApp'a şu an ulaşılamıyor; birkaç dakika sonra yeniden deneyin.",
        )
    if exc.disposition is Disposition.ACCOUNT_PROBLEM:
        return _error(
            "store",
            "meta_account_problem",
            f"Meta refused the request for the connected WhatsApp account: {detail}",
            f"Meta, bağlı WhatsApp hesabı için isteği reddetti: {detail}",
        )
    return _error(
        "",
        "meta_rejected_request",
        f"Meta did not accept the template: {detail}",
        f"Meta şablonu kabul etmedi: {detail}",
    )


# --------------------------------------------------------------------------- Graph calls


def credentials_for(account: WhatsAppAccount) -> Credentials:
    return Credentials(
        phone_number_id=account.phone_number_id,
        access_token=account.access_token(),
        waba_id=account.waba_id,
    )


def _call_graph(fn: Callable[[CloudApiClient], Awaitable[T]], *, graph_url: str | None) -> T:
    """Run one async Graph exchange from sync code, on a client opened and closed for it."""
    settings = get_settings()
    base = graph_url or settings.whatsapp_graph_url or "https://graph.facebook.com"

    async def main() -> T:
        async with CloudApiClient(base, graph_version=settings.whatsapp_graph_version) as client:
            return await fn(client)

    return asyncio.run(main())


# --------------------------------------------------------------------------- Meta


def submit_template(
    session: Session, *, template: MessageTemplate, graph_url: str | None = None
) -> list[TemplateError]:
    """Validate, submit to Meta for review and mark PENDING with Meta's id.

    Returns the blocking problems (empty when submitted); the row is untouched on failure."""
    errors = blocking(
        validate_template(
            name=template.name,
            language=template.language,
            category=template.category,
            components=template.components,
        )
    )
    if errors:
        return errors
    account = default_account(session, template.store_id)
    if account is None:
        return [_not_connected()]
    definition = TemplateDefinition(
        name=template.name,
        language=template.language,
        category=TemplateCategory(template.category).value,
        components=template.components,
    )
    credentials = credentials_for(account)
    try:
        created = _call_graph(
            lambda c: c.create_template(credentials=credentials, template=definition),
            graph_url=graph_url,
        )
    except WhatsAppError as exc:
        return [meta_error(exc)]
    template.meta_id = created.id
    template.status = _status(created.status, TemplateStatus.PENDING)
    template.category = _category(created.category, template.category)
    template.rejected_reason = None
    template.updated_at = clock.now()
    session.add(template)
    session.flush()
    return []


def _status(value: str, default: TemplateStatus) -> TemplateStatus:
    try:
        return TemplateStatus(value.upper())
    except ValueError:
        return default


def _category(value: str | None, default: TemplateCategory) -> TemplateCategory:
    try:
        return TemplateCategory(str(value).upper())
    except ValueError:
        return default


def _apply(row: MessageTemplate, info: TemplateInfo) -> bool:
    """Copy Meta's view onto the local row; True when something changed."""
    quality = (info.quality_score or {}).get("score")
    reason = info.rejected_reason if info.rejected_reason not in (None, "NONE") else None
    new = {
        "meta_id": info.id,
        "status": _status(info.status, row.status),
        "category": _category(info.category, row.category),
        "components": info.components or row.components,
        "rejected_reason": reason[:500] if reason else None,
        "quality": str(quality)[:20] if quality else row.quality,
    }
    changed = any(getattr(row, k) != v for k, v in new.items())
    for key, value in new.items():
        setattr(row, key, value)
    if changed:
        row.updated_at = clock.now()
    return changed


def sync_templates(session: Session, *, store_id: int, graph_url: str | None = None) -> SyncReport:
    """Bring local rows in line with the store's WABA: status, quality, category, components;
    templates made in Meta's own tools are added; ones gone from Meta are marked DELETED."""
    account = default_account(session, store_id)
    if account is None:
        return SyncReport()
    credentials = credentials_for(account)
    remote = _call_graph(
        lambda c: c.list_templates(credentials=credentials, fields=SYNC_FIELDS),
        graph_url=graph_url,
    )
    report = SyncReport()
    rows = session.exec(select(MessageTemplate).where(MessageTemplate.store_id == store_id)).all()
    by_key = {(r.name, r.language): r for r in rows}
    seen: set[int] = set()
    for info in remote:
        row = by_key.get((info.name, info.language))
        if row is None:
            row = MessageTemplate(
                store_id=store_id,
                name=info.name,
                language=info.language,
                category=_category(info.category, TemplateCategory.UTILITY),
            )
            _apply(row, info)
            session.add(row)
            report.created += 1
            continue
        seen.add(id(row))
        if _apply(row, info):
            session.add(row)
            report.updated += 1
    for row in rows:
        submitted = row.meta_id is not None and row.status != TemplateStatus.DELETED
        if id(row) not in seen and submitted:
            row.status = TemplateStatus.DELETED
            row.updated_at = clock.now()
            session.add(row)
            report.deleted += 1
    session.flush()
    return report


def delete_template(
    session: Session, *, template: MessageTemplate, graph_url: str | None = None
) -> list[TemplateError]:
    """Delete this language of the template at Meta (if submitted) and mark it DELETED."""
    if template.meta_id is not None and template.status != TemplateStatus.DELETED:
        account = default_account(session, template.store_id)
        if account is None:
            return [_not_connected()]
        credentials = credentials_for(account)
        meta_id = template.meta_id
        try:
            _call_graph(
                lambda c: c.delete_template(
                    credentials=credentials, name=template.name, hsm_id=meta_id
                ),
                graph_url=graph_url,
            )
        except WhatsAppError as exc:
            if not (exc.code == 100 and exc.error_class.subcode == 2593002):  # already gone
                return [meta_error(exc)]
    template.status = TemplateStatus.DELETED
    template.updated_at = clock.now()
    session.add(template)
    session.flush()
    return []
