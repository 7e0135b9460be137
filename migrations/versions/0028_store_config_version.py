"""store.config_version: bumped by triggers on every change of a store's settings, flow
settings or templates, so a worker keeps that configuration between batches of events and
knows, from the store row it loads anyway, when to read it again (plugin/stores/config_cache.py)

PostgreSQL: a deferred constraint trigger, so the store row is locked only while the writing
transaction commits (an immediate bump held it from the first write on, and two transactions
writing several rows of one store could deadlock on it). SQLite has one writer at a time.

Revision ID: 0028_store_config_version
Revises: 0027_dirty_rebuilt_at
Create Date: 2026-12-06 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028_store_config_version"
down_revision: str | Sequence[str] | None = "0027_dirty_rebuilt_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("store_settings", "flow_config", "message_template")
FUNCTION = "ulak_bump_config_version"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE store SET config_version = config_version + 1 WHERE id = OLD.store_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.store_id <> OLD.store_id) THEN
        UPDATE store SET config_version = config_version + 1 WHERE id = NEW.store_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def _sqlite_triggers(table: str) -> list[str]:
    bump = "UPDATE store SET config_version = config_version + 1 WHERE id = {row}.store_id;"
    return [
        f"CREATE TRIGGER {table}_config_version_insert AFTER INSERT ON {table} "
        f"BEGIN {bump.format(row='NEW')} END",
        f"CREATE TRIGGER {table}_config_version_update AFTER UPDATE ON {table} "
        f"BEGIN {bump.format(row='OLD')} "
        f"UPDATE store SET config_version = config_version + 1 "
        f"WHERE id = NEW.store_id AND NEW.store_id <> OLD.store_id; END",
        f"CREATE TRIGGER {table}_config_version_delete AFTER DELETE ON {table} "
        f"BEGIN {bump.format(row='OLD')} END",
    ]


def upgrade() -> None:
    with op.batch_alter_table("store", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("config_version", sa.Integer(), server_default="0", nullable=False)
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in TABLES:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_config_version "
                f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "DEFERRABLE INITIALLY DEFERRED "
                f"FOR EACH ROW EXECUTE PROCEDURE {FUNCTION}()"
            )
        return
    for table in TABLES:
        for statement in _sqlite_triggers(table):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_config_version ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    else:
        for table in TABLES:
            for kind in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_config_version_{kind}")
    with op.batch_alter_table("store", schema=None) as batch_op:
        batch_op.drop_column("config_version")
