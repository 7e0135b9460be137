"""The starter library installed into a store: local drafts for every starter template in
each language, submitted for review, or approved at once on a dev-mode sandbox number."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from plugin import clock
from plugin.settings import get_settings
from plugin.templates.library import LANGUAGES, starter_templates
from plugin.templates.limits import TemplateError
from plugin.templates.meta_api import submit_template
from plugin.templates.models import MessageTemplate, TemplateCategory, TemplateStatus
from plugin.templates.service import EDITABLE, create_or_update_draft, get_template
from plugin.whatsapp.accounts import default_account

if TYPE_CHECKING:  # the sandbox's in-process state, only in dev and tests
    from plugin.whatsapp.sandbox.templates import SandboxTemplateStore


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
    sandbox: SandboxTemplateStore,
    languages: Sequence[str] = LANGUAGES,
    link_base: str | None = None,
) -> list[MessageTemplate]:
    """Dev mode: the store's sandbox number gets the starter library approved at once, seeded
    straight into the sandbox's state (no review delay) and recorded locally as APPROVED."""
    account = default_account(session, store_id)
    if account is None or not account.is_sandbox:
        return []
    rows = _install_local(session, store_id=store_id, languages=languages, link_base=link_base)
    return approve_on_sandbox(session, rows=rows, sandbox=sandbox)


def approve_on_sandbox(
    session: Session, *, rows: Sequence[MessageTemplate], sandbox: SandboxTemplateStore
) -> list[MessageTemplate]:
    """Dev mode: local drafts approved at once on their store's sandbox number (its WABA holds
    them as APPROVED, as Meta's review would); rows of a store without one are left alone."""
    accounts = {
        store_id: default_account(session, store_id) for store_id in {r.store_id for r in rows}
    }
    for row in rows:
        account = accounts[row.store_id]
        if row.status == TemplateStatus.APPROVED or account is None or not account.is_sandbox:
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
    return list(rows)


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
