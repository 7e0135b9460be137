"""whatsapp_account: the currency Meta bills the WABA in (the Graph API's WhatsApp Business
Account `currency`), and when it was last read (plugin/whatsapp/waba_info.py)

Revision ID: 0026_billing_currency
Revises: 0025_cost_display
Create Date: 2026-12-06 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import plugin.db

revision: str = "0026_billing_currency"
down_revision: str | Sequence[str] | None = "0025_cost_display"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("whatsapp_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("billing_currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True)
        )
        batch_op.add_column(
            sa.Column("billing_currency_read_at", plugin.db.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("whatsapp_account", schema=None) as batch_op:
        batch_op.drop_column("billing_currency_read_at")
        batch_op.drop_column("billing_currency")
