"""Campaigns: configure, test-send, estimate, launch, pause/resume/cancel, and the resumable
batched loop that fans a launched campaign out into the outbox (listmonk's model).

The audience is fixed at start into `campaign_recipient` (variant and holdout assigned
there); the loop writes outbox rows from that snapshot with `INSERT … SELECT … ON CONFLICT
DO NOTHING`, advancing its checkpoint (last contact id) in the same transaction, so a crash,
a duplicate message or a resume never queues anyone twice. Consent, caps, quiet hours and
quota are not decided here: the delivery engine applies them to each row at send time and
records why it skipped one in status/status_reason; progress is a GROUP BY over those.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from plugin import broker, clock
from plugin.campaigns import personalise
from plugin.campaigns.models import AbMetric, Campaign, CampaignRecipient, CampaignStatus, SendMode
from plugin.campaigns.personalise import PERSONAL_FIELDS, build_components, sql_parameters
from plugin.consent import service as consent
from plugin.consent import state as consent_state
from plugin.consent.models import Purpose
from plugin.contacts.models import Contact, PhoneStatus
from plugin.delivery.models import (
    InboundMessage,
    MessageKind,
    MessagePurpose,
    MessageStatus,
    OutboundMessage,
)
from plugin.errors import UlakError
from plugin.pricing.country import pricing_key_sql
from plugin.pricing.estimate import by_country, expected_groups, price_audience, reachable
from plugin.pricing.ratecards import card_date
from plugin.saleor.models import Store
from plugin.segments.service import (
    STAFF_TAG,
    Audience,
    audience_condition,
    context_for,
    get_segment,
)
from plugin.segments.sqlutil import dialect_name, insert_ignoring_conflicts
from plugin.segments.tags import record_tags
from plugin.stores import service as stores_service
from plugin.stores import staff_numbers
from plugin.stores.models import StoreSettings
from plugin.stores.plans import (
    CAMPAIGN_MAX_RECIPIENTS,
    Feature,
    require_feature,
    require_recipient_limit,
)
from plugin.templates.models import MessageTemplate, TemplateStatus
from plugin.whatsapp.accounts import WhatsAppAccount, default_account

BATCH_SIZE = 50_000  # store contacts (snapshot + outbox) or recipients (outbox) per turn
FIRST_BATCH = 10_000  # the first turn is small, so the first messages are queued at once
SNAPSHOT_CHUNK = 100_000  # store contacts per snapshot-only turn (paused, SQLite)
RECIPIENT_COLUMNS = ("campaign_id", "contact_id", "variant", "holdout", "due_at")
OUTBOX_COLUMNS = (
    "store_id contact_id account_id purpose kind idempotency_key template_id template_name "
    "template_language parameters source_type source_id campaign_id variant due_at status "
    "attempts created_at updated_at"
).split()
STALL_AFTER = timedelta(seconds=30)  # a running loop silent this long is re-enqueued
ESTIMATE_FRESH_FOR = timedelta(minutes=15)  # launch reuses the estimate the merchant just saw
MAX_VARIANTS = 4
MAX_HOLDOUT = 50
PENDING_STATUSES = (MessageStatus.SCHEDULED.value, MessageStatus.QUEUED.value)
UNFINISHED_STATUSES = (*PENDING_STATUSES, MessageStatus.SENDING.value)
SENT_STATUSES = (MessageStatus.SENT.value, MessageStatus.DELIVERED.value, MessageStatus.READ.value)
PAUSED_REASON = "campaign_paused"
CANCELLED_REASON = "campaign_cancelled"
LOOP_ACTOR = "campaign_batch"
_VARIANT_KEY = re.compile(r"[A-D]")
_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


class CampaignError(UlakError):
    """An expected refusal, in both languages (bad configuration, wrong state)."""

    status_code = 409

    def __init__(
        self, code: str, message_en: str, message_tr: str, *, status_code: int = 409
    ) -> None:
        super().__init__(message_en, code=code, status_code=status_code)
        self.message_en = message_en
        self.message_tr = message_tr


def _invalid(message_en: str, message_tr: str) -> CampaignError:
    return CampaignError("INVALID_CAMPAIGN", message_en, message_tr, status_code=400)


# --- configuration -------------------------------------------------------------------------


def get_campaign(
    session: Session, *, store_id: int, campaign_id: int, lock: bool = False
) -> Campaign:
    query = select(Campaign).where(Campaign.id == campaign_id, Campaign.store_id == store_id)
    if lock:
        query = query.with_for_update()
    campaign = session.exec(query).first()
    if campaign is None:
        raise CampaignError(
            "NOT_FOUND", "Campaign not found.", "Kampanya bulunamadı.", status_code=404
        )
    return campaign


def audience_of(campaign: Campaign) -> Audience:
    return Audience(
        builtin=campaign.builtin_segment, segment_id=campaign.segment_id, rule=campaign.rule
    )


def _template(session: Session, store_id: int, variant: dict[str, Any]) -> MessageTemplate:
    template = session.exec(
        select(MessageTemplate).where(
            MessageTemplate.store_id == store_id,
            MessageTemplate.name == variant.get("template_name"),
            MessageTemplate.language == variant.get("template_language"),
        )
    ).first()
    if template is None:
        label = f"{variant.get('template_name')} ({variant.get('template_language')})"
        raise _invalid(f"Template {label} not found.", f"{label} şablonu bulunamadı.")
    if template.status != TemplateStatus.APPROVED:
        raise _invalid(
            f"Template {template.name} is not approved by Meta yet.",
            f"{template.name} şablonu henüz Meta tarafından onaylanmadı.",
        )
    return template


def _normalise_variants(
    session: Session, store_id: int, variants: list[dict[str, Any]], holdout: int
) -> list[dict[str, Any]]:
    if not 1 <= len(variants) <= MAX_VARIANTS:
        raise _invalid(
            "A campaign has 1 to 4 variants.", "Bir kampanyanın 1 ile 4 arasında varyantı olur."
        )
    out = []
    for i, raw in enumerate(variants):
        key = str(raw.get("key") or "ABCD"[i])
        if not _VARIANT_KEY.fullmatch(key) or any(v["key"] == key for v in out):
            raise _invalid(
                "Variants are named A, B, C and D.", "Varyantlar A, B, C ve D olarak adlandırılır."
            )
        fields = list(raw.get("body_fields") or [])
        if any(f not in PERSONAL_FIELDS for f in fields):
            raise _invalid(
                f"Personal fields can be {', '.join(PERSONAL_FIELDS)}.",
                f"Kişisel alanlar şunlar olabilir: {', '.join(PERSONAL_FIELDS)}.",
            )
        template = _template(session, store_id, raw)
        share = raw.get("share")
        if len(variants) == 1:
            share = 100 - holdout
        if not isinstance(share, int) or isinstance(share, bool) or not 1 <= share <= 100:
            raise _invalid(
                "Each variant's share is a whole percentage.",
                "Her varyantın payı tam bir yüzdedir.",
            )
        out.append(
            {
                "key": key,
                "template_id": template.id,
                "template_name": template.name,
                "template_language": template.language,
                "category": template.category.value
                if hasattr(template.category, "value")
                else str(template.category),
                "share": share,
                "body_fields": fields,
                "fallbacks": {
                    k: str(v) for k, v in (raw.get("fallbacks") or {}).items() if k in fields
                },
                **_component_values(raw),
            }
        )
    if holdout + sum(v["share"] for v in out) > 100:
        raise _invalid(
            "Variant shares and the holdout add up to more than 100%.",
            "Varyant payları ve kontrol grubu toplamı %100'ü aşıyor.",
        )
    return out


_BUTTON_VALUE_KEYS = ("url", "code", "tag", "payload", "text")


def _component_values(raw: dict[str, Any]) -> dict[str, Any]:
    """A variant's header value (mapping references: a media `{"link": ...}`, a location
    such as "pickup_location", a text) and button values by index (`{"url": destination}`,
    `{"code": coupon}`, `{"tag": question}`, `{"payload": ...}`, `{"text": suffix}`)."""
    out: dict[str, Any] = {}
    header = raw.get("header")
    if header:
        if not isinstance(header, list) or len(header) > 1:
            raise _invalid("A header takes one value.", "Başlık tek bir değer alır.")
        out["header"] = header
    buttons = raw.get("buttons") or {}
    if buttons:
        clean: dict[str, Any] = {}
        for key, value in buttons.items() if isinstance(buttons, dict) else []:
            if (
                not str(key).isdigit()
                or not isinstance(value, dict)
                or len(value) != 1
                or next(iter(value)) not in _BUTTON_VALUE_KEYS
                or not str(next(iter(value.values())) or "").strip()
            ):
                raise _invalid(
                    "Each button value is one of: url, code, tag, payload, text.",
                    "Her düğme değeri şunlardan biridir: url, code, tag, payload, text.",
                )
            clean[str(int(key))] = {k: str(v).strip() for k, v in value.items()}
        if not isinstance(buttons, dict):
            raise _invalid("Buttons are given by their index.", "Düğmeler sırasıyla verilir.")
        out["buttons"] = clean
    return out


def _prepare_variants(session: Session, campaign: Campaign) -> None:
    """Fill every component of each variant's template once (the one message builder), or
    refuse naming the component that cannot be filled, in English and Turkish."""
    settings = stores_service.get_settings(session, campaign.store_id)
    store = session.get(Store, campaign.store_id)
    prepared = []
    for variant in campaign.variants:
        template = _template(session, campaign.store_id, variant)
        try:
            prepared.append(
                personalise.prepare(
                    session,
                    store_id=campaign.store_id,
                    settings=settings,
                    store_name=store.name if store is not None else None,
                    variant=variant,
                    template=template,
                )
            )
        except personalise.VariantUnfillable as exc:
            raise CampaignError(exc.code, exc.message_en, exc.message_tr, status_code=400) from exc
    campaign.variants = prepared


def configure_campaign(
    session: Session,
    *,
    store_id: int,
    name: str,
    audience: Audience,
    variants: list[dict[str, Any]],
    campaign_id: int | None = None,
    holdout_percent: int = 0,
    send_mode: str = SendMode.NOW.value,
    send_at: datetime | None = None,
    local_date: str | None = None,
    local_time: str | None = None,
    ab_metric: str = AbMetric.REPLY.value,
    ab_decide_after_hours: int = 4,
    account_id: int | None = None,
) -> Campaign:
    """Create a draft (or change one): every plan feature it uses is checked here, and again
    at launch (the plan may change in between)."""
    settings = stores_service.get_settings(session, store_id)
    audience.check()
    if not name.strip():
        raise _invalid("A campaign needs a name.", "Kampanyanın bir adı olmalı.")
    if not 0 <= holdout_percent <= MAX_HOLDOUT:
        raise _invalid(
            f"The holdout group is 0–{MAX_HOLDOUT}% of the audience.",
            f"Kontrol grubu kitlenin %0–{MAX_HOLDOUT} kadarıdır.",
        )
    if audience.segment_id is not None:
        get_segment(session, store_id=store_id, segment_id=audience.segment_id)
    if ab_metric not in {m.value for m in AbMetric} or not 1 <= ab_decide_after_hours <= 24 * 14:
        raise _invalid(
            "Choose reply or click, after 1 hour to 14 days.",
            "Yanıt ya da tıklama seçin, 1 saat ile 14 gün arası.",
        )
    mode = SendMode(send_mode)
    if mode == SendMode.AT and send_at is None:
        raise _invalid("Choose when to send.", "Ne zaman gönderileceğini seçin.")
    if mode == SendMode.LOCAL_TIME:
        try:
            date.fromisoformat(local_date or "")
        except ValueError:
            raise _invalid("Choose a date (YYYY-MM-DD).", "Bir tarih seçin (YYYY-AA-GG).") from None
        if not _HHMM.fullmatch(local_time or ""):
            raise _invalid("Choose a time (HH:MM).", "Bir saat seçin (SS:DD).")
    normalised = _normalise_variants(session, store_id, variants, holdout_percent)
    if campaign_id is None:
        campaign = Campaign(store_id=store_id, name=name.strip())
    else:
        campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id)
        _require_status(campaign, CampaignStatus.DRAFT)
    campaign.name = name.strip()
    campaign.builtin_segment, campaign.segment_id, campaign.rule = (
        audience.builtin,
        audience.segment_id,
        audience.rule,
    )
    campaign.variants = normalised
    campaign.holdout_percent = holdout_percent
    campaign.send_mode = mode
    campaign.send_at = send_at if mode == SendMode.AT else None
    campaign.local_date = local_date if mode == SendMode.LOCAL_TIME else None
    campaign.local_time = local_time if mode == SendMode.LOCAL_TIME else None
    campaign.ab_metric = AbMetric(ab_metric)
    campaign.ab_decide_after_hours = ab_decide_after_hours
    campaign.account_id = account_id
    campaign.test_sent_at = None  # a changed campaign needs a new test send
    campaign.updated_at = clock.now()
    _check_plan(session, settings, campaign)
    session.add(campaign)
    session.flush()
    return campaign


def _check_plan(session: Session, settings: StoreSettings, campaign: Campaign) -> None:
    if campaign.builtin_segment is not None:
        require_feature(settings, Feature.BUILTIN_SEGMENTS)
    else:
        require_feature(settings, Feature.OWN_SEGMENTS)
    if campaign.send_mode == SendMode.AT:
        require_feature(settings, Feature.SCHEDULING)
    if campaign.send_mode == SendMode.LOCAL_TIME:
        require_feature(settings, Feature.LOCAL_TIME)
    if len(campaign.variants) > 1:
        require_feature(settings, Feature.AB_TESTING)
    if campaign.account_id is not None:
        account = session.exec(  # never another store's row: its id must look missing
            select(WhatsAppAccount).where(
                WhatsAppAccount.id == campaign.account_id,
                WhatsAppAccount.store_id == campaign.store_id,
            )
        ).first()
        if account is None:
            raise _invalid(
                "That WhatsApp number is not connected.", "Bu WhatsApp numarası bağlı değil."
            )
        default = default_account(session, campaign.store_id)
        if default is None or default.id != account.id:
            require_feature(settings, Feature.SEVERAL_NUMBERS)


def _require_status(campaign: Campaign, *allowed: CampaignStatus) -> None:
    if campaign.status not in allowed:
        raise CampaignError(
            "INVALID_TRANSITION",
            f"Not possible while the campaign is {campaign.status}.",
            f"Kampanya '{campaign.status}' durumundayken bu yapılamaz.",
        )


# --- test send, estimate -------------------------------------------------------------------


def _account_id(session: Session, campaign: Campaign) -> int | None:
    if campaign.account_id is not None:
        return campaign.account_id
    account = default_account(session, campaign.store_id)
    return account.id if account else None


def send_test(
    session: Session,
    *,
    store_id: int,
    campaign_id: int,
    phone_e164: str,
    variant: str | None = None,
    staff_user_id: str | None = None,
) -> list[OutboundMessage]:
    """Queue each variant (or one) to one of the store's staff test numbers before launch (kind
    `test`, sent as marketing at once: plugin.delivery.policy). Records no consent, so an admin
    revocation of that number stays and campaigns keep honouring it."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id)
    _require_status(campaign, CampaignStatus.DRAFT)
    if not re.fullmatch(r"\+[1-9]\d{6,14}", phone_e164):
        raise _invalid(
            "Use the international format, e.g. +905551112233.",
            "Uluslararası biçimi kullanın, örneğin +905551112233.",
        )
    if not staff_numbers.is_staff_test_number(
        stores_service.get_settings(session, store_id), phone_e164
    ):
        raise CampaignError(
            staff_numbers.NOT_STAFF_NUMBER,
            *staff_numbers.not_staff_text(phone_e164),
            status_code=400,
        )
    contact = session.exec(
        select(Contact).where(Contact.store_id == store_id, Contact.phone_e164 == phone_e164)
    ).first()
    if contact is None:
        contact = Contact(
            store_id=store_id,
            phone_e164=phone_e164,
            phone_raw=phone_e164,
            phone_status=PhoneStatus.VALID,
        )
        session.add(contact)
        session.flush()
    assert contact.id is not None
    try:
        consent.refuse_opted_out_test(session, contact=contact, purpose=Purpose.MARKETING)
    except consent.OptedOutNumber as exc:
        raise _invalid(
            "This number's owner opted out; it cannot receive tests.",
            "Bu numaranın sahibi izni geri aldı; test mesajı gönderilemez.",
        ) from exc
    record_tags(
        session, store_id=store_id, contact_id=contact.id, tags=[STAFF_TAG], source="system"
    )
    values = {f: getattr(contact, f) for f in PERSONAL_FIELDS}
    _prepare_variants(session, campaign)
    rows = []
    for v in campaign.variants:
        if variant is not None and v["key"] != variant:
            continue
        row = OutboundMessage(
            store_id=store_id,
            contact_id=contact.id,
            account_id=_account_id(session, campaign),
            purpose=MessagePurpose.MARKETING,
            kind=MessageKind.TEST,
            idempotency_key=f"campaign-test:{campaign_id}:{v['key']}:{uuid.uuid4().hex[:12]}",
            template_id=v["template_id"],
            template_name=v["template_name"],
            template_language=v["template_language"],
            parameters={"components": build_components(v, values)},
            source_type="test",
            source_id=str(campaign_id),
            variant=v["key"],
            due_at=clock.now(),
            status=MessageStatus.SCHEDULED,
        )
        session.add(row)
        rows.append(row)
    if not rows:
        raise _invalid("No such variant.", "Böyle bir varyant yok.")
    campaign.test_sent_at = clock.now()
    session.add(campaign)
    session.flush()
    return rows  # the delivery engine's tick picks up due rows


