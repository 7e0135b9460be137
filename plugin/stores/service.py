"""Reading and changing a store's settings and plan (its monthly usage: plugin.stores.usage)."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session

from plugin import clock
from plugin.errors import FieldError, InvalidInput
from plugin.saleor.models import Store
from plugin.stores import config_cache
from plugin.stores.models import Plan, StoreSettings

_HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_KEYWORDS = 30
MAX_KEYWORD_LENGTH = 40


def get_settings(session: Session, store_id: int) -> StoreSettings:
    """The store's settings, created with the product defaults on first use.

    The session keeps a strong reference to the row: its identity map holds objects weakly,
    so without one every caller in the same transaction (an order event asks four times)
    loaded the row again. In a batch of events the row comes from the worker's copy
    (plugin.stores.config_cache) while the store's configuration is unchanged: attached to
    this session as if loaded, so a caller's change is written as before."""
    # the identity map's key built as SQLAlchemy builds it (its helper cost more than the rest)
    settings: StoreSettings | None = session.identity_map.get((StoreSettings, (store_id,), None))
    if settings is None:
        at, copy = config_cache.lookup(session, store_id, _SETTINGS)
        if copy is not None:
            settings = _attached_copy(session, copy)
        else:
            settings = _load_or_create(session, store_id)
            if at is not None:
                config_cache.keep(session, store_id, _SETTINGS, at, config_cache.copy_row(settings))
    session.info.setdefault("store_settings", {})[store_id] = settings
    return settings


_SETTINGS = "store_settings"


def set_extra_key(session: Session, store_id: int, key: str, value: Any) -> None:
    """Set one key of the store's `extra` settings (None: remove it) in one statement, leaving
    its other keys as the database holds them now. Why: writers that read the whole document
    and wrote it back lost each other's keys. The tick stamping the RFM refresh between a
    merchant's read and commit silently dropped the staff test numbers just saved (a CI run,
    session 21)."""
    table = StoreSettings.__table__  # type: ignore[attr-defined]
    postgres = session.get_bind().dialect.name == "postgresql"
    current = sa.func.coalesce(table.c.extra, sa.cast("{}", JSONB) if postgres else "{}")
    if value is None:
        merged: Any = current.op("-")(key) if postgres else sa.func.json_remove(current, f"$.{key}")
    elif postgres:
        pair = sa.func.jsonb_build_object(
            sa.cast(sa.literal(key), sa.Text), sa.cast(sa.literal(value, JSONB), JSONB)
        )
        merged = current.op("||")(pair)
    else:
        merged = sa.func.json_set(current, f"$.{key}", sa.func.json(sa.literal(value, sa.JSON)))
    session.execute(sa.update(table).where(table.c.store_id == store_id).values(extra=merged))
    held = session.identity_map.get(identity_key(StoreSettings, store_id))
    if held is not None:  # the session's copy reads the merged document next
        session.expire(held, ["extra"])


def _attached_copy(session: Session, kept: StoreSettings) -> StoreSettings:
    """A copy of the kept row in this session, as if it had just been loaded."""
    row = config_cache.copy_row(kept)
    session.add(row)
    return row


def _load_or_create(session: Session, store_id: int) -> StoreSettings:
    settings = session.get(StoreSettings, store_id)
    if settings is None:
        settings = StoreSettings(store_id=store_id)
        try:
            with session.begin_nested():  # two workers may create it at once
                session.add(settings)
                session.flush()
        except IntegrityError:
            found = session.get(StoreSettings, store_id, populate_existing=True)
            if found is None:
                raise
            settings = found
    return settings


def ensure_settings(*, session: Session, store: Store) -> None:
    """After-install step: every store has a settings row."""
    assert store.id is not None
    get_settings(session, store.id)


