"""What happens after an install; domains add their steps to AFTER_INSTALL."""

from __future__ import annotations

import importlib

from sqlmodel import Session

from plugin.saleor.models import Store

# "module:function(session=, store=)" run once after each (re)install, in order.
AFTER_INSTALL: list[str] = [
    "plugin.stores.service:ensure_settings",
    "plugin.contacts.sync:start_initial_sync",
    "plugin.whatsapp.sandbox_connect:connect_sandbox",  # dev mode only
    "plugin.flows.config:install_defaults",  # dev mode: order updates and recovery on
]


def after_install(*, session: Session, store_id: int) -> None:
    store = session.get(Store, store_id)
    if store is None or not store.is_active:
        return
    for target in AFTER_INSTALL:
        module, _, name = target.partition(":")
        getattr(importlib.import_module(module), name)(session=session, store=store)