def estimate_campaign(session: Session, *, store_id: int, campaign_id: int) -> dict[str, Any]:
    """What the merchant sees before launch: audience, consented share, cost, Meta's daily tier."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id)
    settings = stores_service.get_settings(session, store_id)
    where = audience_condition(session, settings=settings, audience=audience_of(campaign))
    consented = consent_state.allows(Purpose.MARKETING)  # the delivery engine's own rule
    key: Any = sa.literal_column(pricing_key_sql("contact")).label("key")
    rows = session.execute(
        sa.select(
            key,
            sa.func.count().label("n"),
            sa.func.count(sa.case((consented, 1))).label("consented"),
            sa.func.count(sa.case((sa.and_(consented, reachable()), 1))).label("deliverable"),
        )
        .where(where)
        .group_by(key)
    ).all()
    audience = sum(r.n for r in rows)
    send_share = Decimal(100 - campaign.holdout_percent) / 100
    category = (campaign.variants[0].get("category") if campaign.variants else None) or "MARKETING"
    groups = expected_groups([(r.key, r.deliverable) for r in rows], category)
    cost = sum(price_audience(settings, category, groups, send_share).values(), Decimal("0"))
    messages = math.floor(sum(n for _, n in groups) * send_share)
    tier = settings.daily_recipient_tier
    limit = CAMPAIGN_MAX_RECIPIENTS[settings.plan]
    if campaign.status == CampaignStatus.DRAFT:  # what the merchant saw; launch reuses it
        campaign.estimated_cost, campaign.cost_currency = (
            cost.quantize(Decimal("0.0001")),
            settings.cost_currency,
        )
        campaign.estimated_messages, campaign.estimated_at = messages, clock.now()
        session.add(campaign)
    return {
        "audience": audience,
        "holdout": audience - math.floor(audience * send_share),
        "consented": sum(r.consented for r in rows),
        "messages": messages,
        "cost": cost.quantize(Decimal("0.0001")),
        "cost_currency": settings.cost_currency,
        "by_country": by_country(rows),
        "cost_by_category": {category.lower(): cost.quantize(Decimal("0.0001"))},
        "rate_card": card_date(settings.rate_table),
        "daily_tier": tier,
        "exceeds_daily_tier": tier is not None and messages > tier,
        "days_needed": 1 if tier is None or messages == 0 else math.ceil(messages / tier),
        "plan_limit": limit,
        "within_plan_limit": limit is None or audience <= limit,
    }


# --- lifecycle -----------------------------------------------------------------------------


def launch_campaign(
    session: Session, *, store_id: int, campaign_id: int, accept_daily_tier: bool = False
) -> Campaign:
    """Draft -> running (send now) or scheduled. Refuses, in both languages, without a test
    send, over the plan's limits, or over Meta's daily tier unless the merchant accepted it."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id, lock=True)
    _require_status(campaign, CampaignStatus.DRAFT)
    settings = stores_service.get_settings(session, store_id)
    _check_plan(session, settings, campaign)
    if campaign.test_sent_at is None:
        raise CampaignError(
            "TEST_SEND_REQUIRED",
            "Send a test to a staff number first.",
            "Önce bir personel numarasına test mesajı gönderin.",
        )
    _prepare_variants(session, campaign)
    limit = CAMPAIGN_MAX_RECIPIENTS[settings.plan]
    if limit is not None:
        where = audience_condition(session, settings=settings, audience=audience_of(campaign))
        count = session.execute(
            sa.select(sa.func.count()).select_from(Contact).where(where)
        ).scalar_one()
        require_recipient_limit(settings, int(count))
    tier = settings.daily_recipient_tier
    if tier is not None and not accept_daily_tier:
        fresh = (
            campaign.estimated_at is not None
            and clock.now() - campaign.estimated_at < ESTIMATE_FRESH_FOR
        )
        if not fresh:
            estimate_campaign(session, store_id=store_id, campaign_id=campaign_id)
        messages = campaign.estimated_messages or 0
        if messages > tier:
            days = math.ceil(messages / tier)
            raise CampaignError(
                "DAILY_TIER_EXCEEDED",
                f"{messages} messages exceed your WhatsApp number's daily limit of {tier} people; "
                f"sending would take {days} days. Confirm to continue.",
                f"{messages} mesaj, WhatsApp numaranızın günlük {tier} kişi sınırını aşıyor; "
                f"gönderim {days} gün sürer. Devam etmek için onaylayın.",
            )
    now = clock.now()
    campaign.launched_at = now
    if campaign.send_mode == SendMode.NOW:
        _start(session, campaign, settings)
    else:
        require_feature(settings, Feature.SCHEDULING)
        if campaign.send_mode == SendMode.LOCAL_TIME:
            instants = _local_instants(session, campaign, settings)
            campaign.send_at = min(instants.values()) if instants else now
        campaign.status = CampaignStatus.SCHEDULED
    campaign.updated_at = now
    session.add(campaign)
    session.flush()
    return campaign


