"""A unit of work's WhatsApp webhooks of one store acted on together (the batch processor for
source "whatsapp").

Why: during a campaign Meta posts about three status webhooks per message sent (sent,
delivered, read; one status each at 80 messages/s), most of the worker's events. Acted on one
at a time, each read the store's numbers, looked its message up, wrote it, and looked its
recipient's contact up. Here the numbers are read once per batch, and the statuses of
consecutive status-only webhooks are applied with one `apply_statuses` and one
`remember_user_ids` call (both set-based). Every other part — customer messages, system
messages, preferences, template and account updates — is acted on exactly as
`inbound.process_webhook` acts on it, in recorded order: the statuses collected before such a
webhook are applied first. Each webhook's status is the one `process_webhook` gives it alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from plugin.contacts.whatsapp import remember_user_ids
from plugin.delivery.statuses import MESSAGE_REF_PREFIX
from plugin.events import inbound
from plugin.inbox.models import InboxEvent, InboxStatus
from plugin.saleor.models import Store
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.payloads.webhook import (
    MessagesChange,
    OtherChange,
    UserPreferencesChange,
    WebhookPayload,
)
from plugin.whatsapp.statuses import StatusUpdate, status_updates


def process_webhooks(
    *, session: Session, store: Store, inboxes: Sequence[InboxEvent]
) -> dict[int, InboxStatus]:
    """Act on consecutive recorded webhooks of `store`, in order; each one's status by id."""
    assert store.id is not None
    run = _StatusRun(session, store.id)
    accounts: list[WhatsAppAccount] | None = None
    outcome: dict[int, InboxStatus] = {}
    for inbox in inboxes:
        assert inbox.id is not None
        if not store.is_active:
            outcome[inbox.id] = InboxStatus.IGNORED
            continue
        payload = inbound.parse_body(inbox)
        if payload is None:
            outcome[inbox.id] = InboxStatus.INVALID
            continue
        if accounts is None:
            accounts = inbound.store_accounts(session, store)
        if _statuses_only(payload):
            acted = run.add(payload, accounts)
        else:
            run.flush()  # what came before is applied before this webhook's other parts
            acted = False
            for entry in payload.entry:
                acted = inbound.act_on_entry(session, store, accounts, entry) or acted
        outcome[inbox.id] = InboxStatus.PROCESSED if acted else InboxStatus.IGNORED
    run.flush()
    return outcome


def _statuses_only(payload: WebhookPayload) -> bool:
    """Nothing but statuses (and fields nobody acts on): the webhook can join a status run."""
    for entry in payload.entry:
        for change in entry.changes:
            if isinstance(change, OtherChange):
                continue
            if not isinstance(change, MessagesChange | UserPreferencesChange):
                return False
            if change.value.messages or change.value.user_preferences:
                return False
    return True


Pricing = tuple[str | None, str | None, bool | None]


class _StatusRun:
    """The statuses of consecutive status-only webhooks, applied together when the run ends.

    `apply_statuses` folds what it is given per message (the highest status, each earliest
    timestamp, the last pricing), so statuses applied in one call leave what the same statuses
    applied one webhook at a time leave, except where that fold depends on order. A webhook
    whose statuses would meet one of those cases ends the run first (then it is applied after
    the run's statuses, as alone): a failed status next to another status of its message (the
    error's effects and the quota return depend on what the message had reached), a message
    priced two ways (the last pricing wins, and a free one returns the quota unit), a callback
    ref naming two wamids (one adoption), and a ref for a wamid an earlier webhook named without
    one (alone, that earlier status waited as pending)."""

    def __init__(self, session: Session, store_id: int) -> None:
        self.session = session
        self.store_id = store_id
        self._reset()

    def _reset(self) -> None:
        self.updates: list[StatusUpdate] = []
        self.pairs: dict[str, str] = {}
        self._failed: set[str] = set()
        self._reffed: set[str] = set()
        self._pricing: dict[str, set[Pricing]] = {}
        self._refs: dict[int, set[str]] = {}

    def add(self, payload: WebhookPayload, accounts: list[WhatsAppAccount]) -> bool:
        """Collect the statuses of this store's numbers; True when any change was theirs."""
        numbers = {a.phone_number_id for a in accounts}
        acted = False
        for entry in payload.entry:
            for change in entry.changes:
                if not isinstance(change, MessagesChange | UserPreferencesChange):
                    continue
                if change.value.metadata.phone_number_id not in numbers:
                    continue
                acted = True
                updates = status_updates(change.value)
                if not updates:
                    continue
                if not self._joins(updates):
                    self.flush()
                self._take(updates)
        return acted

    def _joins(self, updates: list[StatusUpdate]) -> bool:
        seen = {u.wamid for u in self.updates}
        for update in updates:
            wamid, ref, price = update.wamid, _ref(update), _pricing(update)
            if wamid in seen:
                if update.status == "failed" or wamid in self._failed:
                    return False
                if ref is not None and wamid not in self._reffed:
                    return False
            if price is not None and self._pricing.get(wamid, {price}) != {price}:
                return False
            if ref is not None and self._refs.get(ref, {wamid}) != {wamid}:
                return False
        return True

    def _take(self, updates: list[StatusUpdate]) -> None:
        self.updates.extend(updates)
        for update in updates:
            wamid, ref, price = update.wamid, _ref(update), _pricing(update)
            if update.status == "failed":
                self._failed.add(wamid)
            if ref is not None:
                self._reffed.add(wamid)
                self._refs.setdefault(ref, set()).add(wamid)
            if price is not None:
                self._pricing.setdefault(wamid, set()).add(price)
        # as `_messages` builds them for one change; a later webhook's pair goes last, so the
        # contact keeps the user id it would keep after the webhooks one at a time
        pairs = {u.recipient_id: u.user_id for u in updates if u.recipient_id and u.user_id}
        for wa_id, user_id in pairs.items():
            self.pairs.pop(wa_id, None)
            self.pairs[wa_id] = user_id

    def flush(self) -> None:
        """Apply what was collected (one `apply_statuses`, one `remember_user_ids`)."""
        if self.updates:
            inbound.apply_statuses(self.session, updates=self.updates, store_id=self.store_id)
        if self.pairs:
            remember_user_ids(self.session, store_id=self.store_id, pairs=self.pairs)
        if self._failed:
            _reread_after_effects(self.session)
        self._reset()


def _reread_after_effects(session: Session) -> None:
    """A failure's effects are UPDATE statements (a suspended number, a paused template, a
    contact marked undeliverable) that the objects this unit of work has loaded do not see:
    they are read again, so a webhook after them sees what it would see alone. The inbox rows
    and the store are the unit of work's own (their unwritten changes must stay)."""
    session.flush()
    for obj in list(session.identity_map.values()):
        if not isinstance(obj, InboxEvent | Store):
            session.expire(obj)


def _ref(update: StatusUpdate) -> int | None:
    """The outbox id a status names in `biz_opaque_callback_data`, as the delivery engine reads
    it (plugin/delivery/statuses.py message_ref)."""
    data = update.biz_opaque_callback_data or ""
    number = data.removeprefix(MESSAGE_REF_PREFIX)
    return int(number) if data.startswith(MESSAGE_REF_PREFIX) and number.isdigit() else None


def _pricing(update: StatusUpdate) -> Pricing | None:
    """The pricing a status carries, when `apply_statuses` would keep it."""
    if update.pricing_category or update.billable is not None:
        return (update.pricing_category, update.pricing_type, update.billable)
    return None
