"""CSV import of consent collected elsewhere, with a report line per row.

Columns (header row, case-insensitive): phone (required), country, email, first_name,
last_name, locale, marketing, transactional (yes/no/true/false/1/0/evet/hayır), consent_date
(ISO 8601; default now), text_version. A row that fails is reported, never half-applied.

A large file is applied in chunks of CONSENT_IMPORT_CHUNK_ROWS rows (500), each committed with
the store's ConsentImport progress row, so a 12,000-row import never holds one long transaction
and the admin API shows how far it has come (consentImportStatus) while it runs.
"""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlmodel import Session

from plugin import clock
from plugin.consent import service as consent_service
from plugin.consent.models import ConsentAction, ConsentImport, ConsentSource, Purpose
from plugin.contacts.identity import Identity
from plugin.contacts.phones import normalize_phone
from plugin.contacts.service import upsert_contact
from plugin.contacts.suppression import is_suppressed
from plugin.saleor.models import Store
from plugin.settings import get_settings as app_settings
from plugin.stores.service import get_settings

_TRUE = {"1", "true", "yes", "evet", "y", "e"}
_FALSE = {"0", "false", "no", "hayır", "hayir", "n", "h", ""}
MAX_ROWS = 50_000


class OnRevoked(Protocol):
    """What the importing journey does when a row revokes marketing."""

    def __call__(self, session: Session, *, store_id: int, contact_id: int) -> object: ...


@dataclass(frozen=True)
class RowReport:
    line: int
    status: str  # imported / skipped / error
    reason: str | None = None
    contact_id: int | None = None


@dataclass
class ImportReport:
    rows: list[RowReport] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def _flag(value: str | None) -> bool | None:
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return None if not text else False
    raise ValueError("invalid_flag")


def import_status(session: Session, *, store_id: int) -> ConsentImport | None:
    """The store's latest import (running or finished); None before the first."""
    return session.get(ConsentImport, store_id)


def _progress(session: Session, store_id: int, total: int) -> ConsentImport:
    row = session.get(ConsentImport, store_id)
    if row is None:
        row = ConsentImport(store_id=store_id)
    now = clock.now()
    row.status, row.total_rows, row.processed_rows = "running", total, 0
    row.imported = row.skipped = row.failed = 0
    row.started_at, row.updated_at, row.finished_at = now, now, None
    session.add(row)
    return row


def _checkpoint(
    session: Session, progress: ConsentImport, report: ImportReport, status: str = "running"
) -> None:
    """Record how far the import came and commit the chunk with it."""
    progress.processed_rows = len(report.rows)
    progress.imported = report.count("imported")
    progress.skipped = report.count("skipped")
    progress.failed = report.count("error")
    progress.status = status
    progress.updated_at = clock.now()
    if status != "running":
        progress.finished_at = progress.updated_at
    session.add(progress)
    session.commit()


def import_csv(
    *,
    session: Session,
    store: Store,
    csv_text: str,
    staff_user_id: str,
    text: str | None = None,
    on_marketing_revoked: OnRevoked,
    text_version: str | None = None,
    chunk_rows: int | None = None,
) -> ImportReport:
    """Grant (or revoke) consent per row with the importing staff user as evidence. Marketing
    imported this way is granted: the merchant vouches for consent collected offline. A row
    that revokes marketing calls `on_marketing_revoked` in the row's transaction (the journey
    passes delivery's suppression of queued marketing; consent touches no outbox).

    Commits every `chunk_rows` rows (default CONSENT_IMPORT_CHUNK_ROWS) and at the end: rows
    already reported stay applied even if a later chunk fails."""
    chunk_rows = chunk_rows or app_settings().consent_import_chunk_rows
    assert store.id is not None
    store_id = store.id
    region = get_settings(session, store_id).default_region
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(csv_text))
    reader.fieldnames = [(n or "").strip().lower() for n in reader.fieldnames or []]
    if "phone" not in reader.fieldnames:
        return ImportReport([RowReport(line=1, status="error", reason="missing_phone_column")])
    rows = list(itertools.islice(reader, MAX_ROWS + 1))
    progress = _progress(session, store_id, min(len(rows), MAX_ROWS))
    session.commit()
    try:
        for index, row in enumerate(rows, start=2):
            if index - 1 > MAX_ROWS:
                report.rows.append(RowReport(line=index, status="error", reason="too_many_rows"))
                break
            report.rows.append(
                _import_row(
                    session,
                    store=store,
                    row=row,
                    index=index,
                    region=region,
                    staff_user_id=staff_user_id,
                    text=text,
                    text_version=text_version,
                    on_marketing_revoked=on_marketing_revoked,
                )
            )
            if len(report.rows) % chunk_rows == 0:
                _checkpoint(session, progress, report)
    except Exception:
        session.rollback()
        progress = session.get(ConsentImport, store_id) or progress
        report.rows = report.rows[: progress.processed_rows]
        _checkpoint(session, progress, report, status="failed")
        raise
    _checkpoint(session, progress, report, status="done")
    return report


def _import_row(
    session: Session,
    *,
    store: Store,
    row: dict[str, str | None],
    index: int,
    region: str,
    staff_user_id: str,
    text: str | None,
    text_version: str | None,
    on_marketing_revoked: OnRevoked,
) -> RowReport:
    """One line: reported as imported, skipped or error, and never half-applied."""
    assert store.id is not None
    try:
        marketing, transactional = _flag(row.get("marketing")), _flag(row.get("transactional"))
        raw_date = (row.get("consent_date") or "").strip()
        occurred = datetime.fromisoformat(raw_date) if raw_date else None
        if occurred is not None and occurred.tzinfo is None:
            occurred = occurred.replace(tzinfo=UTC)
    except ValueError as exc:
        return RowReport(line=index, status="error", reason=str(exc)[:60])
    phone = normalize_phone(row.get("phone"), region=(row.get("country") or region))
    if phone.e164 is None:
        return RowReport(line=index, status="error", reason=phone.reason)
    if is_suppressed(session, store_id=store.id, phone_e164=phone.e164):
        return RowReport(line=index, status="skipped", reason="suppressed")
    if marketing is None and transactional is None:
        return RowReport(line=index, status="skipped", reason="no_consent_column")
    contact = upsert_contact(
        session=session,
        store=store,
        identity=Identity(
            phones=(phone.e164,),
            country=(row.get("country") or "").strip() or None,
            email=(row.get("email") or "").strip() or None,
            first_name=(row.get("first_name") or "").strip() or None,
            last_name=(row.get("last_name") or "").strip() or None,
            language_code=(row.get("locale") or "").strip() or None,
        ),
    )
    assert contact is not None and contact.id is not None
    for purpose, flag in (
        (Purpose.TRANSACTIONAL, transactional),
        (Purpose.MARKETING, marketing),
    ):
        if flag is None:
            continue
        if not flag and purpose == Purpose.MARKETING:
            on_marketing_revoked(session, store_id=store.id, contact_id=contact.id)
        consent_service.record(
            session,
            contact=contact,
            purpose=purpose,
            action=ConsentAction.GRANTED if flag else ConsentAction.REVOKED,
            source=ConsentSource.CSV_IMPORT,
            evidence={"staff_user_id": staff_user_id, "line": index, "consent_date": raw_date},
            text=text,
            text_version=(row.get("text_version") or "").strip() or text_version,
            occurred_at=occurred,
        )
    return RowReport(line=index, status="imported", contact_id=contact.id)
