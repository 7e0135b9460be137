"""Acting on a recorded Meta webhook (the inbox processor for source "whatsapp"): the channel
(plugin/whatsapp) parsed it; this journey hands each part to the domain that owns it.

Statuses go to the delivery engine, customer messages become InboundMessage rows (deduplicated
by wamid) that open the 24-hour service window and are handed to consent and the listeners,
marketing preferences go to consent, template and account updates to their rows. Only the
entries of this store's numbers and WABAs are acted on; everything is safe to repeat.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog
from pydantic import ValidationError
from sqlmodel import Session, select

from plugin import clock
from plugin.analytics import rollups
from plugin.contacts.whatsapp import (
    contact_for_whatsapp_user,
    learn_shared_phone,
    rekey_contact,
    remember_user_ids,
)
from plugin.delivery import service as delivery_service
from plugin.delivery.models import InboundMessage, MessagePurpose
from plugin.delivery.quality import record_recategorisation
from plugin.delivery.template_holds import hold_for_template, release_for_template
from plugin.events import replies
from plugin.inbox.models import InboxEvent, InboxStatus
from plugin.saleor.models import Store
from plugin.templates import meta_updates
from plugin.templates.models import TemplateCategory
from plugin.whatsapp.account_updates import (
    apply_account_update,
    apply_capability_update,
    apply_quality_update,
)
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.payloads.webhook import (
    AccountUpdateChange,
    BusinessCapabilityChange,
    Entry,
    MessagesChange,
    MessagesValue,
    PhoneNumberQualityChange,
    TemplateCategoryChange,
    TemplateQualityChange,
    TemplateStatusChange,
    UserPreferencesChange,
    WebhookMessage,
    WebhookPayload,
    parse_webhook,
)
from plugin.whatsapp.statuses import StatusUpdate, meta_timestamp, status_updates

log = structlog.get_logger(__name__)


def process_webhook(*, session: Session, store: Store, inbox: InboxEvent) -> InboxStatus:
    """Act on this store's part of one recorded webhook body."""
    if not store.is_active:
        return InboxStatus.IGNORED
    payload = parse_body(inbox)
    if payload is None:
        return InboxStatus.INVALID
    accounts = store_accounts(session, store)
    acted = False
    for entry in payload.entry:
        acted = act_on_entry(session, store, accounts, entry) or acted
    return InboxStatus.PROCESSED if acted else InboxStatus.IGNORED


def parse_body(inbox: InboxEvent) -> WebhookPayload | None:
    """The recorded body parsed; None (and the reason on the row) when it does not parse."""
    try:
        return parse_webhook(inbox.payload or "")
    except (ValidationError, ValueError) as exc:
        inbox.error = str(exc)[:2000]
        return None


def store_accounts(session: Session, store: Store) -> list[WhatsAppAccount]:
    """The store's numbers: only their entries are acted on."""
    return list(
        session.exec(select(WhatsAppAccount).where(WhatsAppAccount.store_id == store.id)).all()
    )


def act_on_entry(
    session: Session, store: Store, accounts: list[WhatsAppAccount], entry: Entry
) -> bool:
    """Hand each change of one entry to its owner; True when any was this store's."""
    by_pnid = {a.phone_number_id: a for a in accounts}
    waba_accounts = [a for a in accounts if a.waba_id == entry.id]
    acted = False
    for change in entry.changes:
        if isinstance(change, MessagesChange | UserPreferencesChange):
            account = by_pnid.get(change.value.metadata.phone_number_id)
            if account is None:
                continue
            _messages(session, store, account, change.value)
            acted = True
        elif not waba_accounts:
            continue
        elif isinstance(
            change, TemplateStatusChange | TemplateQualityChange | TemplateCategoryChange
        ):
            acted = _template(session, store, change) or acted
        elif isinstance(change, PhoneNumberQualityChange):
            acted = (
                bool(apply_quality_update(session, accounts=waba_accounts, update=change.value))
                or acted
            )
        elif isinstance(change, BusinessCapabilityChange):
            changed = apply_capability_update(session, accounts=waba_accounts, update=change.value)
            acted = bool(changed) or acted
        elif isinstance(change, AccountUpdateChange):
            apply_account_update(session, accounts=waba_accounts, update=change.value)
            acted = True
    return acted


