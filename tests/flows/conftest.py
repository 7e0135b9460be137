from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from plugin.saleor.models import Store
from tests.support import drain_queue


@pytest.fixture()
def flow_store(installed_store: dict[str, Any], session: Session) -> dict[str, Any]:
    """A dev-mode store as a merchant gets it: installed, sandbox connected, starter templates
    approved, order updates and cart recovery switched on (the after-install steps ran)."""
    drain_queue()
    store = session.exec(select(Store)).one()
    return {**installed_store, "store_id": store.id}
