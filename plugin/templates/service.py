"""Templates of a store: drafts, submission to Meta, sync back, lookup for sending.

Functions are synchronous and never commit (the request or actor commits). Calls to Meta go
through the async `CloudApiClient`, run to completion with `asyncio.run` on a client opened for
that call: actors run in worker threads without an event loop, so this is safe there. From async
code (a FastAPI endpoint, a strawberry resolver) call these through
`anyio.to_thread.run_sync(...)`; called inside a running event loop they raise `RuntimeError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlmodel import Session, col, select

from plugin import clock
from plugin.settings import get_settings
from plugin.stores.models import StoreSettings
from plugin.templates.library import LANGUAGES, starter_templates
from plugin.templates.models import MessageTemplate, TemplateCategory, TemplateStatus
from plugin.templates.validation import TemplateError, blocking, validate_template
from plugin.templates.variables import language_base, unknown_variables
from plugin.whatsapp.accounts import WhatsAppAccount, default_account
from plugin.whatsapp.client import CloudApiClient
from plugin.whatsapp.credentials import Credentials
from plugin.whatsapp.errors import Disposition, WhatsAppError
from plugin.whatsapp.payloads.graph import TemplateDefinition, TemplateInfo

T = TypeVar("T")

EDITABLE = (TemplateStatus.DRAFT, TemplateStatus.REJECTED, TemplateStatus.DELETED)
SYNC_FIELDS = "id,name,language,status,category,components,rejected_reason,quality_score"


class SandboxTemplates(Protocol):
    """What `ensure_sandbox_approved` needs of the sandbox's in-process state."""

    def add_template(
        self,
        *,
        waba_id: str,
        name: str,
        language: str,
        category: str,
        components: list[dict[str, Any]],
        status: str = "APPROVED",
    ) -> Any: ...


@dataclass(slots=True)
class DraftResult:
    template: MessageTemplate | None
    errors: list[TemplateError] = field(default_factory=list)


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


# --------------------------------------------------------------------------- lookups


def get_template(
    session: Session, *, store_id: int, name: str, language: str
) -> MessageTemplate | None:
    return session.exec(
        select(MessageTemplate).where(
            MessageTemplate.store_id == store_id,
            MessageTemplate.name == name,
            MessageTemplate.language == language,
        )
    ).first()


def _language_candidates(language: str, default: str | None) -> list[str]:
    wanted = [language]
    for code in (language, default):
        if code:
            wanted.append(language_base(code))
    return list(dict.fromkeys(w for w in wanted if w))


def approved_template(
    session: Session, *, store_id: int, name: str, language: str
) -> MessageTemplate | None:
    """The approved `name` in the customer's language: the exact code, then the same language
    in another region ("tr" ↔ "tr_TR"), then the store's default language."""
    rows = session.exec(
        select(MessageTemplate).where(
            MessageTemplate.store_id == store_id,
            MessageTemplate.name == name,
            MessageTemplate.status == TemplateStatus.APPROVED,
        )
    ).all()
    if not rows:
        return None
    store = session.get(StoreSettings, store_id)
    for candidate in _language_candidates(language, store.default_locale if store else None):
        exact = [r for r in rows if r.language == candidate]
        if exact:
            return exact[0]
        same = sorted(
            (r for r in rows if language_base(r.language) == language_base(candidate)),
            key=lambda r: r.language,
        )
        if same:
            return same[0]
    return None


# --------------------------------------------------------------------------- drafts


def template_errors(
    *,
    name: str,
    language: str,
    category: str,
    components: Sequence[dict[str, Any]],
    variable_mapping: dict[str, Any] | None = None,
) -> list[TemplateError]:
    """Meta's rules plus ours: every mapped variable must exist in the catalogue."""
    errors = validate_template(
        name=name, language=language, category=category, components=components
    )
    for key in unknown_variables(variable_mapping or {}):
        errors.append(
            _error(
                "variable_mapping",
                "variable_unknown",
                f"Unknown variable {key!r} in the mapping.",
                f"Eşlemede bilinmeyen değişken: {key!r}.",
            )
        )
    return errors


