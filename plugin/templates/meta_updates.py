"""What Meta tells us about a store's templates: review results, quality and category.

The template rows change here; what that means for messages waiting to use a template (hold,
release) is returned as a HoldChange, and the journey (plugin/events/inbound.py) asks the
outbox to apply it, so templates never import delivery.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from sqlmodel import Session, select

from plugin import clock
from plugin.templates.models import MessageTemplate, TemplateCategory, TemplateStatus

log = structlog.get_logger(__name__)

# Statuses after which messages using the template must wait.
HOLDING_STATUSES = {
    TemplateStatus.PAUSED,
    TemplateStatus.DISABLED,
    TemplateStatus.REJECTED,
    TemplateStatus.DELETED,
}


@dataclass(frozen=True, slots=True)
class HoldChange:
    """What waits to use a template must do now: be held (with a reason, for one category's
    messages only when `category` is set) or be released."""

    template_id: int
    hold_reason: str | None = None
    category: TemplateCategory | None = None
    release: bool = False


def find_template(
    session: Session, *, store_id: int, meta_id: str, name: str, language: str
) -> MessageTemplate | None:
    """By Meta's id, else by name and language (a template we created before its id came)."""
    found = session.exec(
        select(MessageTemplate).where(
            MessageTemplate.store_id == store_id, MessageTemplate.meta_id == meta_id
        )
    ).first()
    if found is None:
        found = session.exec(
            select(MessageTemplate).where(
                MessageTemplate.store_id == store_id,
                MessageTemplate.name == name,
                MessageTemplate.language == language,
            )
        ).first()
    if found is not None and found.meta_id is None:
        found.meta_id = meta_id
    return found


def apply_status(
    session: Session,
    *,
    template: MessageTemplate,
    event: str,
    reason: str | None = None,
    category: str | None = None,
) -> HoldChange | None:
    """A review result or a pause; None for events that are not a status (FLAGGED...)."""
    try:
        status = TemplateStatus(event.upper())
    except ValueError:
        log.info("template_event_ignored", template_id=template.id, event=event)
        return None
    previous = template.status
    template.status = status
    if status is TemplateStatus.REJECTED:
        template.rejected_reason = (reason or "")[:500] or None
    elif status is TemplateStatus.APPROVED:
        template.rejected_reason = None
    if category:
        _set_category(template, category)
    template.updated_at = clock.now()
    session.add(template)
    assert template.id is not None
    if status in HOLDING_STATUSES:
        return HoldChange(template.id, hold_reason=status.value.lower())
    released = status is TemplateStatus.APPROVED and previous != TemplateStatus.APPROVED
    return HoldChange(template.id, release=released)


def apply_quality(session: Session, *, template: MessageTemplate, quality: str) -> None:
    template.quality = quality.upper()[:20]
    template.updated_at = clock.now()
    session.add(template)


def _set_category(template: MessageTemplate, category: str) -> bool:
    try:
        new = TemplateCategory(category.upper())
    except ValueError:
        return False
    changed = new != template.category
    template.category = new
    return changed


def apply_category(
    session: Session, *, template: MessageTemplate, category: str
) -> HoldChange | None:
    """Meta recategorised the template: what waits to use it is held under its new category;
    None when the category did not change."""
    if not _set_category(template, category):
        return None
    template.updated_at = clock.now()
    session.add(template)
    assert template.id is not None
    return HoldChange(template.id, hold_reason="recategorised", category=template.category)
