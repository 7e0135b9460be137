"""iys_batch + iys_batch_item: İYS exports as batches, downloadable again by id; their consent
facts are marked registered (consent_event.iys_exported_at) only when the upload is confirmed

Revision ID: 0019_iys_batches
Revises: 0018_consent_read_model
Create Date: 2026-12-04 20:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import plugin.db

revision: str = "0019_iys_batches"
down_revision: str | Sequence[str] | None = "0018_consent_read_model"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "iys_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("created_at", plugin.db.UTCDateTime(), nullable=False),
        sa.Column("closed_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("closed_at", plugin.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_iys_batch_store_id", "iys_batch", ["store_id"], unique=False)
    op.create_table(
        "iys_batch_item",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["iys_batch.id"]),
        sa.ForeignKeyConstraint(["event_id"], ["consent_event.id"]),
        sa.PrimaryKeyConstraint("batch_id", "event_id"),
    )
    op.create_index("ix_iys_batch_item_event", "iys_batch_item", ["event_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_iys_batch_item_event", table_name="iys_batch_item")
    op.drop_table("iys_batch_item")
    op.drop_index("ix_iys_batch_store_id", table_name="iys_batch")
    op.drop_table("iys_batch")