def create_or_update_draft(
    session: Session,
    *,
    store_id: int,
    name: str,
    language: str,
    category: str,
    components: list[dict[str, Any]],
    variable_mapping: dict[str, Any] | None = None,
    starter_key: str | None = None,
) -> DraftResult:
    """Save a draft if it passes validation (warnings are returned but do not block).

    A template already submitted (pending or approved) cannot be rewritten here: Meta keys
    templates by name and language, so a change means a new name."""
    errors = template_errors(
        name=name,
        language=language,
        category=category,
        components=components,
        variable_mapping=variable_mapping,
    )
    if blocking(errors):
        return DraftResult(None, errors)
    row = get_template(session, store_id=store_id, name=name, language=language)
    if row is not None and row.status not in EDITABLE:
        locked = _error(
            "name",
            "template_locked",
            "This template was already submitted to Meta; save your change under a new name.",
            "Bu şablon Meta'ya gönderildi; değişikliğinizi yeni bir adla kaydedin.",
        )
        return DraftResult(None, [locked, *errors])
    if row is None:
        row = MessageTemplate(
            store_id=store_id, name=name, language=language, category=TemplateCategory(category)
        )
    row.category = TemplateCategory(category)
    row.components = components
    row.variable_mapping = variable_mapping or {}
    row.status = TemplateStatus.DRAFT
    row.meta_id = None
    row.rejected_reason = None
    row.quality = None
    row.starter_key = starter_key or row.starter_key
    row.updated_at = clock.now()
    session.add(row)
    session.flush()
    return DraftResult(row, errors)


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
        category=TemplateCategory(template.category).value,  # type: ignore[arg-type]
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


# --------------------------------------------------------------------------- starter library


def default_link_base() -> str:
    """Where tracked links live: `<APP_URL>/r` (the redirect is served by the analytics part)."""
    return f"{get_settings().app_url.rstrip('/')}/r"


def _install_local(
    session: Session, *, store_id: int, languages: Iterable[str], link_base: str | None
) -> list[MessageTemplate]:
    base = link_base or default_link_base()
    rows: list[MessageTemplate] = []
    for language in languages:
        for starter in starter_templates(language, link_base=base):
            row = get_template(session, store_id=store_id, name=starter.name, language=language)
            if row is None or row.status in EDITABLE:
                result = create_or_update_draft(
                    session,
                    store_id=store_id,
                    name=starter.name,
                    language=starter.language,
                    category=starter.category,
                    components=starter.components,
                    variable_mapping=starter.variable_mapping,
                    starter_key=starter.key,
                )
                if result.template is None:  # a starter must always be valid: a bug
                    raise AssertionError(f"{starter.name}: {result.errors}")
                row = result.template
            rows.append(row)
    return rows


def install_starter_library(
    session: Session,
    *,
    store_id: int,
    languages: Sequence[str] = LANGUAGES,
    submit: bool,
    link_base: str | None = None,
    graph_url: str | None = None,
) -> dict[str, list[TemplateError]]:
    """The merchant's one action: local rows for every starter in each language, submitted
    for review when `submit`. Idempotent: submitted starters are left alone.

    Returns problems by "name:language" (only the templates that had any)."""
    rows = _install_local(session, store_id=store_id, languages=languages, link_base=link_base)
    problems: dict[str, list[TemplateError]] = {}
    if not submit:
        return problems
    for row in rows:
        if row.status == TemplateStatus.DRAFT:
            errors = submit_template(session, template=row, graph_url=graph_url)
            if errors:
                problems[f"{row.name}:{row.language}"] = errors
    return problems


def ensure_sandbox_approved(
    session: Session,
    *,
    store_id: int,
    sandbox: SandboxTemplates,
    languages: Sequence[str] = LANGUAGES,
    link_base: str | None = None,
) -> list[MessageTemplate]:
    """Dev mode: the store's sandbox number gets the starter library approved at once, seeded
    straight into the sandbox's state (no review delay) and recorded locally as APPROVED."""
    account = default_account(session, store_id)
    if account is None or not account.is_sandbox:
        return []
    rows = _install_local(session, store_id=store_id, languages=languages, link_base=link_base)
    for row in rows:
        if row.status == TemplateStatus.APPROVED:
            continue
        seeded = sandbox.add_template(
            waba_id=account.waba_id,
            name=row.name,
            language=row.language,
            category=TemplateCategory(row.category).value,
            components=row.components,
            status="APPROVED",
        )
        row.meta_id = str(getattr(seeded, "id", "") or "") or None
        row.status = TemplateStatus.APPROVED
        row.updated_at = clock.now()
        session.add(row)
    session.flush()
    return rows


def starter_rows(session: Session, *, store_id: int) -> list[MessageTemplate]:
    """The store's templates that came from the starter library."""
    return list(
        session.exec(
            select(MessageTemplate)
            .where(
                MessageTemplate.store_id == store_id, col(MessageTemplate.starter_key).is_not(None)
            )
            .order_by(col(MessageTemplate.id))
        ).all()
    )