def _start(session: Session, campaign: Campaign, settings: StoreSettings) -> None:
    """Running from now: the audience is evaluated as of this instant and snapshotted."""
    now = clock.now()
    audience = audience_of(campaign)
    if audience.segment_id is not None:
        campaign.audience_rule = get_segment(
            session, store_id=campaign.store_id, segment_id=audience.segment_id
        ).rule
    elif audience.rule is not None:
        campaign.audience_rule = audience.rule
    else:
        campaign.audience_rule = {"builtin": audience.builtin}
    campaign.status = CampaignStatus.RUNNING
    campaign.started_at = campaign.audience_as_of = now
    if len(campaign.variants) > 1:
        campaign.ab_decide_at = now + timedelta(hours=campaign.ab_decide_after_hours)
    campaign.updated_at = now
    session.add(campaign)
    broker.enqueue_after_commit(session, LOOP_ACTOR, campaign.id)


def pause_campaign(session: Session, *, store_id: int, campaign_id: int) -> Campaign:
    """Stop the loop and hold every not-yet-sent outbox row (status cancelled, reason
    campaign_paused) so nothing more goes out until resumed."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id, lock=True)
    _require_status(campaign, CampaignStatus.RUNNING, CampaignStatus.SCHEDULED)
    now = clock.now()
    _set_outbox(
        session, campaign, (PENDING_STATUSES, None), MessageStatus.CANCELLED.value, PAUSED_REASON
    )
    campaign.status, campaign.paused_at, campaign.updated_at = CampaignStatus.PAUSED, now, now
    session.add(campaign)
    session.flush()
    return campaign


def resume_campaign(session: Session, *, store_id: int, campaign_id: int) -> Campaign:
    """Release the held rows and continue from the checkpoint: nobody is queued twice."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id, lock=True)
    _require_status(campaign, CampaignStatus.PAUSED)
    now = clock.now()
    campaign.paused_at, campaign.updated_at = None, now
    if campaign.started_at is None:
        campaign.status = CampaignStatus.SCHEDULED
    else:
        campaign.status = CampaignStatus.RUNNING
        _set_outbox(
            session,
            campaign,
            ((MessageStatus.CANCELLED.value,), PAUSED_REASON),
            MessageStatus.SCHEDULED.value,
            None,
        )
        broker.enqueue_after_commit(session, LOOP_ACTOR, campaign.id)
    session.add(campaign)
    session.flush()
    return campaign


