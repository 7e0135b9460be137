"""Dev mode: every newly installed store starts connected to a sandbox number.

The sandbox keeps its world in the app's memory, so the numbers it serves come from the
database: registered at install, re-registered at start-up, and looked up on first use by
`resolve_number` (a store connected by a worker in another process, or before a restart).
Production never runs any of this (`settings.sandbox_enabled` is False there).
"""

from __future__ import annotations

import secrets

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from plugin import crypto
from plugin.db import session_scope
from plugin.saleor.models import Store
from plugin.settings import get_settings
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.limits import apply_limits, parse_tier, read_at_next_tick
from plugin.whatsapp.sandbox.config import SandboxNumber
from plugin.whatsapp.sandbox.graph import GraphError
from plugin.whatsapp.sandbox.state import Sandbox

log = structlog.get_logger(__name__)

PHONE_NUMBER_PREFIX = "sandbox-"  # every sandbox phone number id starts with it
WABA_PREFIX = "sandbox-waba-"

_mounted: Sandbox | None = None


def set_mounted(sandbox: Sandbox | None) -> None:
    """The sandbox the app serves in this process (set by handlers/sandbox.py)."""
    global _mounted
    _mounted = sandbox


def mounted_sandbox() -> Sandbox | None:
    return _mounted


def sandbox_ids(store_id: int) -> tuple[str, str, str]:
    """Phone number id, WABA id and display number of a store's sandbox number."""
    return (
        f"{PHONE_NUMBER_PREFIX}{store_id}",
        f"{WABA_PREFIX}{store_id}",
        f"+90 555 000 {store_id // 100 % 100:02d} {store_id % 100:02d}",
    )


def sandbox_number(account: WhatsAppAccount) -> SandboxNumber:
    return SandboxNumber(
        phone_number_id=account.phone_number_id,
        waba_id=account.waba_id,
        display_phone_number=account.display_phone,
        access_token=account.access_token(),
        verified_name="Ulak Sandbox",
        throughput_level="HIGH",
        # what the app last read: the scheduled Graph read then finds the same limit
        messaging_limit_tier=account.messaging_limit_tier or "TIER_UNLIMITED",
        # and the Marketing Messages API as the app last knew it, so a restarted sandbox's
        # marketing_messages_onboarding_status does not turn the store's road back
        mm_api_onboarded=account.use_marketing_endpoint,
    )


def connect_sandbox(*, session: Session, store: Store) -> WhatsAppAccount | None:
    """After-install step (dev only): give the store a sandbox number unless it has a number."""
    if not get_settings().sandbox_enabled:
        return None
    assert store.id is not None
    existing = session.exec(
        select(WhatsAppAccount).where(WhatsAppAccount.store_id == store.id)
    ).first()
    if existing is not None:
        account = existing
    else:
        phone_number_id, waba_id, display = sandbox_ids(store.id)
        account = WhatsAppAccount(
            store_id=store.id,
            phone_number_id=phone_number_id,
            waba_id=waba_id,
            display_phone=display,
            access_token_encrypted=crypto.encrypt("sandbox-" + secrets.token_urlsafe(24)),
            is_sandbox=True,
            throughput_mps=1000,
            messaging_limit_tier="TIER_UNLIMITED",
            quality_rating="GREEN",
        )
        session.add(account)
        # the store sends under the limit its number has (what the sandbox's Graph API answers)
        apply_limits(session, account, tier=parse_tier(account.messaging_limit_tier))
        read_at_next_tick(account)  # then the WABA's currency and MM API status, as Meta says
        session.flush()
        log.info("sandbox_number_connected", store_id=store.id)
    if account.is_sandbox and _mounted is not None:
        _mounted.register_number(sandbox_number(account))
        # The starter library, approved at once on the sandbox WABA: install to first message
        # needs no review wait in dev mode.
        from plugin.templates.starter import ensure_sandbox_approved

        ensure_sandbox_approved(session, store_id=store.id, sandbox=_mounted)
    return account


def resolve_number(phone_number_id: str) -> SandboxNumber | None:
    """The sandbox number a store has in the database (None for other ids)."""
    if not phone_number_id.startswith(PHONE_NUMBER_PREFIX):
        return None
    with session_scope() as session:
        account = session.exec(
            select(WhatsAppAccount).where(
                WhatsAppAccount.phone_number_id == phone_number_id,
                WhatsAppAccount.is_sandbox == True,  # noqa: E712
            )
        ).first()
        return sandbox_number(account) if account is not None else None


def register_all(sandbox: Sandbox) -> int:
    """At start-up: serve every sandbox number the database knows, and its approved templates
    the sandbox does not hold (a sandbox without a state file, or one older than it, starts
    empty: without them every send would fail 132001). A number the sandbox already serves
    with the same token keeps the settings it was given (quality, limits).

    A database not migrated yet only means nothing to restore: numbers are still looked up
    on first use."""
    from plugin.templates.models import MessageTemplate, TemplateStatus

    try:
        with session_scope() as session:
            accounts = session.exec(
                select(WhatsAppAccount).where(WhatsAppAccount.is_sandbox == True)  # noqa: E712
            ).all()
            for account in accounts:
                number = sandbox_number(account)
                known = sandbox.numbers.get(number.phone_number_id)
                if known is None or known.access_token != number.access_token:
                    sandbox.register_number(number)
                held = sandbox.templates.get(account.waba_id, {})
                approved = session.exec(
                    select(MessageTemplate).where(
                        MessageTemplate.store_id == account.store_id,
                        MessageTemplate.status == TemplateStatus.APPROVED,
                    )
                ).all()
                for row in approved:
                    if (row.name, row.language) in held:
                        continue
                    try:
                        sandbox.add_template(
                            waba_id=account.waba_id,
                            name=row.name,
                            language=row.language,
                            category=str(row.category),
                            components=row.components,
                            template_id=row.meta_id,
                        )
                    except GraphError:
                        continue  # a definition the sandbox refuses stays unknown there
    except SQLAlchemyError as exc:
        log.warning("sandbox_numbers_not_restored", error=exc.__class__.__name__)
        return 0
    return len(accounts)
