"""outbound_message: a partial index on order_id (rows with an order: the order updates), for
the outbox keys a batch of Saleor events reads for its checkouts and orders
(plugin/delivery/outbox_memo.py). Without it that read's OR could only scan the whole outbox:
8,400 buffers for each unit of work in the soak, while a 100,000-message campaign was running.

Revision ID: 0030_outbound_order
Revises: 0029_inbox_lane_pending
Create Date: 2026-12-07 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030_outbound_order"
down_revision: str | Sequence[str] | None = "0029_inbox_lane_pending"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WITH_ORDER = sa.text("order_id IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_outbound_order",
        "outbound_message",
        ["order_id"],
        postgresql_where=WITH_ORDER,
        sqlite_where=WITH_ORDER,
    )


def downgrade() -> None:
    op.drop_index("ix_outbound_order", table_name="outbound_message")
