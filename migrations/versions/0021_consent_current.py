"""consent_current: the read model's result kept per (store, contact, purpose), backfilled from
the ledger with the read model's own SQL (docs/adr/0005-consent-read-model.md)

Revision ID: 0021_consent_current
Revises: 0020_sending_alerts
Create Date: 2026-12-04 22:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import plugin.db

revision: str = "0021_consent_current"
down_revision: str | Sequence[str] | None = "0020_sending_alerts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consent_current",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", plugin.db.UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"]),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"]),
        sa.PrimaryKeyConstraint("store_id", "contact_id", "purpose"),
    )
    op.create_index(
        "ix_consent_current_action",
        "consent_current",
        ["store_id", "purpose", "action", "occurred_at"],
        unique=False,
    )
    # set-based, with the rule's one SQL (a cache of it, never a second rule)
    from plugin.consent.current import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_consent_current_action", table_name="consent_current")
    op.drop_table("consent_current")
