"""The store's staff test numbers: the only numbers a staff test send may go to (kept in the
settings' `extra`, so no table changes).

A test send is the merchant's own message to their own phone: it is delivered at once, in the
template's own category, past quiet hours, caps and quota (plugin.delivery.policy), and records
no consent. That exemption is only safe because it is tied to this list, which a staff member
with MANAGE_APPS keeps; a customer's number is never reached this way.
"""

from __future__ import annotations

from sqlmodel import Session

from plugin import clock
from plugin.contacts.phones import normalize_phone
from plugin.errors import FieldError, InvalidInput
from plugin.stores.models import StoreSettings
from plugin.stores.service import get_settings, set_extra_key

KEY = "staff_test_numbers"
MAX_NUMBERS = 20


def staff_test_numbers(settings: StoreSettings) -> list[str]:
    """The store's staff test numbers (E.164), in the order they were given."""
    extra = settings.extra if isinstance(settings.extra, dict) else {}
    numbers = extra.get(KEY)
    return [n for n in numbers if isinstance(n, str)] if isinstance(numbers, list) else []


def is_staff_test_number(settings: StoreSettings, phone_e164: str | None) -> bool:
    return bool(phone_e164) and phone_e164 in staff_test_numbers(settings)


def set_staff_test_numbers(session: Session, *, store_id: int, numbers: list[str]) -> list[str]:
    """Replace the list; each number is normalised with the store's default region.
    `InvalidInput` (nothing changed) names every number that is not a valid mobile number."""
    row = get_settings(session, store_id)
    cleaned: list[str] = []
    errors: list[FieldError] = []
    if len(numbers) > MAX_NUMBERS:
        errors.append(
            FieldError(
                "numbers",
                "OUT_OF_RANGE",
                f"At most {MAX_NUMBERS} staff test numbers.",
                f"En fazla {MAX_NUMBERS} personel test numarası girilebilir.",
            )
        )
    for raw in numbers:
        e164 = normalize_phone(raw, region=row.default_region).e164
        if e164 is None:
            errors.append(
                FieldError(
                    "numbers",
                    "INVALID_PHONE",
                    f"{raw!r} is not a valid mobile number.",
                    f"{raw!r} geçerli bir cep telefonu numarası değil.",
                )
            )
        elif e164 not in cleaned:
            cleaned.append(e164)
    if errors:
        raise InvalidInput(errors)
    set_extra_key(session, store_id, KEY, cleaned)
    row.updated_at = clock.now()
    session.add(row)
    session.flush()
    return cleaned


NOT_STAFF_NUMBER = "NOT_STAFF_NUMBER"


def not_staff_text(phone_e164: str) -> tuple[str, str]:
    """The refusal of a test send to a number off the list (English, Turkish)."""
    return (
        f"{phone_e164} is not one of the store's staff test numbers; add it in the settings "
        "first. Test messages go only to staff numbers.",
        f"{phone_e164} mağazanın personel test numaralarından biri değil; önce ayarlardan "
        "ekleyin. Test mesajları yalnızca personel numaralarına gider.",
    )


def require_staff_test_number(settings: StoreSettings, phone_e164: str, *, field: str) -> None:
    """Refuse (`InvalidInput`, TR/EN) a test send to a number not on the staff test list."""
    if not is_staff_test_number(settings, phone_e164):
        raise InvalidInput([FieldError(field, NOT_STAFF_NUMBER, *not_staff_text(phone_e164))])