# --------------------------------------------------------------------------- messages change


def _messages(
    session: Session, store: Store, account: WhatsAppAccount, value: MessagesValue
) -> None:
    assert store.id is not None
    if value.statuses:
        updates = status_updates(value)
        apply_statuses(session, updates=updates, store_id=store.id)
        pairs = {u.recipient_id: u.user_id for u in updates if u.recipient_id and u.user_id}
        remember_user_ids(session, store_id=store.id, pairs=pairs)
    profiles = {c.wa_id: c for c in value.contacts}
    for message in value.messages:
        if message.type == "system" and message.system is not None:
            _system(session, store, message)
            continue
        _inbound(session, store, account, message, profiles)
    for preference in value.user_preferences:
        if not preference.category.startswith("marketing"):
            continue
        known = profiles.get(preference.wa_id)
        contact = contact_for_whatsapp_user(
            session,
            store_id=store.id,
            wa_id=preference.wa_id,
            user_id=preference.user_id or (known.user_id if known else None),
            name=known.profile.name if known and known.profile else None,
        )
        if contact is None:
            continue
        replies.on_marketing_preference(
            session=session,
            store=store,
            contact=contact,
            value=preference.value,
            occurred_at=meta_timestamp(preference.timestamp) or clock.now(),
            detail=preference.detail,
        )


def apply_statuses(session: Session, *, updates: Sequence[StatusUpdate], store_id: int) -> None:
    """Hand statuses to the delivery engine, which owns message states and error effects;
    only messages of `store_id` (the store whose number received them) are touched. A status
    on a message of an already rolled-up day has that day rebuilt at the next tick (at most
    once a minute per store: rollups.DIRTY_EVERY), so the results read from the rollups agree
    with the live counts within a minute, not an hour."""
    if not updates:
        return
    result = delivery_service.apply_statuses(session, updates=updates, store_id=store_id)
    rollups.mark_built_dirty(session, days=result.past_days)


def apply_pending_statuses(*, session: Session) -> None:
    """TICK task: the statuses that beat their send result, applied as `apply_statuses`."""
    result = delivery_service.apply_pending_statuses(session)
    rollups.mark_built_dirty(session, days=result.past_days)


def content(message: WebhookMessage) -> tuple[str | None, str | None]:
    """The text a person sees and the payload a button carries, for each message type."""
    if message.text is not None:
        return message.text.body, None
    if message.button is not None:
        return message.button.text, message.button.payload
    interactive = message.interactive
    if interactive is not None:
        reply = interactive.button_reply or interactive.list_reply
        if reply is not None:
            return reply.title, reply.id
        return None, None
    if message.order is not None:
        return message.order.text or None, None
    for media in (message.image, message.video, message.document):
        if media is not None and media.caption:
            return media.caption, None
    return None, None


