"""What a Meta error means beyond its one message (the error taxonomy's flags): a contact
opted out or unreachable, a template paused or deleted, an account suspended; and the reason
a failure is recorded under, the same for a send result and a status webhook."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import structlog
from sqlmodel import Session

from plugin.consent import service as consent_service
from plugin.consent.models import ConsentSource
from plugin.contacts.models import Contact
from plugin.delivery import outbox, policy, reasons
from plugin.templates.models import MessageTemplate, TemplateStatus
from plugin.whatsapp.accounts import AccountStatus, WhatsAppAccount
from plugin.whatsapp.errors import Disposition, ErrorClass, classify

log = structlog.get_logger(__name__)

# Failure reasons besides the policy codes (docs/delivery.md):
REJECTED = "rejected"  # Meta refused the request as built (our bug, unclassified code)
RETRIES_EXHAUSTED = "retries_exhausted"
INVALID_PAYLOAD = "invalid_payload"
OUTCOME_UNKNOWN = "outcome_unknown"  # no answer after the request went out
LEASE_EXPIRED = "lease_expired"  # the worker died (or hung) while the row was claimed
NOT_DELIVERED_TODAY = "not_delivered_today"  # 131049: Meta chose not to deliver
MARKETING_EXPERIMENT = "marketing_experiment"  # 130472: the user is in Meta's experiment
COUNTRY_RESTRICTED = "country_restricted"  # 130497: the business may not message that country
BSUID_NOT_SUPPORTED = "bsuid_not_supported"  # 131062: this message needs a phone number
MARKETING_OFF_CLOUD_API = "marketing_off_cloud_api"  # 131063 with no MM API send possible


_FAILED_BY_DISPOSITION = {
    Disposition.MARKETING_OPT_OUT: policy.CONSENT_REVOKED,
    Disposition.UNDELIVERABLE: policy.UNDELIVERABLE,
    Disposition.WINDOW_CLOSED: policy.WINDOW_CLOSED,
    Disposition.ACCOUNT_PROBLEM: policy.ACCOUNT_INACTIVE,
    Disposition.NOT_TODAY: NOT_DELIVERED_TODAY,
}


def failure_reason(code: int | None) -> str:
    """The reason of a failure Meta reports in a status webhook (131050 -> consent_revoked,
    132012 -> template_param_format...): the same codes the send path writes."""
    error = classify(code or 0)
    if error.disposition is Disposition.TEMPLATE_PROBLEM:
        return reasons.template_reason(code)
    return _FAILED_BY_DISPOSITION.get(error.disposition, REJECTED)


# Template codes that say what became of the template itself.
_TEMPLATE_STATUS_BY_CODE = {
    132001: TemplateStatus.DELETED,  # does not exist (in this language)
    132015: TemplateStatus.PAUSED,
    132016: TemplateStatus.DISABLED,
}


def apply_error_effects(
    session: Session,
    *,
    store_id: int,
    contact_id: int,
    template_name: str | None,
    template_language: str | None,
    account_id: int | None,
    error: ErrorClass,
    now: datetime,
) -> None:
    """What a Meta error means beyond the one message (the taxonomy's flags)."""
    if error.limits_marketing:  # 131049: targeting leaves the contact out for a while
        session.execute(
            sa.update(Contact.__table__)  # type: ignore[attr-defined]
            .where(Contact.__table__.c.id == contact_id)  # type: ignore[attr-defined]
            .values(marketing_limited_at=now, updated_at=now)
        )
    if error.marks_number_undeliverable:
        session.execute(
            sa.update(Contact.__table__)  # type: ignore[attr-defined]
            .where(Contact.__table__.c.id == contact_id)  # type: ignore[attr-defined]
            .values(undeliverable_at=now, updated_at=now)
        )
    if error.records_opt_out:
        revoke_marketing(
            session,
            store_id=store_id,
            contact_id=contact_id,
            source=ConsentSource.META_ERROR,
            evidence={"error_code": error.code},
        )
    if error.marks_template and template_name:
        new_status = _TEMPLATE_STATUS_BY_CODE.get(error.code or 0)
        log.warning(
            "template_problem",
            store_id=store_id,
            template=template_name,
            language=template_language,
            code=error.code,
            alert=True,
        )
        if new_status is not None:
            table = MessageTemplate.__table__  # type: ignore[attr-defined]
            session.execute(
                sa.update(table)
                .where(
                    table.c.store_id == store_id,
                    table.c.name == template_name,
                    table.c.language == (template_language or ""),
                )
                .values(status=new_status.value, updated_at=now)
            )
    if error.stops_store and account_id is not None:
        table = WhatsAppAccount.__table__  # type: ignore[attr-defined]
        session.execute(
            sa.update(table)
            .where(table.c.id == account_id, table.c.status == AccountStatus.ACTIVE.value)
            .values(
                status=AccountStatus.SUSPENDED.value,
                status_reason=f"Meta error {error.code}: {error.details or ''}"[:300],
                updated_at=now,
            )
        )
        log.error(
            "whatsapp_account_suspended",
            store_id=store_id,
            account_id=account_id,
            code=error.code,
            alert=True,
        )


def revoke_marketing(
    session: Session,
    *,
    store_id: int,
    contact_id: int,
    source: ConsentSource,
    evidence: dict[str, Any] | None = None,
) -> None:
    """A Meta error that means "stop marketing" (131050): the consent ledger records it (one
    rule, in plugin/consent) and the contact's waiting marketing is suppressed here."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.store_id != store_id:
        return
    consent_service.revoke_marketing(
        session, contact=contact, source=source, evidence=evidence or {}
    )
    outbox.suppress_revoked_marketing(session, store_id=store_id, contact_id=contact_id)
