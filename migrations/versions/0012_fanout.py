"""fan-out: an outbox and a campaign snapshot that a million rows a minute can be written to

Outbox (`outbound_message`): no foreign keys (each cost a lookup and a lock on the referenced
row per row written, half the fan-out's time; docs/adr/0004-outbox-without-foreign-keys.md);
no index on `store_id` alone (the idempotency key and `ix_outbound_store_created` lead with
it); the checkout index and the wamid unique index only over rows that have one. Snapshot
(`campaign_recipient`): no foreign key to `campaign`. Contacts: `ix_contact_store_id` becomes
(store_id, id), the order the campaign loop walks a store's contacts in.

Revision ID: 0012_fanout
Revises: 0011_flows
Create Date: 2026-11-25 01:46:48.881852
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_fanout"
down_revision: str | Sequence[str] | None = "0011_flows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTBOX_REFERENCES = {
    "store_id": "store",
    "contact_id": "contact",
    "account_id": "whatsapp_account",
    "template_id": "message_template",
}
# SQLite keeps the unnamed constraints of 0002/0009 without names: these conventions name
# them so batch mode can drop them (PostgreSQL named them <table>_<column>_fkey / _key).
SQLITE_NAMES = {
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "uq": "%(table_name)s_%(column_0_name)s_key",
}


def _only_when_set(column: str) -> dict[str, sa.TextClause]:
    condition = sa.text(f"{column} IS NOT NULL")
    return {"postgresql_where": condition, "sqlite_where": condition}


def upgrade() -> None:
    with op.batch_alter_table("campaign_recipient", naming_convention=SQLITE_NAMES) as batch_op:
        batch_op.drop_constraint("campaign_recipient_campaign_id_fkey", type_="foreignkey")

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_store_id")
        batch_op.create_index("ix_contact_store_id", ["store_id", "id"], unique=False)

    with op.batch_alter_table("outbound_message", naming_convention=SQLITE_NAMES) as batch_op:
        for column in OUTBOX_REFERENCES:
            batch_op.drop_constraint(f"outbound_message_{column}_fkey", type_="foreignkey")
        batch_op.drop_constraint("outbound_message_wamid_key", type_="unique")
        batch_op.drop_index("ix_outbound_message_checkout_id")
        batch_op.drop_index("ix_outbound_message_store_id")
        batch_op.create_index(
            "ix_outbound_checkout", ["checkout_id"], **_only_when_set("checkout_id")
        )
        batch_op.create_index(
            "uq_outbound_wamid", ["wamid"], unique=True, **_only_when_set("wamid")
        )


def downgrade() -> None:
    with op.batch_alter_table("outbound_message", naming_convention=SQLITE_NAMES) as batch_op:
        batch_op.drop_index("uq_outbound_wamid", **_only_when_set("wamid"))
        batch_op.drop_index("ix_outbound_checkout", **_only_when_set("checkout_id"))
        batch_op.create_index("ix_outbound_message_store_id", ["store_id"], unique=False)
        batch_op.create_index("ix_outbound_message_checkout_id", ["checkout_id"], unique=False)
        batch_op.create_unique_constraint("outbound_message_wamid_key", ["wamid"])
        for column, table in OUTBOX_REFERENCES.items():
            batch_op.create_foreign_key(f"outbound_message_{column}_fkey", table, [column], ["id"])

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_store_id")
        batch_op.create_index("ix_contact_store_id", ["store_id"], unique=False)

    with op.batch_alter_table("campaign_recipient", naming_convention=SQLITE_NAMES) as batch_op:
        batch_op.create_foreign_key(
            "campaign_recipient_campaign_id_fkey", "campaign", ["campaign_id"], ["id"]
        )
