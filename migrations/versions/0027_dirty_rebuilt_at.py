"""analytics_rollup_state: when the store's dirty past days were last rebuilt, so a stream of
late statuses on an earlier day costs one rebuild a minute, not one a tick
(plugin/analytics/rollups.py, DIRTY_EVERY)

Revision ID: 0027_dirty_rebuilt_at
Revises: 0026_billing_currency
Create Date: 2026-12-06 08:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import plugin.db

revision: str = "0027_dirty_rebuilt_at"
down_revision: str | Sequence[str] | None = "0026_billing_currency"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("analytics_rollup_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dirty_rebuilt_at", plugin.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("analytics_rollup_state", schema=None) as batch_op:
        batch_op.drop_column("dirty_rebuilt_at")
