"""Helpers for the hostile-input tests: production settings and "nothing happened" checks."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from plugin.settings import Settings
from tests.conftest import make_settings

PRODUCTION_SECRET_KEY = "hostile-test-secret-key-0123456789"
PRODUCTION_APP_SECRET = "hostile-test-meta-app-secret"


def production_settings(db_url: str, *, allowed: str, **overrides: Any) -> Settings:
    """What an operator runs: production mode, an explicit ALLOWED_SALEOR_URLS, no sandbox."""
    values: dict[str, Any] = {
        "ulak_env": "production",
        "secret_key": PRODUCTION_SECRET_KEY,
        "whatsapp_app_secret": PRODUCTION_APP_SECRET,
        "whatsapp_verify_token": "hostile-verify-token",
        "allowed_saleor_urls": allowed,
    }
    return make_settings(db_url, **{**values, **overrides})


def row_counts() -> dict[str, int]:
    """Rows in every table: compared before and after a hostile request (no side effect)."""
    import plugin.all_models  # noqa: F401
    from plugin.db import get_engine

    with get_engine().connect() as conn:
        return {
            table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }
