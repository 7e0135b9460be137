"""Connecting a store to a WhatsApp Business number: credentials checked with the Graph API
before they are saved (encrypted), and disconnecting it."""

from __future__ import annotations

import importlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from sqlmodel import Session, select

from plugin import clock, crypto
from plugin.errors import ConfigurationError, FieldError, InvalidInput
from plugin.settings import Settings
from plugin.whatsapp.accounts import AccountStatus, WhatsAppAccount
from plugin.whatsapp.credentials import Credentials
from plugin.whatsapp.errors import TransportError, WhatsAppError
from plugin.whatsapp.limits import apply_phone_info
from plugin.whatsapp.payloads.graph import BusinessAccountInfo
from plugin.whatsapp.ports import PhoneNumberLookup
from plugin.whatsapp.waba_info import apply_waba_info

log = structlog.get_logger(__name__)
_GRAPH_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


@asynccontextmanager
async def open_lookup(settings: Settings) -> AsyncIterator[PhoneNumberLookup]:
    """The Cloud API client for this deployment (the sandbox's Graph API in dev)."""
    try:
        client_module = importlib.import_module("plugin.whatsapp.client")
    except ModuleNotFoundError as exc:  # the client ships on another branch
        raise ConfigurationError(
            "the WhatsApp Cloud API client is not installed", code="WHATSAPP_CLIENT_MISSING"
        ) from exc
    assert settings.whatsapp_graph_url
    client = client_module.CloudApiClient(
        settings.whatsapp_graph_url, graph_version=settings.whatsapp_graph_version
    )
    try:
        yield client
    finally:
        await client.aclose()


def _required(value: str, field: str, errors: list[FieldError]) -> str:
    value = value.strip()
    if not value:
        errors.append(FieldError(field, "REQUIRED", "This field is required.", "Bu alan zorunlu."))
    elif field != "accessToken" and not _GRAPH_ID.match(value):
        errors.append(
            FieldError(
                field,
                "INVALID",
                "Use the id shown in Meta's WhatsApp Manager.",
                "Meta WhatsApp Yöneticisi'nde görünen kimliği girin.",
            )
        )
    return value


async def connect_account(
    *,
    session: Session,
    store_id: int,
    phone_number_id: str,
    waba_id: str,
    access_token: str,
    lookup: PhoneNumberLookup,
    sandbox: bool = False,
    sandbox_allowed: bool = False,
) -> WhatsAppAccount:
    """Check the credentials by reading the number from the Graph API, then save them.

    Reconnecting a number the store already has replaces its token. A number connected to
    another store is refused without saying which. `InvalidInput` when nothing was saved.
    """
    errors: list[FieldError] = []
    phone_number_id = _required(phone_number_id, "phoneNumberId", errors)
    waba_id = _required(waba_id, "wabaId", errors)
    access_token = _required(access_token, "accessToken", errors)
    if sandbox and not sandbox_allowed:
        errors.append(
            FieldError(
                "sandbox",
                "NOT_ALLOWED",
                "The sandbox is only available in dev mode.",
                "Deneme ortamı yalnızca geliştirme modunda kullanılabilir.",
            )
        )
    if errors:
        raise InvalidInput(errors)
    existing = session.exec(
        select(WhatsAppAccount).where(WhatsAppAccount.phone_number_id == phone_number_id)
    ).first()
    if existing is not None and existing.store_id != store_id:
        raise InvalidInput(
            [
                FieldError(
                    "phoneNumberId",
                    "UNIQUE",
                    "This number is already connected to another store.",
                    "Bu numara başka bir mağazaya bağlı.",
                )
            ]
        )
    credentials = Credentials(
        phone_number_id=phone_number_id, access_token=access_token, waba_id=waba_id
    )
    try:
        info = await lookup.get_phone_number(credentials=credentials)
    except TransportError as exc:
        log.warning("whatsapp_connect_unreachable", store_id=store_id, error=str(exc))
        raise InvalidInput(
            [
                FieldError(
                    None,
                    "GRAPH_UNREACHABLE",
                    "WhatsApp could not be reached; try again in a moment.",
                    "WhatsApp'a ulaşılamadı; biraz sonra yeniden deneyin.",
                )
            ]
        ) from exc
    except WhatsAppError as exc:
        log.info("whatsapp_connect_refused", store_id=store_id, code=exc.error_class.code)
        raise InvalidInput(
            [
                FieldError(
                    "accessToken",
                    "CREDENTIALS_REJECTED",
                    f"WhatsApp refused these credentials: {exc.message}",
                    f"WhatsApp bu bilgileri reddetti: {exc.message}",
                )
            ]
        ) from exc
    asked_at = clock.now()
    waba = await _waba(lookup, credentials, store_id=store_id)
    now = clock.now()
    account = existing
    if account is None:
        has_default = session.exec(
            select(WhatsAppAccount.id).where(
                WhatsAppAccount.store_id == store_id,
                WhatsAppAccount.is_default == True,  # noqa: E712
            )
        ).first()
        account = WhatsAppAccount(
            store_id=store_id,
            phone_number_id=phone_number_id,
            waba_id=waba_id,
            access_token_encrypted="",
            is_default=has_default is None,
            created_at=now,
        )
    account.waba_id = waba_id
    account.access_token_encrypted = crypto.encrypt(access_token)
    account.display_phone = info.display_phone_number or account.display_phone
    apply_phone_info(session, account, info)  # Meta's limit, throughput and quality, at connect
    account.is_sandbox = sandbox
    account.status = AccountStatus.ACTIVE
    account.status_reason = None
    account.updated_at = now
    session.add(account)
    session.flush()
    apply_waba_info(session, account, waba, asked_at=asked_at)
    log.info("whatsapp_connected", store_id=store_id, account_id=account.id)
    return account


async def _waba(
    lookup: PhoneNumberLookup, credentials: Credentials, *, store_id: int
) -> BusinessAccountInfo | None:
    """The WABA's Marketing Messages API onboarding status and billing currency at connect; a
    refusal or an unreachable Meta does not stop the connect (the scheduled read tries again)."""
    try:
        return await lookup.get_business_account(credentials=credentials)
    except WhatsAppError as exc:
        log.info("whatsapp_connect_mm_status_unread", store_id=store_id, code=exc.error_class.code)
        return None


def disconnect_account(*, session: Session, store_id: int, account_id: int) -> WhatsAppAccount:
    """Stop sending from a number: its token is wiped, the row stays for the message history."""
    account = session.get(WhatsAppAccount, account_id)
    if account is None or account.store_id != store_id:
        raise InvalidInput(
            [FieldError("id", "NOT_FOUND", "No such WhatsApp number.", "Böyle bir numara yok.")]
        )
    account.status = AccountStatus.DISCONNECTED
    account.access_token_encrypted = crypto.encrypt("")
    account.is_default = False
    account.updated_at = clock.now()
    session.add(account)
    session.flush()
    return account
