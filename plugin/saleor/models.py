"""A store is one Saleor installation of Ulak."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from plugin import clock
from plugin.db import JSONType, utc_column


class StoreStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"  # APP_DELETED: nothing more is sent for this store


class Store(SQLModel, table=True):
    """One Saleor that installed Ulak; every other row belongs to a store."""

    id: int | None = Field(default=None, primary_key=True)
    saleor_api_url: str = Field(max_length=500, unique=True, index=True)
    saleor_app_id: str = Field(max_length=200)
    domain: str = Field(default="", max_length=255)
    name: str = Field(default="", max_length=255)
    app_token_encrypted: str
    jwks: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    jwks_fetched_at: datetime | None = Field(default=None, sa_column=utc_column())
    status: StoreStatus = Field(default=StoreStatus.ACTIVE, sa_type=sa.String(20))
    installed_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    disabled_at: datetime | None = Field(default=None, sa_column=utc_column())
    # Bumped by database triggers whenever the store's settings, flow settings or templates
    # change, in any process (migration 0028): the key of plugin.stores.config_cache.
    config_version: int = Field(
        default=0, sa_column_kwargs={"server_default": "0", "nullable": False}
    )

    @property
    def is_active(self) -> bool:
        return self.status == StoreStatus.ACTIVE
