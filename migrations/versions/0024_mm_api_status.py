"""whatsapp_account: the WABA's Marketing Messages API onboarding status as last read from the
Graph API, and when the number's marketing road was last set (a read, a webhook, a 131063), so
an older read never undoes a newer word (plugin/whatsapp/mm_status.py)

Revision ID: 0024_mm_api_status
Revises: 0023_consent_deciding_index
Create Date: 2026-12-06 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import plugin.db

revision: str = "0024_mm_api_status"
down_revision: str | Sequence[str] | None = "0023_consent_deciding_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("whatsapp_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("marketing_endpoint_at", plugin.db.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("mm_api_status", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("whatsapp_account", schema=None) as batch_op:
        batch_op.drop_column("mm_api_status")
        batch_op.drop_column("marketing_endpoint_at")