def _inbound(
    session: Session,
    store: Store,
    account: WhatsAppAccount,
    message: WebhookMessage,
    profiles: dict[str, Any],
) -> None:
    assert store.id is not None
    exists = session.exec(
        select(InboundMessage.id).where(InboundMessage.wamid == message.id)
    ).first()
    if exists is not None:
        return  # a redelivery: already recorded and acted on
    known = profiles.get(message.from_)
    if known is None and not message.from_ and len(profiles) == 1:
        known = next(iter(profiles.values()))
    contact = contact_for_whatsapp_user(
        session,
        store_id=store.id,
        wa_id=message.from_,
        user_id=message.from_user_id or (known.user_id if known else None),
        name=known.profile.name if known and known.profile else None,
    )
    now = clock.now()
    sent = meta_timestamp(message.timestamp)
    received_at = min(sent, now) if sent is not None else now
    text, payload = content(message)
    inbound = InboundMessage(
        store_id=store.id,
        contact_id=contact.id if contact else None,
        account_id=account.id,
        wamid=message.id[:128],
        type=message.type[:30],
        text=text,
        button_payload=payload[:256] if payload else None,
        context_wamid=(message.context.id if message.context else None),
        received_at=received_at,
    )
    session.add(inbound)
    session.flush()
    if contact is None:
        return
    for card in message.contacts:  # a request-contact-info answer: the user's own number
        if card.origin == "contact_request":
            for shared in card.phones:
                if shared.wa_id and learn_shared_phone(
                    session, contact=contact, wa_id=shared.wa_id
                ):
                    break
    if contact.last_inbound_at is None or contact.last_inbound_at < received_at:
        contact.last_inbound_at = received_at  # opens the 24-hour service window
        contact.updated_at = now
        session.add(contact)
    replies.on_inbound_message(session=session, store=store, contact=contact, inbound=inbound)


def _system(session: Session, store: Store, message: WebhookMessage) -> None:
    """`user_changed_number` / `user_changed_user_id` (Meta's "System messages webhook
    reference"): the contact is re-keyed and keeps its consent; not a customer message, so it
    is neither stored as one nor opens the 24-hour service window."""
    assert store.id is not None and message.system is not None
    system = message.system
    kind = system.type or ""
    if kind in ("user_changed_number", "customer_changed_number"):
        new_wa_id = system.new_number
    elif kind == "user_changed_user_id":
        new_wa_id = None  # only the BSUID changed
    else:
        log.info("system_message_ignored", store_id=store.id, type=kind[:40])
        return
    new_user_id = system.new_bsuid
    rekey_contact(
        session,
        store_id=store.id,
        old_wa_id=message.from_,
        old_user_id=message.from_user_id,
        new_wa_id=new_wa_id,
        new_user_id=new_user_id if new_user_id != message.from_user_id else None,
    )


def _template(session: Session, store: Store, change: Any) -> bool:
    assert store.id is not None
    value = change.value
    template = meta_updates.find_template(
        session,
        store_id=store.id,
        meta_id=str(value.message_template_id),
        name=value.message_template_name,
        language=value.message_template_language,
    )
    if template is None:
        log.info("template_update_for_unknown_template", store_id=store.id)
        return False
    if isinstance(change, TemplateStatusChange):
        reason = value.rejection_info.reason if value.rejection_info else None
        holds = meta_updates.apply_status(
            session,
            template=template,
            event=value.event,
            reason=reason or (value.reason if value.reason not in (None, "NONE") else None),
            category=value.message_template_category,
        )
    elif isinstance(change, TemplateQualityChange):
        meta_updates.apply_quality(session, template=template, quality=value.new_quality_score)
        holds = None
    elif value.correct_category:  # impending: recorded and shown before it bills
        holds = None
        record_recategorisation(
            session,
            template=template,
            correct_category=value.correct_category,
            new_category=value.new_category,
            update_at=value.category_update_timestamp,
        )
    else:
        holds = meta_updates.apply_category(session, template=template, category=value.new_category)
    if holds is not None:
        _apply_holds(session, holds)
    return True


# Which outbox messages a template's category holds when Meta recategorises it.
_PURPOSE = {
    TemplateCategory.MARKETING: MessagePurpose.MARKETING,
    TemplateCategory.UTILITY: MessagePurpose.TRANSACTIONAL,
    TemplateCategory.AUTHENTICATION: MessagePurpose.TRANSACTIONAL,
}


def _apply_holds(session: Session, holds: meta_updates.HoldChange) -> None:
    """The outbox (delivery) holds or releases what waits to use the template."""
    if holds.hold_reason is not None:
        purpose = _PURPOSE.get(holds.category) if holds.category is not None else None
        hold_for_template(
            session, template_id=holds.template_id, reason=holds.hold_reason, purpose=purpose
        )
    elif holds.release:
        release_for_template(session, template_id=holds.template_id)
