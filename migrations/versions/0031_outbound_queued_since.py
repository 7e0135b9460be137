"""outbound_message: a partial index on updated_at for queued rows, for the tick's search for
rows whose queue message was lost (plugin/delivery/tick.py, `orphans_query`). Through
ix_outbound_status_due it read every queued row on every tick: 68 ms a tick in the soak, while
a campaign's 100,000 rows waited their turn. It now reads the rows queued before the cutoff.

Revision ID: 0031_outbound_queued_since
Revises: 0030_outbound_order
Create Date: 2026-12-07 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031_outbound_queued_since"
down_revision: str | Sequence[str] | None = "0030_outbound_order"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUED = sa.text("status = 'queued'")


def upgrade() -> None:
    op.create_index(
        "ix_outbound_queued_since",
        "outbound_message",
        ["updated_at"],
        postgresql_where=QUEUED,
        sqlite_where=QUEUED,
    )


def downgrade() -> None:
    op.drop_index("ix_outbound_queued_since", table_name="outbound_message")
