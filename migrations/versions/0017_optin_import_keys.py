"""Limits and keys: store_settings.optin_daily_limit, consent_import progress, app_secret

Revision ID: 0017_optin_import_keys
Revises: 0016_bsuid
Create Date: 2026-12-04 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import plugin.db

revision: str = "0017_optin_import_keys"
down_revision: str | Sequence[str] | None = "0016_bsuid"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("store_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("optin_daily_limit", sa.Integer(), server_default="500", nullable=False)
        )
    op.create_table(
        "consent_import",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("started_at", plugin.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", plugin.db.UTCDateTime(), nullable=False),
        sa.Column("finished_at", plugin.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"]),
        sa.PrimaryKeyConstraint("store_id"),
    )
    op.create_table(
        "app_secret",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", plugin.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("app_secret")
    op.drop_table("consent_import")
    with op.batch_alter_table("store_settings", schema=None) as batch_op:
        batch_op.drop_column("optin_daily_limit")