@dataclass(frozen=True, kw_only=True)
class SettingsChanges:
    """What a merchant may change; None leaves a value as it is."""

    timezone: str | None = None
    default_region: str | None = None
    default_locale: str | None = None
    quiet_hours_start: str | None = None
    quiet_hours_end: str | None = None
    quiet_hours_transactional: bool | None = None
    marketing_cap_24h: int | None = None
    marketing_cap_7d: int | None = None
    recovery_pause_after_order_hours: int | None = None
    optout_keywords: list[str] | None = None
    optin_keywords: list[str] | None = None
    resume_keywords: list[str] | None = None
    optin_lapse_days: int | None = None
    message_retention_days: int | None = None
    inbox_retention_days: int | None = None
    attribution_window_hours: int | None = None
    storefront_url: str | None = None
    checkout_url_template: str | None = None
    storefront_origins: list[str] | None = None
    optin_daily_limit: int | None = None
    tier_reserve_percent: int | None = None


MAX_STOREFRONT_ORIGINS = 20
MAX_OPTIN_DAILY_LIMIT = 100_000
_ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:\d{1,5})?$", re.IGNORECASE)


def _error(field: str, code: str, message: str, message_tr: str) -> FieldError:
    return FieldError(field, code, message, message_tr)


def validate_settings(changes: SettingsChanges) -> list[FieldError]:
    """Every rule a settings change must meet; an empty list means it may be applied."""
    errors: list[FieldError] = []
    if changes.timezone is not None and not _is_timezone(changes.timezone):
        errors.append(
            _error(
                "timezone",
                "INVALID",
                "Unknown time zone; use an IANA name such as Europe/Istanbul.",
                "Bilinmeyen saat dilimi; Europe/Istanbul gibi bir IANA adı kullanın.",
            )
        )
    if changes.default_region is not None and not _is_region(changes.default_region):
        errors.append(
            _error(
                "defaultRegion",
                "INVALID",
                "Unknown region; use a two-letter ISO 3166 code such as TR.",
                "Bilinmeyen bölge; TR gibi iki harfli bir ISO 3166 kodu kullanın.",
            )
        )
    if changes.default_locale is not None and not re.fullmatch(
        r"[a-z]{2}(-[A-Z]{2})?", changes.default_locale
    ):
        errors.append(
            _error(
                "defaultLocale",
                "INVALID",
                "Use a language code such as tr or en-GB.",
                "tr veya en-GB gibi bir dil kodu kullanın.",
            )
        )
    for name, graphql_name in (
        ("quiet_hours_start", "quietHoursStart"),
        ("quiet_hours_end", "quietHoursEnd"),
    ):
        value = getattr(changes, name)
        if value is not None and not _HH_MM.match(value):
            errors.append(
                _error(
                    graphql_name,
                    "INVALID",
                    "Use the 24-hour HH:MM format, e.g. 21:00.",
                    "24 saatlik SS:DD biçimini kullanın, örn. 21:00.",
                )
            )
    for name, graphql_name, maximum in (
        ("marketing_cap_24h", "marketingCap24h", 1000),
        ("marketing_cap_7d", "marketingCap7d", 1000),
        ("recovery_pause_after_order_hours", "recoveryPauseAfterOrderHours", 24 * 90),
        ("optin_lapse_days", "optinLapseDays", 365),
        ("message_retention_days", "messageRetentionDays", 3650),
        ("inbox_retention_days", "inboxRetentionDays", 3650),
        ("attribution_window_hours", "attributionWindowHours", 24 * 90),
        ("optin_daily_limit", "optinDailyLimit", MAX_OPTIN_DAILY_LIMIT),
        ("tier_reserve_percent", "tierReservePercent", 50),
    ):
        value = getattr(changes, name)
        if value is not None and not 0 <= value <= maximum:
            errors.append(
                _error(
                    graphql_name,
                    "OUT_OF_RANGE",
                    f"Must be between 0 and {maximum}.",
                    f"0 ile {maximum} arasında olmalı.",
                )
            )
    if (
        changes.marketing_cap_24h is not None
        and changes.marketing_cap_7d is not None
        and changes.marketing_cap_7d < changes.marketing_cap_24h
    ):
        errors.append(
            _error(
                "marketingCap7d",
                "OUT_OF_RANGE",
                "The weekly cap cannot be lower than the daily cap.",
                "Haftalık sınır günlük sınırdan düşük olamaz.",
            )
        )
    for name, graphql_name in (
        ("optout_keywords", "optoutKeywords"),
        ("optin_keywords", "optinKeywords"),
        ("resume_keywords", "resumeKeywords"),
    ):
        words = getattr(changes, name)
        if words is None:
            continue
        cleaned = [w.strip() for w in words]
        if (
            len(cleaned) > MAX_KEYWORDS
            or any(not w or len(w) > MAX_KEYWORD_LENGTH for w in cleaned)
            or (name == "optout_keywords" and not cleaned)
        ):
            errors.append(
                _error(
                    graphql_name,
                    "INVALID",
                    f"Give 1 to {MAX_KEYWORDS} non-empty words of at most "
                    f"{MAX_KEYWORD_LENGTH} characters.",
                    f"En çok {MAX_KEYWORD_LENGTH} karakterlik, boş olmayan 1 ile "
                    f"{MAX_KEYWORDS} arası kelime girin.",
                )
            )
    for name, graphql_name in (
        ("storefront_url", "storefrontUrl"),
        ("checkout_url_template", "checkoutUrlTemplate"),
    ):
        value = getattr(changes, name)
        if value and not re.match(r"^https?://[^\s/]+", value):
            errors.append(
                _error(
                    graphql_name,
                    "INVALID",
                    "Use an http(s) URL.",
                    "http(s) ile başlayan bir adres girin.",
                )
            )
    origins = changes.storefront_origins
    if origins is not None and (
        len(origins) > MAX_STOREFRONT_ORIGINS
        or any(not _ORIGIN.match(o.strip().rstrip("/")) for o in origins)
    ):
        errors.append(
            _error(
                "storefrontOrigins",
                "INVALID",
                f"Give at most {MAX_STOREFRONT_ORIGINS} origins such as "
                "https://shop.example.com (scheme and host, no path).",
                f"https://magaza.example.com gibi en çok {MAX_STOREFRONT_ORIGINS} adres "
                "girin (şema ve alan adı, yol olmadan).",
            )
        )
    return errors


