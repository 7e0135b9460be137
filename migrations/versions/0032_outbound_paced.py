"""outbound_message: a partial index on (store_id, due_at) for marketing waiting its turn at its
number's rate (status `scheduled`, reason `paced`; plugin/delivery/policy/pacing.py). A claim
that puts rows off reads the store's last such row, so the rows it defers fall due after it;
the rest of a campaign's rows are not in the index and cost its writes nothing.

Revision ID: 0032_outbound_paced
Revises: 0031_outbound_queued_since
Create Date: 2026-12-07 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032_outbound_paced"
down_revision: str | Sequence[str] | None = "0031_outbound_queued_since"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PACED = sa.text("status = 'scheduled' AND status_reason = 'paced'")


def upgrade() -> None:
    op.create_index(
        "ix_outbound_paced",
        "outbound_message",
        ["store_id", "due_at"],
        postgresql_where=PACED,
        sqlite_where=PACED,
    )


def downgrade() -> None:
    op.drop_index("ix_outbound_paced", table_name="outbound_message")