def cancel_campaign(session: Session, *, store_id: int, campaign_id: int) -> Campaign:
    """Stop for good: the loop ends and the campaign's unsent outbox rows are cancelled."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id, lock=True)
    _require_status(
        campaign,
        CampaignStatus.DRAFT,
        CampaignStatus.SCHEDULED,
        CampaignStatus.RUNNING,
        CampaignStatus.PAUSED,
    )
    now = clock.now()
    _set_outbox(
        session, campaign, (PENDING_STATUSES, None), MessageStatus.CANCELLED.value, CANCELLED_REASON
    )
    _set_outbox(
        session,
        campaign,
        ((MessageStatus.CANCELLED.value,), PAUSED_REASON),
        MessageStatus.CANCELLED.value,
        CANCELLED_REASON,
    )
    campaign.status, campaign.cancelled_at, campaign.updated_at = CampaignStatus.CANCELLED, now, now
    session.add(campaign)
    session.flush()
    return campaign


def _set_outbox(
    session: Session,
    campaign: Campaign,
    where: tuple[tuple[str, ...], str | None],
    status: str,
    reason: str | None,
) -> int:
    statuses, current_reason = where
    ob: Any = OutboundMessage
    stmt = sa.update(OutboundMessage).where(
        ob.store_id == campaign.store_id,
        ob.campaign_id == campaign.id,
        ob.kind == MessageKind.CAMPAIGN.value,
        ob.status.in_(statuses),
    )
    if current_reason is not None:
        stmt = stmt.where(ob.status_reason == current_reason)
    result = session.execute(
        stmt.values(status=status, status_reason=reason, updated_at=clock.now())
    )
    return int(result.rowcount or 0)


# --- the loop ------------------------------------------------------------------------------


def _zone(name: str | None, fallback: str) -> ZoneInfo:
    for candidate in (name, fallback, "UTC"):
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def _local_instants(
    session: Session, campaign: Campaign, settings: StoreSettings
) -> dict[str | None, datetime]:
    """For a local-time campaign: the UTC instant of local_date local_time in each time zone
    the store's contacts have (None: contacts without one, who get the store's zone)."""
    day = date.fromisoformat(campaign.local_date or "")
    hh, mm = (int(x) for x in (campaign.local_time or "00:00").split(":"))
    zones = session.execute(
        sa.select(Contact.timezone).where(Contact.store_id == campaign.store_id).distinct()
    ).scalars()
    out: dict[str | None, datetime] = {}
    for name in {*zones, None}:
        local = datetime.combine(day, time(hh, mm), tzinfo=_zone(name, settings.timezone))
        out[name] = local.astimezone(ZoneInfo("UTC"))
    return out


def _due_expr(session: Session, campaign: Campaign, settings: StoreSettings) -> ColumnElement[Any]:
    due_type = CampaignRecipient.__table__.c.due_at.type  # type: ignore[attr-defined]
    if campaign.send_mode == SendMode.LOCAL_TIME:
        instants = _local_instants(session, campaign, settings)
        default = instants.pop(None)
        if not instants:
            return sa.literal(default, due_type)
        return sa.case(
            *(
                (Contact.timezone == name, sa.literal(at, due_type))
                for name, at in instants.items()
            ),
            else_=sa.literal(default, due_type),
        )
    at = (
        campaign.send_at
        if campaign.send_mode == SendMode.AT and campaign.send_at
        else campaign.started_at
    )
    return sa.literal(at or clock.now(), due_type)


def _assignment(campaign: Campaign) -> tuple[ColumnElement[Any], ColumnElement[bool]]:
    """Variant and holdout per contact from a stable bucket 0–99 of (contact, campaign):
    [0, holdout) is the holdout, then each variant's share; the rest waits for the winner."""
    contact_id: Any = Contact.id
    bucket = (contact_id * 37 + (campaign.id or 0) * 11) % 100
    holdout = campaign.holdout_percent
    whens: list[tuple[Any, Any]] = [(bucket < holdout, sa.literal(""))] if holdout else []
    edge = holdout
    for v in campaign.variants:
        edge += v["share"]
        whens.append((bucket < edge, sa.literal(v["key"])))
    variant = (
        sa.case(*whens, else_=sa.null())
        if edge < 100
        else sa.case(*whens[:-1], else_=whens[-1][1])
        if len(whens) > 1
        else whens[-1][1]
    )
    return variant, (bucket < holdout) if holdout else sa.false()


