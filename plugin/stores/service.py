"""Reading and creating a store's settings."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from plugin.saleor.models import Store
from plugin.stores.models import StoreSettings


def get_settings(session: Session, store_id: int) -> StoreSettings:
    """The store's settings, created with the product defaults on first use."""
    settings = session.get(StoreSettings, store_id)
    if settings is None:
        settings = StoreSettings(store_id=store_id)
        try:
            with session.begin_nested():  # two workers may create it at once
                session.add(settings)
                session.flush()
        except IntegrityError:
            found = session.get(StoreSettings, store_id, populate_existing=True)
            if found is None:
                raise
            settings = found
    return settings


def ensure_settings(*, session: Session, store: Store) -> None:
    """After-install step: every store has a settings row."""
    assert store.id is not None
    get_settings(session, store.id)
