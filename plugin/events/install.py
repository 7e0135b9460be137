"""What happens after an install: each domain's step, called by reference, in order."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from plugin.contacts import sync as contacts_sync
from plugin.events import sandbox_connect
from plugin.flows import config as flows_config
from plugin.saleor.models import Store
from plugin.stores import service as stores_service

InstallStep = Callable[..., object]  # (session=, store=)

# Run once after each (re)install, in order.
AFTER_INSTALL: list[InstallStep] = [
    stores_service.ensure_settings,
    contacts_sync.start_initial_sync,
    sandbox_connect.connect_sandbox,  # dev mode only
    flows_config.install_defaults,  # dev mode: order updates and recovery on
]
# Steps of an install that talk to Saleor: a demo store has none to talk to.
SALEOR_STEPS: tuple[InstallStep, ...] = (contacts_sync.start_initial_sync,)


def run_steps(*, session: Session, store: Store, skip: tuple[InstallStep, ...] = ()) -> None:
    for step in AFTER_INSTALL:
        if step not in skip:
            step(session=session, store=store)


def after_install(*, session: Session, store_id: int) -> None:
    store = session.get(Store, store_id)
    if store is None or not store.is_active:
        return
    run_steps(session=session, store=store)