def _chunk_end(session: Session, campaign: Campaign, size: int) -> int | None:
    """The id of the `size`-th store contact after the snapshot checkpoint; None when fewer
    remain. A chunk is a range of the store's contact ids, so each turn reads a bounded slice
    of `contact` (never the rest of the table sorted again) whatever the audience's density."""
    contact_id: Any = Contact.id
    store_id: Any = Contact.store_id
    end = session.execute(
        sa.select(contact_id)
        .where(store_id == campaign.store_id, contact_id > campaign.snapshot_checkpoint)
        .order_by(contact_id)
        .offset(size - 1)
        .limit(1)
    ).scalar()
    return None if end is None else int(end)


def _audience_chunk(
    session: Session, campaign: Campaign, settings: StoreSettings, size: int
) -> tuple[Any, int | None, int | None]:
    """The audience among the next `size` store contacts, as launched: a SELECT of
    (campaign_id, contact_id, variant, holdout, due_at, personal fields…), the chunk's last
    contact id (None: to the end) and the plan's row limit (None: none)."""
    ctx = context_for(settings)
    ctx = type(ctx)(
        store_id=ctx.store_id,
        currency=ctx.currency,
        now=campaign.audience_as_of or ctx.now,
        abandoned_idle=ctx.abandoned_idle,
    )
    audience = (
        Audience(builtin=campaign.builtin_segment, rule=None)
        if campaign.builtin_segment
        else Audience(rule=campaign.audience_rule)
    )
    where = audience_condition(session, settings=settings, audience=audience, ctx=ctx)
    end = _chunk_end(session, campaign, size)
    contact_id: Any = Contact.id
    bounds = [contact_id > campaign.snapshot_checkpoint]
    if end is not None:
        bounds.append(contact_id <= end)
    variant, holdout = _assignment(campaign)
    chunk = sa.select(
        sa.literal(campaign.id).label("campaign_id"),
        contact_id.label("contact_id"),
        variant.label("variant"),
        holdout.label("holdout"),
        _due_expr(session, campaign, settings).label("due_at"),
        *(getattr(Contact, f).label(f) for f in PERSONAL_FIELDS),
    ).where(where, *bounds)
    plan_limit = CAMPAIGN_MAX_RECIPIENTS[settings.plan]
    limit = None if plan_limit is None else max(0, plan_limit - campaign.recipients_total)
    if limit is not None:  # the plan's first N of the audience, by contact id
        chunk = chunk.order_by(contact_id).limit(limit)
    return chunk, end, limit


