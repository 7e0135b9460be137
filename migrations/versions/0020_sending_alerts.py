"""sending_alert: quality guardrails' alerts (a flagged or red number, a template paused for
quality, an impending recategorisation), open until the cause is gone

Revision ID: 0020_sending_alerts
Revises: 0019_iys_batches
Create Date: 2026-12-04 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import plugin.db

revision: str = "0020_sending_alerts"
down_revision: str | Sequence[str] | None = "0019_iys_batches"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sending_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("detail", plugin.db.JSONType, nullable=False),
        sa.Column("opened_at", plugin.db.UTCDateTime(), nullable=False),
        sa.Column("cleared_at", plugin.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("store_id", "reason", "subject", name="uq_sending_alert"),
    )
    op.create_index("ix_sending_alert_store_id", "sending_alert", ["store_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_sending_alert_store_id", table_name="sending_alert")
    op.drop_table("sending_alert")
