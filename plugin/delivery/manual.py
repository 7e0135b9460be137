"""Messages a merchant sends by hand from the admin: a test message to a number.

Like every send, this only writes an outbox row (due now) through delivery's outbox; the
delivery engine sends it. A test goes only to one of the store's staff test numbers
(plugin.contacts.staff_numbers), in the template's own category (a MARKETING template as
marketing); the policy sends kind `test` to those numbers at once, past quiet hours, caps and
quota. It records no consent: nothing a flow or campaign honours changes.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from plugin.consent import service as consent
from plugin.consent.models import Purpose
from plugin.contacts.phones import normalize_phone
from plugin.contacts.service import contact_for_phone
from plugin.contacts.staff_numbers import require_staff_test_number
from plugin.delivery import outbox
from plugin.delivery.models import MessageKind, MessagePurpose, OutboundMessage
from plugin.errors import FieldError, InvalidInput
from plugin.stores.service import get_settings
from plugin.templates import builder
from plugin.templates.models import MessageTemplate, TemplateCategory
from plugin.templates.render import MissingValue

TEXT_LIMIT = 4096


def _refuse(field: str | None, code: str, en: str, tr: str) -> InvalidInput:
    return InvalidInput([FieldError(field, code, en, tr)])


def schedule_test_message(
    session: Session,
    *,
    store_id: int,
    phone: str,
    template_id: int | None = None,
    text: str | None = None,
    staff_user_id: str | None = None,
) -> OutboundMessage:
    """A test message to `phone` (normalised with the store's default region): a template
    filled with the catalogue's sample values, or free text. Exactly one of the two.

    Raises `InvalidInput` (INVALID_PHONE, NOT_STAFF_NUMBER, NOT_FOUND, INVALID, NOT_ALLOWED)
    before writing."""
    if (template_id is None) == (text is None or not text.strip()):
        raise _refuse(
            None,
            "INVALID",
            "Give either a template or a text.",
            "Bir şablon ya da bir metin verin.",
        )
    settings = get_settings(session, store_id)
    result = normalize_phone(phone, region=settings.default_region)
    if result.e164 is None:
        raise _refuse(
            "phone",
            "INVALID_PHONE",
            "This is not a valid mobile number.",
            "Bu geçerli bir cep telefonu numarası değil.",
        )
    purpose = MessagePurpose.TRANSACTIONAL
    template: MessageTemplate | None = None
    content: dict[str, Any] = {}
    if template_id is not None:
        template = session.exec(
            select(MessageTemplate).where(
                MessageTemplate.store_id == store_id, MessageTemplate.id == template_id
            )
        ).first()
        if template is None:
            raise _refuse("templateId", "NOT_FOUND", "No such template.", "Böyle bir şablon yok.")
        try:
            components = builder.build_sample(template, template.language)
        except MissingValue as exc:
            raise _refuse(
                "templateId",
                "INVALID",
                f"The template needs a value the samples lack ({exc.where}).",
                f"Şablonun örneklerde olmayan bir değere ihtiyacı var ({exc.where}).",
            ) from exc
        if template.category == TemplateCategory.MARKETING:
            purpose = MessagePurpose.MARKETING
        content = {
            "template_id": template.id,
            "template_name": template.name,
            "template_language": template.language,
            "parameters": {"components": components},
        }
    else:
        assert text is not None
        if len(text.strip()) > TEXT_LIMIT:
            raise _refuse(
                "text",
                "OUT_OF_RANGE",
                f"A message has at most {TEXT_LIMIT} characters.",
                f"Bir mesaj en fazla {TEXT_LIMIT} karakter olabilir.",
            )
        content = {"text": text.strip()}
    require_staff_test_number(settings, result.e164, field="phone")
    contact = contact_for_phone(session, store_id=store_id, phone_e164=result.e164)
    if contact is None or contact.id is None:
        raise _refuse(
            "phone",
            "NOT_ALLOWED",
            "This number was erased and must not be messaged.",
            "Bu numara silindi; mesaj gönderilemez.",
        )
    try:
        consent.refuse_opted_out_test(
            session,
            contact=contact,
            purpose=Purpose.MARKETING
            if purpose == MessagePurpose.MARKETING
            else Purpose.TRANSACTIONAL,
        )
    except consent.OptedOutNumber as exc:
        raise _refuse(
            "phone",
            "NOT_ALLOWED",
            "This number's owner opted out; it cannot receive tests.",
            "Bu numaranın sahibi izni geri aldı; test mesajı gönderilemez.",
        ) from exc
    message = outbox.enqueue_message(
        session,
        store_id=store_id,
        contact_id=contact.id,
        purpose=purpose,
        kind=MessageKind.TEST,
        idempotency_key=outbox.unique_key("test", contact.id),
        source_type="test",
        source_id=staff_user_id[:100] if staff_user_id else None,
        **content,
    )
    assert message is not None  # a fresh key always inserts
    return message