def _advance_snapshot(
    campaign: Campaign,
    *,
    taken: int,
    held: int,
    last: int | None,
    end: int | None,
    limit: int | None,
) -> None:
    """Move the snapshot checkpoint past the chunk: to its end, or to the last contact taken
    when the plan's limit stopped it (then, or past the last contact, the snapshot is done)."""
    campaign.recipients_total += taken
    campaign.holdout_total += held
    capped = limit is not None and taken >= limit
    if capped or end is None:
        campaign.snapshot_done = True
    if capped:
        if last is not None:
            campaign.snapshot_checkpoint = last
    elif end is not None:
        campaign.snapshot_checkpoint = end
    elif last is not None:
        campaign.snapshot_checkpoint = max(campaign.snapshot_checkpoint, last)


def _snapshot_chunk(session: Session, campaign: Campaign, settings: StoreSettings) -> int:
    """Snapshot the next chunk of the audience into campaign_recipient (no outbox rows): the
    turns of a paused campaign, and every turn on SQLite."""
    size = SNAPSHOT_CHUNK if campaign.snapshot_checkpoint else _first_turn()
    chunk, end, limit = _audience_chunk(session, campaign, settings, size)
    picked = chunk.subquery("picked")
    # WHERE true: SQLite cannot parse INSERT … SELECT … ON CONFLICT without a WHERE
    rows = sa.select(*(picked.c[k] for k in RECIPIENT_COLUMNS)).where(sa.true())
    stmt = insert_ignoring_conflicts(session, CampaignRecipient).from_select(
        RECIPIENT_COLUMNS, rows
    )
    session.execute(stmt.on_conflict_do_nothing(index_elements=["campaign_id", "contact_id"]))
    r: Any = CampaignRecipient
    window = [r.campaign_id == campaign.id, r.contact_id > campaign.snapshot_checkpoint]
    if end is not None:
        window.append(r.contact_id <= end)
    taken = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.max(r.contact_id),
            sa.func.count(sa.case((r.holdout.is_(True), 1))),
        ).where(*window)
    ).one()
    count = int(taken[0])
    _advance_snapshot(
        campaign, taken=count, held=int(taken[2]), last=taken[1], end=end, limit=limit
    )
    return count


def _one_statement(session: Session) -> bool:
    """Snapshot and outbox rows in one statement needs data-modifying CTEs (PostgreSQL)."""
    return dialect_name(session) == "postgresql"


def _first_turn() -> int:
    return min(FIRST_BATCH, BATCH_SIZE)


def _outbox_select(
    session: Session,
    campaign: Campaign,
    source: Any,
    personal: dict[str, Any],
    *,
    winner: bool,
) -> Any:
    """SELECT of outbox rows (OUTBOX_COLUMNS) for the recipients in `source` (a FROM clause with
    contact_id, variant, holdout, due_at), personal fields read from `personal`: scheduled
    campaign rows with the variant's template and parameters; none for the holdout, and the
    group waiting for the A/B winner only once it is picked (`winner`)."""
    s = source.c
    by_key = {v["key"]: v for v in campaign.variants}
    dialect = dialect_name(session)
    if winner:
        chosen = by_key[campaign.winner_variant or ""]
        variant_col: Any = sa.literal(chosen["key"])
        pick = {
            k: sa.literal(chosen[k]) for k in ("template_id", "template_name", "template_language")
        }
        params = sql_parameters(chosen, dialect, personal)
        eligible = s.variant.is_(None)
    else:
        variant_col = s.variant

        def case_of(key: str) -> Any:
            if len(by_key) == 1:  # one variant: no CASE per row
                return sa.literal(campaign.variants[0][key])
            return sa.case(*((s.variant == k, sa.literal(v[key])) for k, v in by_key.items()))

        pick = {k: case_of(k) for k in ("template_id", "template_name", "template_language")}
        documents = {k: sql_parameters(v, dialect, personal) for k, v in by_key.items()}
        params = (
            next(iter(documents.values()))
            if len(documents) == 1
            else sa.case(*((s.variant == k, doc) for k, doc in documents.items()))
        )
        eligible = sa.and_(s.variant.is_not(None), s.variant != "")
    now = clock.now()
    utc = OutboundMessage.__table__.c.created_at.type  # type: ignore[attr-defined]
    return sa.select(
        sa.literal(campaign.store_id),
        s.contact_id,
        sa.literal(_account_id(session, campaign), sa.Integer),
        sa.literal(MessagePurpose.MARKETING.value),
        sa.literal(MessageKind.CAMPAIGN.value),
        sa.literal(f"campaign:{campaign.id}:") + sa.cast(s.contact_id, sa.String),
        pick["template_id"],
        pick["template_name"],
        pick["template_language"],
        params,
        sa.literal("campaign"),
        sa.literal(str(campaign.id)),
        sa.literal(campaign.id),
        variant_col,
        s.due_at,
        sa.literal(MessageStatus.SCHEDULED.value),
        sa.literal(0),
        sa.literal(now, utc),
        sa.literal(now, utc),
    ).where(s.holdout.is_(False), eligible)


def _insert_outbox(session: Session, rows: Any) -> Any:
    stmt = insert_ignoring_conflicts(session, OutboundMessage).from_select(OUTBOX_COLUMNS, rows)
    return stmt.on_conflict_do_nothing(index_elements=["store_id", "idempotency_key"])


