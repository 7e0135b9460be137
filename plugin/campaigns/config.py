"""A campaign's configuration: variants checked against their templates, audience and
plan features, the refusals (in English and Turkish) every campaign step raises."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from plugin import clock
from plugin.campaigns import personalise
from plugin.campaigns.models import AbMetric, Campaign, CampaignStatus, SendMode
from plugin.campaigns.personalise import PERSONAL_FIELDS
from plugin.errors import UlakError
from plugin.segments.service import Audience, get_segment
from plugin.stores import service as stores_service
from plugin.stores.models import StoreSettings
from plugin.stores.plans import Feature, require_feature
from plugin.templates.models import MessageTemplate, TemplateStatus
from plugin.whatsapp.accounts import WhatsAppAccount, default_account

MAX_VARIANTS = 4


MAX_HOLDOUT = 50


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


def invalid(message_en: str, message_tr: str) -> CampaignError:
    return CampaignError("INVALID_CAMPAIGN", message_en, message_tr, status_code=400)


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


def approved_template_of(
    session: Session, store_id: int, variant: dict[str, Any]
) -> MessageTemplate:
    template = session.exec(
        select(MessageTemplate).where(
            MessageTemplate.store_id == store_id,
            MessageTemplate.name == variant.get("template_name"),
            MessageTemplate.language == variant.get("template_language"),
        )
    ).first()
    if template is None:
        label = f"{variant.get('template_name')} ({variant.get('template_language')})"
        raise invalid(f"Template {label} not found.", f"{label} şablonu bulunamadı.")
    if template.status != TemplateStatus.APPROVED:
        raise invalid(
            f"Template {template.name} is not approved by Meta yet.",
            f"{template.name} şablonu henüz Meta tarafından onaylanmadı.",
        )
    return template


def _normalise_variants(
    session: Session, store_id: int, variants: list[dict[str, Any]], holdout: int
) -> list[dict[str, Any]]:
    if not 1 <= len(variants) <= MAX_VARIANTS:
        raise invalid(
            "A campaign has 1 to 4 variants.", "Bir kampanyanın 1 ile 4 arasında varyantı olur."
        )
    out: list[dict[str, Any]] = []
    for i, raw in enumerate(variants):
        key = str(raw.get("key") or "ABCD"[i])
        if not _VARIANT_KEY.fullmatch(key) or any(v["key"] == key for v in out):
            raise invalid(
                "Variants are named A, B, C and D.", "Varyantlar A, B, C ve D olarak adlandırılır."
            )
        fields = list(raw.get("body_fields") or [])
        if any(f not in PERSONAL_FIELDS for f in fields):
            raise invalid(
                f"Personal fields can be {', '.join(PERSONAL_FIELDS)}.",
                f"Kişisel alanlar şunlar olabilir: {', '.join(PERSONAL_FIELDS)}.",
            )
        template = approved_template_of(session, store_id, raw)
        share = raw.get("share")
        if len(variants) == 1:
            share = 100 - holdout
        if not isinstance(share, int) or isinstance(share, bool) or not 1 <= share <= 100:
            raise invalid(
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
        raise invalid(
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
            raise invalid("A header takes one value.", "Başlık tek bir değer alır.")
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
                raise invalid(
                    "Each button value is one of: url, code, tag, payload, text.",
                    "Her düğme değeri şunlardan biridir: url, code, tag, payload, text.",
                )
            clean[str(int(key))] = {k: str(v).strip() for k, v in value.items()}
        if not isinstance(buttons, dict):
            raise invalid("Buttons are given by their index.", "Düğmeler sırasıyla verilir.")
        out["buttons"] = clean
    return out


def prepare_variants(session: Session, campaign: Campaign) -> None:
    """Fill every component of each variant's template once (the one message builder), or
    refuse naming the component that cannot be filled, in English and Turkish."""
    shop = personalise.Shop.load(session, campaign.store_id)
    prepared = []
    for variant in campaign.variants:
        template = approved_template_of(session, campaign.store_id, variant)
        try:
            prepared.append(personalise.prepare(shop, variant, template))
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
        raise invalid("A campaign needs a name.", "Kampanyanın bir adı olmalı.")
    if not 0 <= holdout_percent <= MAX_HOLDOUT:
        raise invalid(
            f"The holdout group is 0–{MAX_HOLDOUT}% of the audience.",
            f"Kontrol grubu kitlenin %0–{MAX_HOLDOUT} kadarıdır.",
        )
    if audience.segment_id is not None:
        get_segment(session, store_id=store_id, segment_id=audience.segment_id)
    if ab_metric not in {m.value for m in AbMetric} or not 1 <= ab_decide_after_hours <= 24 * 14:
        raise invalid(
            "Choose reply or click, after 1 hour to 14 days.",
            "Yanıt ya da tıklama seçin, 1 saat ile 14 gün arası.",
        )
    mode = SendMode(send_mode)
    if mode == SendMode.AT and send_at is None:
        raise invalid("Choose when to send.", "Ne zaman gönderileceğini seçin.")
    if mode == SendMode.LOCAL_TIME:
        try:
            date.fromisoformat(local_date or "")
        except ValueError:
            raise invalid("Choose a date (YYYY-MM-DD).", "Bir tarih seçin (YYYY-AA-GG).") from None
        if not _HHMM.fullmatch(local_time or ""):
            raise invalid("Choose a time (HH:MM).", "Bir saat seçin (SS:DD).")
    normalised = _normalise_variants(session, store_id, variants, holdout_percent)
    if campaign_id is None:
        campaign = Campaign(store_id=store_id, name=name.strip())
    else:
        campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id)
        require_status(campaign, CampaignStatus.DRAFT)
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
    check_plan(session, settings, campaign)
    session.add(campaign)
    session.flush()
    return campaign


def check_plan(session: Session, settings: StoreSettings, campaign: Campaign) -> None:
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
            raise invalid(
                "That WhatsApp number is not connected.", "Bu WhatsApp numarası bağlı değil."
            )
        default = default_account(session, campaign.store_id)
        if default is None or default.id != account.id:
            require_feature(settings, Feature.SEVERAL_NUMBERS)


def require_status(campaign: Campaign, *allowed: CampaignStatus) -> None:
    if campaign.status not in allowed:
        raise CampaignError(
            "INVALID_TRANSITION",
            f"Not possible while the campaign is {campaign.status}.",
            f"Kampanya '{campaign.status}' durumundayken bu yapılamaz.",
        )


def account_id_for(session: Session, campaign: Campaign) -> int | None:
    if campaign.account_id is not None:
        return campaign.account_id
    account = default_account(session, campaign.store_id)
    return account.id if account else None
