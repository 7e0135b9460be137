"""consent_event: index the read model's probe (store, contact, purpose, occurred_at)

The effective consent is the latest fact by occurred_at (docs/adr/0005-consent-read-model.md),
so the index that served "latest by id" is replaced by one that serves "latest by instant".

Revision ID: 0018_consent_read_model
Revises: 0017_optin_import_keys
Create Date: 2026-12-04 19:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018_consent_read_model"
down_revision: str | Sequence[str] | None = "0017_optin_import_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consent_event", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_contact_purpose")
        batch_op.create_index(
            "ix_consent_latest",
            ["store_id", "contact_id", "purpose", "occurred_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("consent_event", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_latest")
        batch_op.create_index(
            "ix_consent_contact_purpose", ["contact_id", "purpose", "id"], unique=False
        )