def _fanout_turn(session: Session, campaign: Campaign, settings: StoreSettings) -> int:
    """PostgreSQL, running and caught up: snapshot the next chunk and write its outbox rows in
    ONE statement (data-modifying CTEs over one read of `contact`), so both are in the same
    transaction as the checkpoints that follow. Returns the outbox rows written."""
    size = BATCH_SIZE if campaign.snapshot_checkpoint else _first_turn()
    # every turn planned with its own bounds and constants (psycopg prepares a statement run
    # five times, and a generic plan would guess the id range and re-parse constants per row)
    session.execute(sa.text("SET LOCAL plan_cache_mode = force_custom_plan"))
    session.execute(sa.text("SET LOCAL work_mem = '64MB'"))  # the chunk is kept in memory
    chunk, end, limit = _audience_chunk(session, campaign, settings, size)
    picked = chunk.cte("picked")
    snap = (
        postgresql.insert(CampaignRecipient)
        .from_select(RECIPIENT_COLUMNS, sa.select(*(picked.c[k] for k in RECIPIENT_COLUMNS)))
        .on_conflict_do_nothing(index_elements=["campaign_id", "contact_id"])
        .returning(CampaignRecipient.__table__.c.holdout)  # type: ignore[attr-defined]
        .cte("snap")
    )
    personal = {f: picked.c[f] for f in PERSONAL_FIELDS}
    rows = _outbox_select(session, campaign, picked, personal, winner=False)
    outbox = (
        _insert_outbox(session, rows)
        .returning(OutboundMessage.__table__.c.id)  # type: ignore[attr-defined]
        .cte("outbox")
    )
    counts = session.execute(
        sa.select(
            sa.select(sa.func.max(picked.c.contact_id)).scalar_subquery(),
            sa.select(sa.func.count()).select_from(snap).scalar_subquery(),
            sa.select(sa.func.count())
            .select_from(snap)
            .where(snap.c.holdout.is_(True))
            .scalar_subquery(),
            sa.select(sa.func.count()).select_from(outbox).scalar_subquery(),
        )
    ).one()
    last, inserted, held, written = counts
    _advance_snapshot(
        campaign, taken=int(inserted), held=int(held), last=last, end=end, limit=limit
    )
    campaign.send_checkpoint = campaign.snapshot_checkpoint
    campaign.queued_total += int(written)
    return int(written)


def _outbox_batch(session: Session, campaign: Campaign, *, winner: bool) -> int:
    """Write the next BATCH_SIZE snapshotted recipients' outbox rows and advance the checkpoint
    (after a pause, for the A/B winner's group, and on SQLite)."""
    r: Any = CampaignRecipient
    checkpoint = campaign.winner_checkpoint if winner else campaign.send_checkpoint
    window = (
        sa.select(r.contact_id)
        .where(
            r.campaign_id == campaign.id,
            r.contact_id > checkpoint,
            r.contact_id <= campaign.snapshot_checkpoint,
        )
        .order_by(r.contact_id)
        .limit(BATCH_SIZE)
        .subquery()
    )
    seen, upper = session.execute(
        sa.select(sa.func.count(), sa.func.max(window.c.contact_id))
    ).one()
    if int(seen) < BATCH_SIZE:  # the rest of the snapshot (ranges may end past the last one)
        upper = campaign.snapshot_checkpoint
    source = (
        sa.select(r.contact_id, r.variant, r.holdout, r.due_at)
        .where(r.campaign_id == campaign.id, r.contact_id > checkpoint, r.contact_id <= upper)
        .subquery("recipient")
    )
    contact_id: Any = Contact.id
    rows = _outbox_select(
        session,
        campaign,
        source,
        {f: getattr(Contact, f) for f in PERSONAL_FIELDS},
        winner=winner,
    ).join_from(source, Contact.__table__, contact_id == source.c.contact_id)
    result = session.execute(
        _insert_outbox(session, rows), execution_options={"preserve_rowcount": True}
    )
    written = max(int(result.rowcount or 0), 0)
    if winner:
        campaign.winner_checkpoint = int(upper)
    else:
        campaign.send_checkpoint = int(upper)
    campaign.queued_total += written
    return written


def _winner_group_pending(campaign: Campaign) -> bool:
    return (
        len(campaign.variants) > 1
        and sum(v["share"] for v in campaign.variants) + campaign.holdout_percent < 100
    )


ANALYZE_AFTER_ROWS = 10_000  # a fan-out this large changes the outbox's statistics at once


def _refresh_planner_statistics(session: Session, campaign: Campaign) -> None:
    """After a large fan-out, refresh the planner's statistics of the tables it grew.

    Until autovacuum's next analyze (a minute or more later, never when an operator turned it
    off) the planner still believes the outbox is as small as before, and the queries every
    webhook runs on it (an order cancelling a contact's waiting recovery steps) picked a
    store-wide index scan over a contact's: 5 ms per order at 100,000 queued rows, measured in
    the soak benchmark. ANALYZE samples a fixed number of rows and takes a lock that blocks
    neither reads nor writes."""
    if session.get_bind().dialect.name != "postgresql":
        return
    if campaign.queued_total < ANALYZE_AFTER_ROWS:
        return
    session.execute(sa.text("ANALYZE outbound_message"))
    session.execute(sa.text("ANALYZE campaign_recipient"))


def run_batch(session: Session, *, campaign_id: int) -> bool:
    """One turn of the loop; True when it re-enqueued itself. Pause and cancel are read here,
    at the top of every batch, under the campaign's row lock."""
    query = select(Campaign).where(Campaign.id == campaign_id).with_for_update()
    campaign = session.exec(query).first()
    if campaign is None or campaign.status not in (CampaignStatus.RUNNING, CampaignStatus.PAUSED):
        return False
    settings = stores_service.get_settings(session, campaign.store_id)
    running = campaign.status == CampaignStatus.RUNNING
    caught_up = campaign.send_checkpoint >= campaign.snapshot_checkpoint
    if running and caught_up and not campaign.snapshot_done and _one_statement(session):
        _fanout_turn(session, campaign, settings)
    else:
        if not campaign.snapshot_done:
            # the snapshot goes on while paused: the audience is the one at launch
            _snapshot_chunk(session, campaign, settings)
        if running:
            if campaign.send_checkpoint < campaign.snapshot_checkpoint:
                _outbox_batch(session, campaign, winner=False)
            elif (
                campaign.winner_variant
                and campaign.winner_checkpoint < campaign.snapshot_checkpoint
            ):
                _outbox_batch(session, campaign, winner=True)
    main_done = campaign.snapshot_done and campaign.send_checkpoint >= campaign.snapshot_checkpoint
    winner_done = not _winner_group_pending(campaign) or (
        campaign.winner_variant is not None
        and campaign.winner_checkpoint >= campaign.snapshot_checkpoint
    )
    if main_done and winner_done and campaign.fanout_done_at is None:
        campaign.fanout_done_at = clock.now()
        _refresh_planner_statistics(session, campaign)
    campaign.batches += 1
    campaign.updated_at = clock.now()
    session.add(campaign)
    more = not campaign.snapshot_done or (
        campaign.status == CampaignStatus.RUNNING
        and (
            campaign.send_checkpoint < campaign.snapshot_checkpoint
            or (
                campaign.winner_variant is not None
                and campaign.winner_checkpoint < campaign.snapshot_checkpoint
            )
        )
    )
    if more:
        broker.enqueue_after_commit(session, LOOP_ACTOR, campaign.id)
    return more


