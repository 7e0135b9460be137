"""store_settings: a dated exchange rate from Meta's billing currency to the store's currency,
set by the merchant (the admin converts a cost only with it, plugin/pricing/exchange.py);
whatsapp_account: when the Marketing Messages API onboarding status was last read from the
Graph API, and the volume pricing tiers Meta reported (account_update
VOLUME_BASED_PRICING_TIER_UPDATE, plugin/whatsapp/volume_tiers.py)

Revision ID: 0025_cost_display
Revises: 0024_mm_api_status
Create Date: 2026-12-06 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import plugin.db

revision: str = "0025_cost_display"
down_revision: str | Sequence[str] | None = "0024_mm_api_status"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("store_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("exchange_rate", sa.Numeric(precision=18, scale=6), nullable=True)
        )
        batch_op.add_column(sa.Column("exchange_rate_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "exchange_rate_base", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "exchange_rate_quote", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True
            )
        )
    with op.batch_alter_table("whatsapp_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mm_api_status_read_at", plugin.db.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("volume_tiers", plugin.db.JSONType, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("whatsapp_account", schema=None) as batch_op:
        batch_op.drop_column("volume_tiers")
        batch_op.drop_column("mm_api_status_read_at")
    with op.batch_alter_table("store_settings", schema=None) as batch_op:
        batch_op.drop_column("exchange_rate_quote")
        batch_op.drop_column("exchange_rate_base")
        batch_op.drop_column("exchange_rate_date")
        batch_op.drop_column("exchange_rate")
