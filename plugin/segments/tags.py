"""Tags on contacts from four sources: by hand, a CSV, Saleor customer metadata (`ulak.tags`)
and quick-reply answers (payload "TAG:question:answer" -> tag "question:answer").

Manual tags and CSV imports are a Silver feature; tags that arrive on their own (Saleor,
replies) are always recorded, so upgrading finds them already there.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col, select

from plugin import clock
from plugin.contacts.models import Contact
from plugin.db import insert_ignoring_conflicts
from plugin.delivery.models import InboundMessage
from plugin.errors import InvalidPayload
from plugin.saleor.models import Store
from plugin.saleor.payloads import Customer
from plugin.segments.compiler import normalise_tag
from plugin.segments.models import ContactTag
from plugin.stores import service as stores_service
from plugin.stores.plans import Feature, require_feature

SALEOR_TAGS_KEY = "ulak.tags"
BUTTON_TAG_PREFIX = "TAG:"
CSV_MAX_ROWS = 100_000
_E164 = re.compile(r"\+[1-9]\d{6,14}")


class TagSource:
    MANUAL = "manual"
    CSV = "csv"
    SALEOR = "saleor"
    BUTTON = "button"


def record_tags(
    session: Session, *, store_id: int, contact_id: int, tags: Iterable[str], source: str
) -> list[str]:
    """Add tags (normalised, idempotent) without a plan check: for automatic sources."""
    clean = sorted({t for t in (normalise_tag(x) for x in tags) if t})
    if clean:
        now = clock.now()
        stmt = insert_ignoring_conflicts(session, ContactTag).values(
            [
                {
                    "store_id": store_id,
                    "contact_id": contact_id,
                    "tag": t,
                    "source": source,
                    "created_at": now,
                }
                for t in clean
            ]
        )
        session.execute(stmt.on_conflict_do_nothing(index_elements=["contact_id", "tag"]))
    return clean


def _contact(session: Session, *, store_id: int, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.store_id != store_id:
        raise InvalidPayload("contact not found", code="NOT_FOUND", status_code=404)
    return contact


def contact_tags(session: Session, *, store_id: int, contact_id: int) -> list[str]:
    return list(
        session.exec(
            select(ContactTag.tag)
            .where(ContactTag.store_id == store_id, ContactTag.contact_id == contact_id)
            .order_by(ContactTag.tag)
        )
    )


def add_tags(session: Session, *, store_id: int, contact_id: int, tags: list[str]) -> list[str]:
    """A merchant tags a contact by hand (Silver). Returns the normalised tags added."""
    require_feature(stores_service.get_settings(session, store_id), Feature.TAGS)
    _contact(session, store_id=store_id, contact_id=contact_id)
    return record_tags(
        session, store_id=store_id, contact_id=contact_id, tags=tags, source=TagSource.MANUAL
    )


def remove_tag(session: Session, *, store_id: int, contact_id: int, tag: str) -> bool:
    require_feature(stores_service.get_settings(session, store_id), Feature.TAGS)
    # a DELETE's result is a CursorResult (it has rowcount); Session.execute is typed Result
    result = cast(
        "CursorResult[Any]",
        session.execute(
            sa.delete(ContactTag).where(
                col(ContactTag.store_id) == store_id,
                col(ContactTag.contact_id) == contact_id,
                col(ContactTag.tag) == normalise_tag(tag),
            )
        ),
    )
    return bool(result.rowcount)


@dataclass
class CsvRowResult:
    row: int  # 1-based, the header is row 1
    status: str  # tagged / not_found / invalid
    message_en: str = ""
    message_tr: str = ""
    tags: list[str] = field(default_factory=list)


@dataclass
class CsvImportReport:
    tagged: int = 0
    failed: int = 0
    rows: list[CsvRowResult] = field(default_factory=list)


def split_tags(raw: str) -> list[str]:
    return [t for t in (normalise_tag(x) for x in re.split(r"[,;|]", raw)) if t]


def import_tags_csv(session: Session, *, store_id: int, data: str) -> CsvImportReport:
    """Tag contacts from a CSV with a header: `phone` (E.164) or `email`, and `tags`
    (comma-separated). Every row gets a result; a bad row never stops the others (Silver)."""
    require_feature(stores_service.get_settings(session, store_id), Feature.CSV_IMPORT)
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
    header = {h.strip().lower() for h in (reader.fieldnames or [])}
    if "tags" not in header or not header & {"phone", "email"}:
        raise InvalidPayload(
            'The CSV needs a "tags" column and a "phone" or "email" column.',
            code="INVALID_CSV",
        )
    report = CsvImportReport()
    for index, raw in enumerate(reader, start=2):
        if index - 1 > CSV_MAX_ROWS:
            raise InvalidPayload(f"at most {CSV_MAX_ROWS} rows per file", code="INVALID_CSV")
        row = {
            (k or "").strip().lower(): (v or "").strip()
            for k, v in raw.items()
            if isinstance(v, str)
        }
        result = _import_row(session, store_id=store_id, index=index, row=row)
        report.rows.append(result)
        if result.status == "tagged":
            report.tagged += 1
        else:
            report.failed += 1
    return report


def _import_row(
    session: Session, *, store_id: int, index: int, row: dict[str, str]
) -> CsvRowResult:
    tags = split_tags(row.get("tags", ""))
    if not tags:
        return CsvRowResult(index, "invalid", "No tags in this row.", "Bu satırda etiket yok.")
    phone = re.sub(r"[\s()-]", "", row.get("phone", ""))
    email = row.get("email", "").lower()
    query = select(Contact).where(Contact.store_id == store_id)
    if phone:
        if not _E164.fullmatch(phone):
            return CsvRowResult(
                index,
                "invalid",
                "The phone is not in international format (e.g. +905551112233).",
                "Telefon uluslararası biçimde değil (örneğin +905551112233).",
            )
        query = query.where(Contact.phone_e164 == phone)
    elif email:
        query = query.where(sa.func.lower(Contact.email) == email)
    else:
        return CsvRowResult(
            index, "invalid", "Give a phone or an email.", "Bir telefon ya da e-posta girin."
        )
    contact = session.exec(query.order_by(col(Contact.id))).first()
    if contact is None or contact.id is None:
        return CsvRowResult(
            index,
            "not_found",
            "No contact with this phone or email.",
            "Bu telefon ya da e-postayla kişi yok.",
        )
    added = record_tags(
        session, store_id=store_id, contact_id=contact.id, tags=tags, source=TagSource.CSV
    )
    return CsvRowResult(index, "tagged", tags=added)


def parse_saleor_tags(raw: str) -> list[str]:
    """`ulak.tags` holds a JSON list (["vip","b2b"]) or a comma list ("vip, b2b")."""
    text = raw.strip()
    if text.startswith("["):
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, list):
            return sorted({t for t in (normalise_tag(str(v)) for v in value if v is not None) if t})
    return sorted(set(split_tags(text)))


def tags_from_customer(
    session: Session, *, store_id: int, contact_id: int, customer: Customer
) -> list[str] | None:
    """Mirror the customer's `ulak.tags` metadata: Saleor-sourced tags become exactly that list
    (tags from other sources stay). Without the key, nothing changes (returns None)."""
    raw = customer.meta(SALEOR_TAGS_KEY)
    if raw is None:
        return None
    wanted = parse_saleor_tags(raw)
    stale = sa.delete(ContactTag).where(
        col(ContactTag.store_id) == store_id,
        col(ContactTag.contact_id) == contact_id,
        col(ContactTag.source) == TagSource.SALEOR,
    )
    if wanted:
        stale = stale.where(col(ContactTag.tag).not_in(wanted))
    session.execute(stale)
    record_tags(
        session, store_id=store_id, contact_id=contact_id, tags=wanted, source=TagSource.SALEOR
    )
    return wanted


def tag_from_button_answer(
    session: Session, *, store_id: int, contact_id: int, payload: str | None, text: str | None
) -> str | None:
    """A quick-reply answer becomes a tag: "TAG:colour:blue" -> "colour:blue" (or
    "TAG:colour" with the button text "Blue"). A new answer to the same question replaces
    the previous one. Other payloads are not ours: None."""
    if not payload or not payload.startswith(BUTTON_TAG_PREFIX):
        return None
    question, _, answer = payload[len(BUTTON_TAG_PREFIX) :].partition(":")
    question = normalise_tag(question).replace(":", "")
    answer = normalise_tag(answer or (text or ""))
    if not question or not answer:
        return None
    tag = normalise_tag(f"{question}:{answer}")
    session.execute(
        sa.delete(ContactTag).where(
            col(ContactTag.store_id) == store_id,
            col(ContactTag.contact_id) == contact_id,
            col(ContactTag.source) == TagSource.BUTTON,
            col(ContactTag.tag).startswith(f"{question}:", autoescape=True),
            col(ContactTag.tag) != tag,
        )
    )
    record_tags(
        session, store_id=store_id, contact_id=contact_id, tags=[tag], source=TagSource.BUTTON
    )
    return tag


def on_inbound(
    *, session: Session, store: Store, contact: Contact | None, inbound: InboundMessage
) -> None:
    """INBOUND_LISTENERS entry: tag the contact when a quick-reply answer carries a TAG payload."""
    if contact is None or contact.id is None or store.id is None:
        return
    tag_from_button_answer(
        session,
        store_id=store.id,
        contact_id=contact.id,
        payload=inbound.button_payload,
        text=inbound.text,
    )
