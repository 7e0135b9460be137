"""contact: business-scoped user ids up to 160 characters (indexed per store), the time a
contact hit Meta's per-user marketing limit (131049); whatsapp_account: Marketing Messages API
options (message activity sharing, product policy)

Revision ID: 0016_bsuid
Revises: 0015_flow_alerts
Create Date: 2026-12-04 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import plugin.db

revision: str = "0016_bsuid"
down_revision: str | Sequence[str] | None = "0015_flow_alerts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.alter_column(
            "bsuid",
            existing_type=sa.String(length=128),
            type_=sa.String(length=160),
            existing_nullable=True,
        )
        batch_op.add_column(
            sa.Column("marketing_limited_at", plugin.db.UTCDateTime(), nullable=True)
        )
        batch_op.create_index("ix_contact_store_bsuid", ["store_id", "bsuid"], unique=False)
    with op.batch_alter_table("whatsapp_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "message_activity_sharing", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
        batch_op.add_column(
            sa.Column(
                "marketing_product_policy",
                sa.String(length=20),
                nullable=False,
                server_default="CLOUD_API_FALLBACK",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("whatsapp_account", schema=None) as batch_op:
        batch_op.drop_column("marketing_product_policy")
        batch_op.drop_column("message_activity_sharing")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_store_bsuid")
        batch_op.drop_column("marketing_limited_at")
        batch_op.alter_column(
            "bsuid",
            existing_type=sa.String(length=160),
            type_=sa.String(length=128),
            existing_nullable=True,
        )
