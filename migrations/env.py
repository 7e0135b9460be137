"""Alembic environment: SQLModel metadata of every model, PostgreSQL and SQLite alike."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import plugin.all_models  # noqa: F401 - every table registered before reading the metadata

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Render our shared column types by name, so migrations stay portable."""
    from plugin.db import JSONType, UTCDateTime

    if type_ == "type" and obj is JSONType:
        return "plugin.db.JSONType"
    if type_ == "type" and isinstance(obj, sa.JSON):
        return "plugin.db.JSONType"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "plugin.db.UTCDateTime()"
    return False


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = engine_from_config(
            config.get_section(config.config_ini_section, {}),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # type: ignore[attr-defined]
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
