"""Meta's messaging limit as a moving 24 h window: when a number's limits were read from the
Graph API, the share of the tier kept for order updates, the outbox's business-initiated
mark and its index for the window's count; the per-UTC-day recipient table goes (the outbox is
the count now)

Revision ID: 0021_messaging_window
Revises: 0020_sending_alerts
Create Date: 2026-12-05 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import plugin.db

revision: str = "0021_messaging_window"
down_revision: str | Sequence[str] | None = "0020_sending_alerts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PG = sa.text("business_initiated")
_LITE = sa.text("business_initiated = 1")


def upgrade() -> None:
    with op.batch_alter_table("whatsapp_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("limits_read_at", plugin.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("limits_checked_at", plugin.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table("store_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tier_reserve_percent", sa.Integer(), server_default="10", nullable=False)
        )
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("business_initiated", sa.Boolean(), nullable=True))
        batch_op.create_index(
            "ix_outbound_store_sent",
            ["store_id", "sent_at"],
            unique=False,
            postgresql_where=_PG,
            sqlite_where=_LITE,
        )
    op.drop_table("delivery_recipient_day")


def downgrade() -> None:
    op.create_table(
        "delivery_recipient_day",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("day", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"]),
        sa.PrimaryKeyConstraint("store_id", "day", "contact_id"),
    )
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbound_store_sent", postgresql_where=_PG, sqlite_where=_LITE)
        batch_op.drop_column("business_initiated")
    with op.batch_alter_table("store_settings", schema=None) as batch_op:
        batch_op.drop_column("tier_reserve_percent")
    with op.batch_alter_table("whatsapp_account", schema=None) as batch_op:
        batch_op.drop_column("limits_checked_at")
        batch_op.drop_column("limits_read_at")
