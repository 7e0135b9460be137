"""inbox_event.enqueued_at: when the orphan sweep last re-enqueued a pending row

Revision ID: 0013_inbox_enqueued_at
Revises: 0012_fanout
Create Date: 2026-11-25 01:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import plugin.db

revision: str = "0013_inbox_enqueued_at"
down_revision: str | Sequence[str] | None = "0012_fanout"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enqueued_at", plugin.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbox_event", schema=None) as batch_op:
        batch_op.drop_column("enqueued_at")
