"""Templates of a store kept locally: drafts checked against Meta's rules and ours, and the
lookups the senders use to find an approved template. Submission and sync with Meta live in
`plugin.templates.meta_api`, the starter library in `plugin.templates.starter`.

Functions are synchronous and never commit (the request or actor commits).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from plugin import clock
from plugin.db import batch_memo
from plugin.stores import config_cache
from plugin.stores.models import StoreSettings
from plugin.templates.limits import TemplateError, blocking
from plugin.templates.models import MessageTemplate, TemplateCategory, TemplateStatus
from plugin.templates.validation import validate_template
from plugin.templates.variables import language_base, unknown_variables

EDITABLE = (TemplateStatus.DRAFT, TemplateStatus.REJECTED, TemplateStatus.DELETED)


@dataclass(slots=True)
class DraftResult:
    template: MessageTemplate | None
    errors: list[TemplateError] = field(default_factory=list)


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


def prefetch_approved(session: Session, *, store_id: int) -> None:
    """In a batch of events: every approved row of the store, in one query (batch memo), or
    from the worker's copy while the store's configuration is unchanged
    (plugin.stores.config_cache): rows in no session, which the senders only read."""
    memo = batch_memo(session)
    if memo is None:
        return
    cached: dict[tuple[int, str], Sequence[MessageTemplate]] = memo.setdefault(
        "templates.approved", {}
    )
    at, by_name = config_cache.lookup(session, store_id, _APPROVED)
    if by_name is None:
        rows = session.exec(
            select(MessageTemplate).where(
                MessageTemplate.store_id == store_id,
                MessageTemplate.status == TemplateStatus.APPROVED,
            )
        ).all()
        by_name = {}
        for row in rows:
            by_name.setdefault(row.name, []).append(row)
        if at is not None:
            copies = {
                name: tuple(config_cache.copy_row(r) for r in found)
                for name, found in by_name.items()
            }
            config_cache.keep(session, store_id, _APPROVED, at, copies)
    cached.update(((store_id, name), found) for name, found in by_name.items())
    memo.setdefault("templates.all_read", set()).add(store_id)


_APPROVED = "message_template.approved"


def _approved(session: Session, store_id: int, name: str) -> Sequence[MessageTemplate]:
    """The approved rows of one name; read once per batch of events (batch memo)."""
    memo = batch_memo(session)
    cached: dict[tuple[int, str], Sequence[MessageTemplate]] | None = (
        memo.setdefault("templates.approved", {}) if memo is not None else None
    )
    if cached is not None and (store_id, name) in cached:
        return cached[(store_id, name)]
    if memo is not None and store_id in memo.get("templates.all_read", ()):
        return ()  # the store has no approved row of this name
    rows = session.exec(
        select(MessageTemplate).where(
            MessageTemplate.store_id == store_id,
            MessageTemplate.name == name,
            MessageTemplate.status == TemplateStatus.APPROVED,
        )
    ).all()
    if cached is not None:
        cached[(store_id, name)] = rows
    return rows


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
    rows = _approved(session, store_id, name)
    if not rows:
        return None
    # the settings row the batch holds, found without building its identity key twice
    store = session.identity_map.get((StoreSettings, (store_id,), None)) or session.get(
        StoreSettings, store_id
    )
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
            TemplateError(
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
        locked = TemplateError(
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
