"""Consent captured by a storefront outside checkout (POST /api/storefront/opt-in).

The store is identified by its public key, the number is normalised like every other, and
marketing is always double opt-in: the call records a request and queues the confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from plugin import ratelimit
from plugin.consent import answers as consent_answers
from plugin.consent import service as consent_service
from plugin.consent.models import ConsentEvent, ConsentSource
from plugin.contacts.identity import Identity
from plugin.contacts.models import Contact
from plugin.contacts.phones import normalize_phone
from plugin.contacts.service import upsert_contact
from plugin.contacts.suppression import is_suppressed
from plugin.errors import AuthenticationError, UlakError
from plugin.events import consent as consent_journey
from plugin.saleor.models import Store
from plugin.stores.models import StoreSettings

PHONE_LIMIT = (3, 3600)  # attempts per number per hour, per store
NETWORK_LIMIT = (20, 600)  # attempts per network (/64, /24) per ten minutes, per store
DAY_SECONDS = 86_400


class StorefrontError(UlakError):
    """A request the storefront must fix; the message is shown to shoppers (TR / EN).

    `retry_after` (seconds) is set on 429s and becomes the Retry-After header."""

    status_code = 422

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message, code=code, status_code=status_code)
        self.retry_after = retry_after


INVALID_PHONE = (
    "Telefon numarası geçersiz. / The phone number is not valid.",
    "INVALID_PHONE",
)


@dataclass(frozen=True)
class OptInRequest:
    phone: str
    marketing: bool
    transactional: bool = False
    country: str | None = None
    text: str | None = None
    text_version: str | None = None
    locale: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


@dataclass(frozen=True)
class OptInResult:
    contact: Contact
    events: list[ConsentEvent]


def store_for_key(session: Session, key: str | None) -> tuple[Store, StoreSettings]:
    settings = consent_service.store_for_public_key(session, key or "")
    store = session.get(Store, settings.store_id) if settings else None
    if settings is None or store is None or not store.is_active:
        raise AuthenticationError(
            "Bilinmeyen mağaza anahtarı. / Unknown store key.", code="UNKNOWN_STORE_KEY"
        )
    return store, settings


def origin_allowed(settings: StoreSettings, origin: str | None) -> bool:
    """Browsers send Origin; only the store's own domains may call (server calls send none)."""
    if origin is None:
        return True
    allowed = {o.rstrip("/").lower() for o in settings.storefront_origins}
    return origin.rstrip("/").lower() in allowed


def check_client(settings: StoreSettings, ip: str) -> None:
    """The limits a request meets before anything is recorded, each counted per store (one
    store's traffic never blocks another's shoppers): its client network, then the store's
    daily ceiling on opt-in requests, which bounds what a script can bill the merchant."""
    wait = ratelimit.consume(
        f"optin-net:{settings.store_id}",
        ratelimit.network_of(ip),
        limit=NETWORK_LIMIT[0],
        window_seconds=NETWORK_LIMIT[1],
    )
    if wait:
        raise StorefrontError(
            "Çok fazla deneme; lütfen biraz sonra tekrar deneyin. / "
            "Too many attempts; please try again later.",
            code="RATE_LIMITED",
            status_code=429,
            retry_after=wait,
        )
    wait = ratelimit.consume(
        "optin-day",
        str(settings.store_id),
        limit=settings.optin_daily_limit,
        window_seconds=DAY_SECONDS,
    )
    if wait:
        raise StorefrontError(
            "Mağaza bugünkü kayıt sınırına ulaştı; lütfen yarın tekrar deneyin. / "
            "The store has reached today's sign-up limit; please try again tomorrow.",
            code="DAILY_LIMIT_REACHED",
            status_code=429,
            retry_after=wait,
        )


def opt_in(
    *,
    session: Session,
    store: Store,
    settings: StoreSettings,
    request: OptInRequest,
    evidence: dict[str, Any],
) -> OptInResult:
    """Record the storefront's consent for a number; marketing waits for the WhatsApp YES."""
    phone = normalize_phone(request.phone, region=request.country or settings.default_region)
    if phone.e164 is None:
        raise StorefrontError(INVALID_PHONE[0], code=INVALID_PHONE[1])
    wait = ratelimit.consume(
        f"optin-phone:{settings.store_id}",
        phone.e164,
        limit=PHONE_LIMIT[0],
        window_seconds=PHONE_LIMIT[1],
    )
    if wait:
        raise StorefrontError(
            "Bu numara için çok fazla deneme yapıldı. / Too many attempts for this number.",
            code="RATE_LIMITED",
            status_code=429,
            retry_after=wait,
        )
    if is_suppressed(session, store_id=settings.store_id, phone_e164=phone.e164):
        raise StorefrontError(
            "Bu numaraya mesaj gönderilemez; lütfen mağazayla iletişime geçin. / "
            "This number cannot be subscribed; please contact the store.",
            code="NUMBER_SUPPRESSED",
            status_code=409,
        )
    contact = upsert_contact(
        session=session,
        store=store,
        identity=Identity(
            phones=(phone.e164,),
            country=request.country,
            email=request.email,
            first_name=request.first_name,
            last_name=request.last_name,
            language_code=request.locale,
        ),
    )
    assert contact is not None and contact.id is not None
    consent = {
        "marketing": request.marketing,
        "transactional": request.transactional,
        "text": request.text,
        "text_version": request.text_version,
    }
    # every call is its own carrier: a shopper who ticks the box again asks again
    events = consent_answers.capture_web_consent(
        session=session,
        contact=contact,
        consent=consent,
        source=ConsentSource.STOREFRONT,
        capture_key=f"storefront:{consent_service.consent_hash({**evidence, **consent})}",
        evidence=evidence,
    )
    consent_journey.settle(session, contact=contact, events=events)
    return OptInResult(contact=contact, events=events)