def update_settings(*, session: Session, store_id: int, changes: SettingsChanges) -> StoreSettings:
    """Apply a validated change; `InvalidInput` (nothing changed) when a rule is broken."""
    row = get_settings(session, store_id)
    merged_caps = SettingsChanges(
        marketing_cap_24h=_pick(changes.marketing_cap_24h, row.marketing_cap_24h),
        marketing_cap_7d=_pick(changes.marketing_cap_7d, row.marketing_cap_7d),
    )
    errors = validate_settings(changes)
    if not any(e.field == "marketingCap7d" for e in errors):
        errors += [e for e in validate_settings(merged_caps) if e.field == "marketingCap7d"]
    if errors:
        raise InvalidInput(errors)
    for field in fields(SettingsChanges):
        value = getattr(changes, field.name)
        if value is None:
            continue
        if field.name == "storefront_origins":
            value = list(dict.fromkeys(o.strip().rstrip("/").lower() for o in value))
        elif isinstance(value, list):
            value = [w.strip() for w in value]
        if isinstance(value, str) and field.name in ("storefront_url", "checkout_url_template"):
            value = value.strip() or None
        if field.name == "default_region":
            value = value.upper()
        setattr(row, field.name, value)
    row.updated_at = clock.now()
    session.add(row)
    session.flush()
    return row


def _pick(new: int | None, current: int) -> int:
    return current if new is None else new


def _is_timezone(name: str) -> bool:
    if name not in _timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


_TZ_CACHE: set[str] = set()


def _timezones() -> set[str]:
    if not _TZ_CACHE:
        _TZ_CACHE.update(available_timezones())
    return _TZ_CACHE


def _is_region(code: str) -> bool:
    code = code.strip().upper()
    return len(code) == 2 and code in phonenumbers.SUPPORTED_REGIONS


# ------------------------------------------------------------------------------ plan


def change_plan(*, session: Session, store_id: int, plan: Plan) -> StoreSettings:
    """Switch the store's plan; the quota changes at once, the usage of the month stays
    (marketing held for the quota is released by delivery's next tick while units remain)."""
    row = get_settings(session, store_id)
    if row.plan != plan:
        row.plan = plan
        row.plan_started_at = clock.now()
        row.updated_at = row.plan_started_at
        session.add(row)
        session.flush()
    return row
