"""flow_alert + flow_alert_cursor: alerts of switched-on flows that skip or fail messages;
ix_outbound_flow_updated: the flow rows the send path failed or suppressed, by when

Revision ID: 0015_flow_alerts
Revises: 0014_inbox_dedupe_event
Create Date: 2026-12-04 19:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import plugin.db

revision: str = "0015_flow_alerts"
down_revision: str | Sequence[str] | None = "0014_inbox_dedupe_event"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROBLEM = sa.text("flow_key IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "flow_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("flow_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("template_name", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
        sa.Column("order_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("checkout_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("first_seen_at", plugin.db.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", plugin.db.UTCDateTime(), nullable=False),
        sa.Column("cleared_at", plugin.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("store_id", "flow_key", "reason", name="uq_flow_alert"),
    )
    op.create_table(
        "flow_alert_cursor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("outbox_since", plugin.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_outbound_flow_updated",
        "outbound_message",
        ["updated_at"],
        postgresql_where=PROBLEM,
        sqlite_where=PROBLEM,
    )


def downgrade() -> None:
    op.drop_index("ix_outbound_flow_updated", table_name="outbound_message")
    op.drop_table("flow_alert_cursor")
    op.drop_table("flow_alert")
