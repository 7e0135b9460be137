"""What each plan may do: one table, one check, one typed bilingual refusal.

A merchant on a plan without a feature is refused with `PlanLimitError` (never a silent
downgrade), so the admin can say exactly which plan unlocks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from plugin.errors import UlakError
from plugin.stores.models import PLAN_MONTHLY_QUOTA, PLAN_PRICE_TRY, Plan, StoreSettings


class Feature(StrEnum):
    BUILTIN_SEGMENTS = "builtin_segments"
    OWN_SEGMENTS = "own_segments"
    TAGS = "tags"
    SCHEDULING = "scheduling"
    CSV_IMPORT = "csv_import"
    AB_TESTING = "ab_testing"
    LOCAL_TIME = "local_time"
    SEVERAL_NUMBERS = "several_numbers"


FEATURE_LABELS: dict[Feature, tuple[str, str]] = {
    Feature.BUILTIN_SEGMENTS: ("built-in segments", "hazır segmentler"),
    Feature.OWN_SEGMENTS: ("your own segments", "kendi segmentleriniz"),
    Feature.TAGS: ("tags", "etiketler"),
    Feature.SCHEDULING: ("scheduled campaigns", "zamanlanmış kampanyalar"),
    Feature.CSV_IMPORT: ("CSV import", "CSV içe aktarma"),
    Feature.AB_TESTING: ("A/B tests", "A/B testleri"),
    Feature.LOCAL_TIME: ("sending at each contact's local time", "kişinin yerel saatinde gönderim"),
    Feature.SEVERAL_NUMBERS: ("several WhatsApp numbers", "birden fazla WhatsApp numarası"),
}

# The lowest plan that has each feature.
FEATURE_PLAN: dict[Feature, Plan] = {
    Feature.BUILTIN_SEGMENTS: Plan.FREE,
    Feature.OWN_SEGMENTS: Plan.SILVER,
    Feature.TAGS: Plan.SILVER,
    Feature.SCHEDULING: Plan.SILVER,
    Feature.CSV_IMPORT: Plan.SILVER,
    Feature.AB_TESTING: Plan.GOLD,
    Feature.LOCAL_TIME: Plan.GOLD,
    Feature.SEVERAL_NUMBERS: Plan.GOLD,
}

PLAN_ORDER = [Plan.FREE, Plan.SILVER, Plan.GOLD]
PLAN_NAMES: dict[Plan, tuple[str, str]] = {
    Plan.FREE: ("Free", "Ücretsiz"),
    Plan.SILVER: ("Silver", "Gümüş"),
    Plan.GOLD: ("Gold", "Altın"),
}

# Largest campaign audience per plan (None: no limit of ours; Meta's tier still applies).
CAMPAIGN_MAX_RECIPIENTS: dict[Plan, int | None] = {
    Plan.FREE: 250,
    Plan.SILVER: None,
    Plan.GOLD: None,
}


@dataclass(frozen=True)
class PlanOffer:
    """One column of the plan comparison, read from the tables above (never a copy)."""

    plan: Plan
    price_try: Decimal  # per month
    monthly_quota: int  # messages Meta accepts per month
    campaign_max_recipients: int | None  # None: no limit of ours
    features: tuple[Feature, ...]  # included


def catalogue() -> list[PlanOffer]:
    """Every plan, cheapest first, with what it includes: the admin's comparison."""
    return [
        PlanOffer(
            plan=plan,
            price_try=PLAN_PRICE_TRY[plan],
            monthly_quota=PLAN_MONTHLY_QUOTA[plan],
            campaign_max_recipients=CAMPAIGN_MAX_RECIPIENTS[plan],
            features=tuple(f for f in Feature if has_feature(plan, f)),
        )
        for plan in PLAN_ORDER
    ]


class PlanLimitError(UlakError):
    """The store's plan does not include what was asked for (HTTP 402 when surfaced)."""

    code = "PLAN_LIMIT"
    status_code = 402

    def __init__(self, *, feature: str, required: Plan, message_en: str, message_tr: str) -> None:
        super().__init__(message_en)
        self.feature = feature
        self.required = required
        self.message_en = message_en
        self.message_tr = message_tr


def has_feature(plan: Plan, feature: Feature) -> bool:
    return PLAN_ORDER.index(Plan(plan)) >= PLAN_ORDER.index(FEATURE_PLAN[feature])


def require_feature(settings: StoreSettings, feature: Feature) -> None:
    """Raise PlanLimitError unless the store's plan includes `feature`."""
    if has_feature(settings.plan, feature):
        return
    required = FEATURE_PLAN[feature]
    label_en, label_tr = FEATURE_LABELS[feature]
    name_en, name_tr = PLAN_NAMES[required]
    raise PlanLimitError(
        feature=feature.value,
        required=required,
        message_en=f"Your plan does not include {label_en}. Upgrade to {name_en} to use it.",
        message_tr=f"Planınız {label_tr} içermiyor. Kullanmak için {name_tr} plana geçin.",
    )


def require_recipient_limit(settings: StoreSettings, recipients: int) -> None:
    """Raise PlanLimitError when a campaign's audience is larger than the plan allows."""
    limit = CAMPAIGN_MAX_RECIPIENTS[Plan(settings.plan)]
    if limit is None or recipients <= limit:
        return
    raise PlanLimitError(
        feature="campaign_recipients",
        required=Plan.SILVER,
        message_en=(
            f"This campaign has {recipients} recipients; your plan allows up to {limit}. "
            "Narrow the audience or upgrade to Silver."
        ),
        message_tr=(
            f"Bu kampanyanın {recipients} alıcısı var; planınız en fazla {limit} alıcıya izin "
            "veriyor. Kitleyi daraltın ya da Gümüş plana geçin."
        ),
    )
