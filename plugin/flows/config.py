"""Per-store flow settings: defaults, lookup, changes, and the dev-mode switch-on at install.

Production defaults: every flow is off until the merchant switches it on (a store must first
have approved templates and know what it sends). Dev mode (DESIGN.md: "install, place an order
in Saleor, and the message is on the sandbox phone — no setup") switches the order updates and
cart recovery on at install.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from plugin import clock
from plugin.db import batch_memo
from plugin.errors import FieldError
from plugin.flows.models import ORDER_UPDATE_FLOWS, FlowConfig, FlowKey
from plugin.saleor.models import Store
from plugin.settings import get_settings as app_settings
from plugin.stores import config_cache
from plugin.stores.models import StoreSettings
from plugin.stores.service import get_settings as store_settings
from plugin.templates.variables import RECOVERY_FLOWS, SHIPPED_FLOWS

MAX_RECOVERY_STEPS = 3
DEFAULT_STEPS: list[dict[str, Any]] = [
    {"delay_minutes": 60, "template": "cart_recovery_1", "discount_code": None},
    {"delay_minutes": 24 * 60, "template": "cart_recovery_2", "discount_code": None},
]
DEFAULT_OPTIONS: dict[FlowKey, dict[str, Any]] = {
    # gateways add to StoreSettings.cod_gateways; an order whose `ulak.cod` metadata is
    # "true" is cash on delivery whatever its gateway
    FlowKey.COD_CONFIRMATION: {
        "gateways": [],
        "metadata_key": "ulak.cod",
        "nudge_hours": [4, 24],
        "answer_hours": 24,
    },
    FlowKey.REMINDER: {"hours_before": 24},
    # Saleor's fulfillment has a tracking number only: the carrier comes from the fulfillment's
    # `ulak.carrier` metadata or the shipping method's name, else `carrier` (a key of
    # plugin.flows.carriers), else the store's own page ("https://kargo.example/{tracking_number}")
    FlowKey.ORDER_FULFILLED: {"carrier": None, "tracking_url_template": None},
}
DEV_ENABLED = (*ORDER_UPDATE_FLOWS, FlowKey.CART_RECOVERY)


def default_config(store_id: int, flow_key: FlowKey) -> FlowConfig:
    return FlowConfig(
        store_id=store_id,
        flow_key=flow_key,
        enabled=False,
        steps=[dict(s) for s in DEFAULT_STEPS] if flow_key == FlowKey.CART_RECOVERY else [],
        options=dict(DEFAULT_OPTIONS.get(flow_key, {})),
    )


def _saved(session: Session, store_id: int) -> dict[FlowKey, FlowConfig]:
    """The store's saved flow rows by key; read once per batch of events (batch memo), and in a
    batch from the worker's copy while the store's configuration is unchanged
    (plugin.stores.config_cache): rows in no session, which readers never change."""
    memo = batch_memo(session)
    cached: dict[int, dict[FlowKey, FlowConfig]] | None = (
        memo.setdefault("flows.configs", {}) if memo is not None else None
    )
    if cached is not None and store_id in cached:
        return cached[store_id]
    at, kept = config_cache.lookup(session, store_id, _FLOWS)
    rows: dict[FlowKey, FlowConfig] | None = kept
    if rows is None:
        rows = _read(session, store_id)
        if at is not None:
            copies = {key: config_cache.copy_row(row) for key, row in rows.items()}
            config_cache.keep(session, store_id, _FLOWS, at, copies)
    if cached is not None:
        cached[store_id] = rows
    return rows


_FLOWS = "flow_config"


def _read(session: Session, store_id: int) -> dict[FlowKey, FlowConfig]:
    query = select(FlowConfig).where(FlowConfig.store_id == store_id)
    return {r.flow_key: r for r in session.exec(query).all()}


def flow_config(session: Session, *, store_id: int, flow_key: FlowKey) -> FlowConfig:
    """The store's settings for one flow (an unsaved default when it never changed them)."""
    row = _saved(session, store_id).get(flow_key)
    return row if row is not None else default_config(store_id, flow_key)


def all_configs(session: Session, *, store_id: int) -> list[FlowConfig]:
    """Every flow of the store, in FlowKey order (the admin's list)."""
    rows = _saved(session, store_id)
    memo = batch_memo(session)
    made: dict[int, tuple[object, list[FlowConfig]]] | None = (
        memo.setdefault("flows.all", {}) if memo is not None else None
    )
    if made is not None and store_id in made and made[store_id][0] is rows:
        return list(made[store_id][1])  # built once a batch: a default row costs ~0.25 ms
    configs = [rows.get(k) or default_config(store_id, k) for k in FlowKey]
    if made is not None:  # kept with the saved rows it was built from (`save_config` drops them)
        made[store_id] = (rows, configs)
    return list(configs)


def option(config: FlowConfig, name: str) -> Any:
    return (config.options or {}).get(name, DEFAULT_OPTIONS.get(config.flow_key, {}).get(name))


def applies(config: FlowConfig, channel_slug: str | None) -> bool:
    """Switched on, and for this channel (no channel list = every channel)."""
    if not config.enabled:
        return False
    return not config.channels or (channel_slug is not None and channel_slug in config.channels)


def template_name(config: FlowConfig, template_key: str) -> str:
    return (config.templates or {}).get(template_key) or f"ulak_{template_key}"


# The shipped message's starter variants (plugin.flows.orders picks one per shipment).
SHIPPED_TEMPLATE_KEYS = SHIPPED_FLOWS