# --- A/B -----------------------------------------------------------------------------------


def variant_rates(
    session: Session, *, campaign: Campaign, metric: str
) -> tuple[str, dict[str, dict[str, Any]]]:
    """Per variant: messages sent and the metric's hits. Clicks are read from an outbox
    `clicked_at` column when the measurement work has added one; until then, replies."""
    ob: Any = OutboundMessage
    clicked = getattr(OutboundMessage, "clicked_at", None)
    used = (
        AbMetric.CLICK.value
        if metric == AbMetric.CLICK.value and clicked is not None
        else AbMetric.REPLY.value
    )
    im: Any = InboundMessage
    if used == AbMetric.CLICK.value:
        hit: Any = sa.case((clicked.is_not(None), 1))  # type: ignore[union-attr]
    else:
        replied = sa.exists().where(
            im.contact_id == ob.contact_id,
            ob.sent_at.is_not(None),
            im.received_at >= ob.sent_at,
        )
        hit = sa.case((replied, 1))
    rows = session.execute(
        sa.select(ob.variant, sa.func.count().label("sent"), sa.func.count(hit).label("hits"))
        .where(
            ob.campaign_id == campaign.id,
            ob.kind == MessageKind.CAMPAIGN.value,
            ob.status.in_(SENT_STATUSES),
        )
        .group_by(ob.variant)
    ).all()
    stats = {v["key"]: {"sent": 0, "hits": 0, "rate": 0.0} for v in campaign.variants}
    for row in rows:
        if row.variant in stats:
            stats[row.variant] = {
                "sent": row.sent,
                "hits": row.hits,
                "rate": row.hits / row.sent if row.sent else 0.0,
            }
    return used, stats


def pick_winner(session: Session, *, campaign: Campaign) -> str:
    """The variant with the best rate (ties: the earlier key); the waiting group gets it."""
    used, stats = variant_rates(session, campaign=campaign, metric=campaign.ab_metric)
    best = max(campaign.variants, key=lambda v: (stats[v["key"]]["rate"], -ord(v["key"])))
    campaign.winner_variant = best["key"]
    campaign.winner_metric_used = used
    campaign.winner_picked_at = clock.now()
    session.add(campaign)
    if campaign.status == CampaignStatus.RUNNING and _winner_group_pending(campaign):
        campaign.fanout_done_at = None
        broker.enqueue_after_commit(session, LOOP_ACTOR, campaign.id)
    return best["key"]


# --- ticks and progress --------------------------------------------------------------------


def tick(*, session: Session) -> None:
    """Scheduler task: start due campaigns, pick due A/B winners, finish campaigns whose
    every message is settled, and re-enqueue a loop whose message was lost."""
    now = clock.now()
    c: Any = Campaign
    for campaign in session.exec(
        select(Campaign).where(c.status == CampaignStatus.SCHEDULED.value, c.send_at <= now)
    ):
        _start(session, campaign, stores_service.get_settings(session, campaign.store_id))
    for campaign in session.exec(
        select(Campaign).where(
            c.status.in_([CampaignStatus.RUNNING.value, CampaignStatus.PAUSED.value]),
            c.winner_variant.is_(None),
            c.ab_decide_at.is_not(None),
            c.ab_decide_at <= now,
        )
    ):
        pick_winner(session, campaign=campaign)
    ob: Any = OutboundMessage
    for campaign in session.exec(select(Campaign).where(c.status == CampaignStatus.RUNNING.value)):
        waiting_for_winner = _winner_group_pending(campaign) and campaign.winner_variant is None
        if campaign.fanout_done_at is None:
            main_done = (
                campaign.snapshot_done and campaign.send_checkpoint >= campaign.snapshot_checkpoint
            )
            if not (main_done and waiting_for_winner) and now - campaign.updated_at > STALL_AFTER:
                broker.enqueue_after_commit(session, LOOP_ACTOR, campaign.id)
            continue
        if waiting_for_winner:
            continue
        unfinished = session.execute(
            sa.select(
                sa.exists().where(ob.campaign_id == campaign.id, ob.status.in_(UNFINISHED_STATUSES))
            )
        ).scalar()
        if not unfinished:
            campaign.status, campaign.completed_at, campaign.updated_at = (
                CampaignStatus.COMPLETED,
                now,
                now,
            )
            session.add(campaign)
    session.flush()


def campaign_progress(session: Session, *, store_id: int, campaign_id: int) -> dict[str, Any]:
    """Live progress: the loop's checkpoints and the outbox's counts by status and reason."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id)
    ob: Any = OutboundMessage
    rows = session.execute(
        sa.select(ob.variant, ob.status, ob.status_reason, sa.func.count().label("n"))
        .where(
            ob.store_id == store_id,
            ob.campaign_id == campaign.id,
            ob.kind == MessageKind.CAMPAIGN.value,
        )
        .group_by(ob.variant, ob.status, ob.status_reason)
    ).all()
    by_status: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    by_variant: dict[str, dict[str, int]] = {}
    for row in rows:
        by_status[row.status] = by_status.get(row.status, 0) + row.n
        if row.status_reason:
            by_reason[row.status_reason] = by_reason.get(row.status_reason, 0) + row.n
        per = by_variant.setdefault(row.variant or "", {})
        per[row.status] = per.get(row.status, 0) + row.n
    waiting = 0
    if _winner_group_pending(campaign) and campaign.winner_variant is None:
        r: Any = CampaignRecipient
        waiting = int(
            session.execute(
                sa.select(sa.func.count()).where(
                    r.campaign_id == campaign.id, r.variant.is_(None), r.holdout.is_(False)
                )
            ).scalar_one()
        )
    return {
        "id": campaign.id,
        "status": campaign.status.value if hasattr(campaign.status, "value") else campaign.status,
        "recipients": campaign.recipients_total,
        "holdout": campaign.holdout_total,
        "queued": campaign.queued_total,
        "snapshot_done": campaign.snapshot_done,
        "fanout_done": campaign.fanout_done_at is not None,
        "waiting_for_winner": waiting,
        "winner_variant": campaign.winner_variant,
        "by_status": by_status,
        "by_reason": by_reason,
        "by_variant": by_variant,
        "batches": campaign.batches,
        "estimated_cost": campaign.estimated_cost,
        "cost_currency": campaign.cost_currency,
    }
