"""Which store a Meta webhook is for: messages by phone number id, the rest by WABA id.

One POST may carry entries for several numbers (Meta batches); each store gets the body once
and its processor acts only on its own entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plugin.rows import OneOf
from plugin.saleor.models import Store, StoreStatus
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.payloads.webhook import (
    Entry,
    MessagesChange,
    OtherChange,
    UserPreferencesChange,
    WebhookPayload,
)


@dataclass(slots=True)
class Route:
    """A store's share of one webhook body: its id and a short name for what it carries."""

    store_id: int
    kinds: set[str] = field(default_factory=set)

    @property
    def event(self) -> str:
        return "+".join(sorted(self.kinds))[:80] or "empty"


def change_kind(change: object) -> str:
    if isinstance(change, MessagesChange | UserPreferencesChange):
        value = change.value
        if isinstance(change, UserPreferencesChange):
            return "user_preferences"
        if value.messages:
            return "messages"
        if value.statuses:
            return "statuses"
        return "messages"
    return str(getattr(change, "field", "other"))


def _addresses(entry: Entry) -> tuple[set[str], bool]:
    """Phone number ids named by the entry's changes, and whether a WABA-level change is in it."""
    pnids: set[str] = set()
    waba_level = False
    for change in entry.changes:
        if isinstance(change, MessagesChange | UserPreferencesChange):
            pnids.add(change.value.metadata.phone_number_id)
        elif not isinstance(change, OtherChange):
            waba_level = True
    return pnids, waba_level


def route(session: Session, payload: WebhookPayload) -> list[Route]:
    """The active stores this body concerns (empty: a number or WABA we do not serve)."""
    pnids: set[str] = set()
    wabas: set[str] = set()
    for entry in payload.entry:
        entry_pnids, waba_level = _addresses(entry)
        pnids |= entry_pnids
        if waba_level:
            wabas.add(entry.id)
    if not pnids and not wabas:
        return []
    accounts = session.execute(
        _accounts_statement(), {"route_pnids": sorted(pnids), "route_wabas": sorted(wabas)}
    ).all()
    by_pnid = {a.phone_number_id: a.store_id for a in accounts}
    by_waba: dict[str, set[int]] = {}
    for account in accounts:
        by_waba.setdefault(account.waba_id, set()).add(account.store_id)
    routes: dict[int, Route] = {}
    for entry in payload.entry:
        for change in entry.changes:
            if isinstance(change, MessagesChange | UserPreferencesChange):
                stores = (
                    {by_pnid[p]}
                    if (p := change.value.metadata.phone_number_id) in by_pnid
                    else set()
                )
            elif isinstance(change, OtherChange):
                stores = set()
            else:
                stores = by_waba.get(entry.id, set())
            for store_id in stores:
                routes.setdefault(store_id, Route(store_id)).kinds.add(change_kind(change))
    return [routes[k] for k in sorted(routes)]


@cache
def _accounts_statement() -> sa.Select[Any]:
    """The active stores' numbers among some phone number ids and WABA ids: three columns, a
    statement built once whose text does not change with the lists. Every status webhook of a
    campaign asks it on the API's request path: the ORM loaded whole account objects there."""
    account = WhatsAppAccount.__table__  # type: ignore[attr-defined]
    store = Store.__table__  # type: ignore[attr-defined]
    return (
        sa.select(account.c.phone_number_id, account.c.waba_id, account.c.store_id)
        .join(store, store.c.id == account.c.store_id)
        .where(
            store.c.status == StoreStatus.ACTIVE.value,
            OneOf(account.c.phone_number_id, "route_pnids")
            | OneOf(account.c.waba_id, "route_wabas"),
        )
    )
