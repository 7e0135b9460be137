"""consent_event: the read model's probe in the rule's whole order, index-only on PostgreSQL

ix_consent_latest (store_id, contact_id, purpose, occurred_at) left the tie-break (precedence,
then id) to a sort in every probe and read the action and source from the table. Its
replacement orders by the whole rule, so the deciding fact is the first entry read backwards,
and includes action and source, so PostgreSQL answers from the index alone. Same prefix, so
every query that used the old index uses this one; writes keep one index, not two.

Revision ID: 0023_consent_deciding_index
Revises: 0020_sending_alerts
Create Date: 2026-12-05 02:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_consent_deciding_index"
down_revision: str | Sequence[str] | None = "0022_plan_usage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# plugin/consent/state.py's PRECEDENCE as of this revision, written out as the index holds it
PRECEDENCE = (
    "CASE action WHEN 'revoked' THEN 5 WHEN 'declined' THEN 4 WHEN 'lapsed' THEN 3 "
    "WHEN 'requested' THEN 2 WHEN 'granted' THEN 1 ELSE 0 END"
)


def upgrade() -> None:
    op.drop_index("ix_consent_latest", table_name="consent_event")
    op.create_index(
        "ix_consent_deciding",
        "consent_event",
        ["store_id", "contact_id", "purpose", "occurred_at", sa.text(f"({PRECEDENCE})"), "id"],
        unique=False,
        postgresql_include=["action", "source"],
    )


def downgrade() -> None:
    op.drop_index("ix_consent_deciding", table_name="consent_event")
    op.create_index(
        "ix_consent_latest",
        "consent_event",
        ["store_id", "contact_id", "purpose", "occurred_at"],
        unique=False,
    )
