"""Consent: record and revoke by hand, CSV import, export and erasure (KVKK / GDPR), the
initial contact sync's progress and the storefront key."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import anyio
import strawberry
from strawberry.scalars import JSON

from plugin.admin_api.context import Info
from plugin.admin_api.domains.contacts import NO_CONTACT, ConsentEvent, ConsentPurpose, Contact
from plugin.admin_api.errors import AdminError, admin_errors, int_id, not_found
from plugin.admin_api.permissions import Allowed
from plugin.consent import importer
from plugin.consent import service as consent_service
from plugin.consent.models import Purpose
from plugin.contacts import sync
from plugin.contacts.models import Contact as ContactRow
from plugin.errors import FieldError
from plugin.events import consent as consent_journey
from plugin.events import privacy


@strawberry.enum(description="What a merchant can record by hand.")
class ConsentDecision(Enum):
    GRANTED = "granted"
    REVOKED = "revoked"


@strawberry.type
class RecordConsentPayload:
    event: ConsentEvent | None = None
    contact: Contact | None = None
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type(description="What became of one CSV line.")
class ConsentImportRow:
    line: int
    status: str = strawberry.field(description="imported, skipped or error.")
    reason: str | None
    contact_id: strawberry.ID | None


@strawberry.type
class ImportConsentCsvPayload:
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    rows: list[ConsentImportRow] = strawberry.field(default_factory=list)
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type
class ExportContactPayload:
    export: JSON | None = strawberry.field(
        default=None, description="Everything held about the contact (a data-subject request)."
    )
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type
class EraseContactPayload:
    contact: Contact | None = None
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type(description="The initial import of customers and orders from Saleor.")
class ContactSyncStatus:
    status: str
    phase: str
    pages: int
    customers_seen: int
    orders_seen: int
    contacts_total: int
    error: str | None
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None


@strawberry.type(
    description="The latest CSV import: committed chunk by chunk, readable while it runs."
)
class ConsentImportStatus:
    status: str = strawberry.field(description="running, done or failed.")
    total_rows: int
    processed_rows: int
    imported: int
    skipped: int
    failed: int
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None


@strawberry.type
class StorefrontKeyPayload:
    key: str | None = strawberry.field(
        default=None, description="Public key for POST /api/storefront/opt-in (created once)."
    )
    errors: list[AdminError] = strawberry.field(default_factory=list)


def _staff(info: Info) -> str:
    return str(info.context.claims.get("user_id") or "unknown")


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[Allowed], description="Null before the first import.")
    def consent_import_status(self, info: Info) -> ConsentImportStatus | None:
        ctx = info.context
        row = importer.import_status(ctx.session, store_id=ctx.store_id)
        if row is None:
            return None
        return ConsentImportStatus(
            status=row.status,
            total_rows=row.total_rows,
            processed_rows=row.processed_rows,
            imported=row.imported,
            skipped=row.skipped,
            failed=row.failed,
            started_at=row.started_at,
            updated_at=row.updated_at,
            finished_at=row.finished_at,
        )

    @strawberry.field(permission_classes=[Allowed], description="Null before the first sync.")
    def contact_sync_status(self, info: Info) -> ContactSyncStatus | None:
        ctx = info.context
        row = sync.status(ctx.session, store_id=ctx.store_id)
        if row is None:
            return None
        return ContactSyncStatus(
            status=str(row.status),
            phase=str(row.phase),
            pages=row.pages,
            customers_seen=row.customers_seen,
            orders_seen=row.orders_seen,
            contacts_total=row.contacts_total,
            error=row.error,
            started_at=row.started_at,
            updated_at=row.updated_at,
            finished_at=row.finished_at,
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[Allowed],
        description="Consent collected elsewhere (or its revocation), with the staff user as "
        "evidence.",
    )
    def record_consent(
        self,
        info: Info,
        contact_id: strawberry.ID,
        purpose: ConsentPurpose,
        action: ConsentDecision,
        note: str | None = None,
    ) -> RecordConsentPayload:
        ctx = info.context
        contact = ctx.get_owned(ContactRow, int_id(contact_id))
        if contact is None or contact.id is None or contact.erased_at is not None:
            return RecordConsentPayload(errors=not_found("contactId", *NO_CONTACT))
        event = consent_journey.record_by_admin(
            session=ctx.session,
            store_id=ctx.store_id,
            contact_id=contact.id,
            purpose=Purpose(purpose.value),
            granted=action is ConsentDecision.GRANTED,
            staff_user_id=_staff(info),
            staff_email=ctx.claims.get("email"),
            note=(note or "").strip()[:500] or None,
        )
        return RecordConsentPayload(
            event=ConsentEvent.from_row(event), contact=Contact.from_row(contact)
        )

    @strawberry.mutation(
        permission_classes=[Allowed],
        description="Columns: phone (required), country, email, first_name, last_name, locale, "
        "marketing, transactional, consent_date, text_version. One report row per line.",
    )
    async def import_consent_csv(self, info: Info, csv: str) -> ImportConsentCsvPayload:
        ctx = info.context
        staff = _staff(info)
        # off the event loop: a long file must not stall other requests (its progress too)
        report = await anyio.to_thread.run_sync(
            lambda: consent_journey.import_csv(
                session=ctx.session, store=ctx.store, csv_text=csv, staff_user_id=staff
            )
        )
        return ImportConsentCsvPayload(
            imported=report.count("imported"),
            skipped=report.count("skipped"),
            failed=report.count("error"),
            rows=[
                ConsentImportRow(
                    line=r.line,
                    status=r.status,
                    reason=r.reason,
                    contact_id=strawberry.ID(str(r.contact_id)) if r.contact_id else None,
                )
                for r in report.rows
            ],
        )

    @strawberry.mutation(permission_classes=[Allowed])
    def export_contact(self, info: Info, id: strawberry.ID) -> ExportContactPayload:
        ctx = info.context
        contact = ctx.get_owned(ContactRow, int_id(id))
        if contact is None or contact.id is None:
            return ExportContactPayload(errors=not_found("id", *NO_CONTACT))
        data = privacy.export_contact(ctx.session, store_id=ctx.store_id, contact_id=contact.id)
        return ExportContactPayload(export=JSON(data))

    @strawberry.mutation(
        permission_classes=[Allowed],
        description="Deletes the person's data for good and suppresses the number; refused "
        "(CONFIRMATION_REQUIRED) unless `confirm` is true.",
    )
    def erase_contact(self, info: Info, id: strawberry.ID, confirm: bool) -> EraseContactPayload:
        ctx = info.context
        contact = ctx.get_owned(ContactRow, int_id(id))
        if contact is None or contact.id is None:
            return EraseContactPayload(errors=not_found("id", *NO_CONTACT))
        if not confirm:
            return EraseContactPayload(
                errors=admin_errors(
                    [
                        FieldError(
                            "confirm",
                            "CONFIRMATION_REQUIRED",
                            "Erasing cannot be undone: confirm to go ahead.",
                            "Silme geri alınamaz: devam etmek için onaylayın.",
                        )
                    ]
                )
            )
        privacy.erase_contact(ctx.session, store_id=ctx.store_id, contact_id=contact.id)
        return EraseContactPayload(contact=Contact.from_row(contact))

    @strawberry.mutation(
        permission_classes=[Allowed],
        description="The store's public storefront key, created on first call (then the same).",
    )
    def storefront_key(self, info: Info) -> StorefrontKeyPayload:
        ctx = info.context
        return StorefrontKeyPayload(
            key=consent_service.storefront_key(ctx.session, store_id=ctx.store_id)
        )
