"""inbox_event: a partial index on (store_id, source, id) of the pending rows, for the unit of
work that takes its lane's (a store's deliveries from one source) earliest pending rows in
recorded order (plugin/inbox/take.py)

Revision ID: 0029_inbox_lane_pending
Revises: 0028_store_config_version
Create Date: 2026-12-06 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029_inbox_lane_pending"
down_revision: str | Sequence[str] | None = "0028_store_config_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_inbox_lane_pending",
        "inbox_event",
        ["store_id", "source", "id"],
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_lane_pending", table_name="inbox_event")
