"""plan_usage: the plan's monthly marketing quota, one counter owned by the stores domain (moved
from delivery_counter's "marketing_month" rows); outbound_message.quota_period: the plan month a
marketing send took its unit from, until it is given back; ix_outbound_quota_held: marketing
held for the quota, released by the tick

Revision ID: 0022_plan_usage
Revises: 0020_sending_alerts
Create Date: 2026-12-05 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0022_plan_usage"
down_revision: str | Sequence[str] | None = "0021_messaging_window"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HELD = "status_reason = 'quota_exceeded'"
HELD_PG = "(status_reason)::text = 'quota_exceeded'::text"  # as PostgreSQL writes it back


def upgrade() -> None:
    op.create_table(
        "plan_usage",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("warned_at_percent", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"]),
        sa.PrimaryKeyConstraint("store_id", "period"),
    )
    op.execute(
        "INSERT INTO plan_usage (store_id, period, used, warned_at_percent) "
        "SELECT store_id, period, value, warned_at_percent FROM delivery_counter "
        "WHERE name = 'marketing_month'"
    )
    op.execute("DELETE FROM delivery_counter WHERE name = 'marketing_month'")
    op.add_column(
        "outbound_message",
        sa.Column("quota_period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True),
    )
    op.create_index(
        "ix_outbound_quota_held",
        "outbound_message",
        ["store_id", "due_at"],
        postgresql_where=sa.text(HELD_PG),
        sqlite_where=sa.text(HELD),
    )


def downgrade() -> None:
    op.drop_index("ix_outbound_quota_held", table_name="outbound_message")
    with op.batch_alter_table("outbound_message") as batch_op:
        batch_op.drop_column("quota_period")
    op.execute(
        "INSERT INTO delivery_counter (store_id, name, period, value, warned_at_percent) "
        "SELECT store_id, 'marketing_month', period, used, warned_at_percent FROM plan_usage"
    )
    op.drop_table("plan_usage")