def template_keys(config: FlowConfig) -> list[str]:
    """Every template key the flow may send (names: `template_name`)."""
    if config.flow_key == FlowKey.ORDER_FULFILLED:
        return list(SHIPPED_TEMPLATE_KEYS)
    if config.flow_key == FlowKey.CART_RECOVERY:
        return [str(s.get("template") or "") for s in config.steps or [] if s.get("template")]
    return [str(config.flow_key)]


def checkout_url(settings: StoreSettings, token: str | None) -> str | None:
    """The storefront page that resumes a checkout: the store's checkout URL setting (with
    `{checkout_token}`), else its storefront URL's /checkout/ page. None when neither is set:
    cart recovery then does not start (never a link to the Saleor API host)."""
    if not token:
        return None
    if settings.checkout_url_template:
        return settings.checkout_url_template.replace("{checkout_token}", token)
    if settings.storefront_url:
        return f"{settings.storefront_url.rstrip('/')}/checkout/?checkout={token}"
    return None


def checkout_url_set(settings: StoreSettings) -> bool:
    return bool(settings.checkout_url_template or settings.storefront_url)


def step_errors(steps: Sequence[Mapping[str, Any]]) -> list[str]:
    """What is wrong with a recovery sequence (empty when it is fine)."""
    errors: list[str] = []
    if not 1 <= len(steps) <= MAX_RECOVERY_STEPS:
        errors.append(f"steps: between 1 and {MAX_RECOVERY_STEPS}")
    previous = 0
    for i, step in enumerate(steps, start=1):
        delay = step.get("delay_minutes")
        if not isinstance(delay, int) or delay <= previous:
            errors.append(f"steps.{i}.delay_minutes: a whole number of minutes after the last")
        else:
            previous = delay
        template = step.get("template")
        if not isinstance(template, str) or not template:
            errors.append(f"steps.{i}.template: one of {', '.join(RECOVERY_FLOWS)} or a name")
        code = step.get("discount_code")
        if code is not None and (not isinstance(code, str) or not 0 < len(code) <= 15):
            errors.append(f"steps.{i}.discount_code: at most 15 characters")
    return errors


def save_config(
    session: Session,
    *,
    store_id: int,
    flow_key: FlowKey,
    enabled: bool | None = None,
    channels: list[str] | None = None,
    templates: dict[str, str] | None = None,
    variable_mappings: dict[str, Any] | None = None,
    steps: list[dict[str, Any]] | None = None,
    options: dict[str, Any] | None = None,
) -> FlowConfig:
    """Change one flow (None keeps a value); raises ValueError on a bad recovery sequence."""
    if steps is not None and (errors := step_errors(steps)):
        raise ValueError("; ".join(errors))
    # the session's own row (never a shared copy): it is changed and written below
    query = select(FlowConfig).where(
        FlowConfig.store_id == store_id, FlowConfig.flow_key == flow_key
    )
    row = session.exec(query).first() or default_config(store_id, flow_key)
    for name, value in (
        ("enabled", enabled),
        ("channels", channels),
        ("templates", templates),
        ("variable_mappings", variable_mappings),
        ("steps", steps),
        ("options", None if options is None else {**(row.options or {}), **options}),
    ):
        if value is not None:
            setattr(row, name, value)
    row.updated_at = clock.now()
    memo = batch_memo(session)
    if memo is not None:
        memo.get("flows.configs", {}).pop(store_id, None)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # created meanwhile by another worker: apply to that one
        session.expunge(row)
        return save_config(
            session,
            store_id=store_id,
            flow_key=flow_key,
            enabled=enabled,
            channels=channels,
            templates=templates,
            variable_mappings=variable_mappings,
            steps=steps,
            options=options,
        )
    return row


def install_defaults(*, session: Session, store: Store) -> None:
    """After-install step. Dev mode: order updates and cart recovery on (flows a merchant had
    already changed are left alone), and the sandbox storefront as the store's storefront and
    checkout URL, so the recovery link works at once (DESIGN.md, "The sandbox")."""
    if not app_settings().is_dev:
        return
    assert store.id is not None
    existing = set(_read(session, store.id))
    for key in DEV_ENABLED:
        if key not in existing:
            save_config(session, store_id=store.id, flow_key=key, enabled=True)
    settings = store_settings(session, store.id)
    if not settings.checkout_url_template and not settings.storefront_url:
        # The sandbox storefront (store.domain is the Saleor API's host, no shop's).
        from plugin.whatsapp.sandbox.storefront import STOREFRONT_PATH

        shop = f"{app_settings().app_url}{STOREFRONT_PATH}"
        settings.storefront_url = shop
        settings.checkout_url_template = f"{shop}/checkout/?checkout={{checkout_token}}"
        settings.updated_at = clock.now()
        session.add(settings)
    session.flush()


def cannot_enable(session: Session, *, store_id: int, flow_key: FlowKey) -> FieldError | None:
    """Why a flow may not be switched on yet. In production cart recovery needs somewhere for
    its button to go — the store's checkout URL, or its storefront URL (the link is then
    built as `checkout_url` builds it): Saleor's API host is no shop, so the flow stays off
    and says so. Dev mode starts with the sandbox storefront (`install_defaults`)."""
    if flow_key != FlowKey.CART_RECOVERY or app_settings().is_dev:
        return None
    if checkout_url_set(store_settings(session, store_id)):
        return None
    return FieldError(
        "storefrontUrl",
        "REQUIRED",
        "Cart recovery needs your storefront's address (Settings or Onboarding) before it can "
        "be switched on: its messages link back to the shopper's checkout.",
        "Sepet hatırlatması açılmadan önce mağazanızın adresi gerekir (Ayarlar ya da Kurulum): "
        "mesajları müşteriyi ödeme sayfasına geri götürür.",
    )
