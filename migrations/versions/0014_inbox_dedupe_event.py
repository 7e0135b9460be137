"""inbox_event dedupe key: the store, the source, the event and the body digest

Two events with identical bodies (e.g. one payload sent for ORDER_CREATED and ORDER_UPDATED)
collapsed into one row when the key was the body alone (issue 19, point 11).

Revision ID: 0014_inbox_dedupe_event
Revises: 0013_inbox_enqueued_at
Create Date: 2026-12-04 19:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_inbox_dedupe_event"
down_revision: str | Sequence[str] | None = "0013_inbox_enqueued_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_event", schema=None) as batch_op:
        batch_op.drop_constraint("uq_inbox_dedupe", type_="unique")
        batch_op.create_unique_constraint(
            "uq_inbox_dedupe", ["store_id", "source", "event", "dedupe_key"]
        )


def downgrade() -> None:
    # rows that differ only by event would break the narrower key: keep the first of each
    op.execute(
        "DELETE FROM inbox_event WHERE id NOT IN (SELECT MIN(id) FROM inbox_event "
        "GROUP BY store_id, source, dedupe_key)"
    )
    with op.batch_alter_table("inbox_event", schema=None) as batch_op:
        batch_op.drop_constraint("uq_inbox_dedupe", type_="unique")
        batch_op.create_unique_constraint("uq_inbox_dedupe", ["store_id", "source", "dedupe_key"])
