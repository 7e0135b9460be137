"""The port from the WhatsApp channel to the domains that act on what customers do.

Consent decides what a reply, a marketing preference or error 131050 means; other domains
(flows: stop cart recovery on a reply; segments: tags from button answers) add listeners.
The consent service is imported lazily and called only if it has the function, so this
channel works (and is tested) on its own. Every target is called with keyword arguments,
and only with the ones its signature accepts.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog
from sqlmodel import Session

from plugin.contacts.models import Contact
from plugin.delivery.models import InboundMessage
from plugin.saleor.models import Store

log = structlog.get_logger(__name__)

CONSENT_SERVICE = "plugin.consent.service"

# "module:function" called with (session=, store=, contact=, inbound=<InboundMessage>) after
# consent has seen each new inbound message.
INBOUND_LISTENERS: list[str] = []
# "module:function" called with (session=, store=, contact=, value=, occurred_at=, detail=)
# after consent has seen a marketing preference (stop / resume / signup).
PREFERENCE_LISTENERS: list[str] = []


def resolve(target: str) -> Callable[..., Any] | None:
    """The function named "module:function", or None when that module or name is not there."""
    module_name, _, name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name + ".").startswith(exc.name + "."):
            return None
        raise
    fn = getattr(module, name, None)
    return fn if callable(fn) else None


def _call(fn: Callable[..., Any], **kwargs: Any) -> Any:
    """Call with the keyword arguments `fn` accepts (all of them if it takes **kwargs)."""
    params = inspect.signature(fn).parameters
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        kwargs = {k: v for k, v in kwargs.items() if k in params}
    return fn(**kwargs)


def _consent(name: str, **kwargs: Any) -> bool:
    fn = resolve(f"{CONSENT_SERVICE}:{name}")
    if fn is None:
        log.info("consent_hook_missing", hook=name)
        return False
    _call(fn, **kwargs)
    return True


def _listeners(targets: list[str], **kwargs: Any) -> None:
    for target in targets:
        fn = resolve(target)
        if fn is None:
            log.warning("listener_missing", target=target)
            continue
        _call(fn, **kwargs)


def on_inbound_message(
    *,
    session: Session,
    store: Store,
    contact: Contact,
    inbound: InboundMessage,
) -> None:
    """A new message from a customer: consent first (STOP, EVET...), then the listeners."""
    _consent(
        "handle_inbound",
        session=session,
        store=store,
        contact=contact,
        text=inbound.text,
        button_payload=inbound.button_payload,
        wamid=inbound.wamid,
        received_at=inbound.received_at,
    )
    _listeners(INBOUND_LISTENERS, session=session, store=store, contact=contact, inbound=inbound)


def on_marketing_preference(
    *,
    session: Session,
    store: Store,
    contact: Contact,
    value: str,
    occurred_at: datetime,
    detail: str | None = None,
) -> None:
    """The customer stopped or resumed marketing inside WhatsApp (`user_preferences`)."""
    kwargs: dict[str, Any] = {
        "session": session,
        "store": store,
        "contact": contact,
        "value": value,
        "occurred_at": occurred_at,
        "detail": detail,
    }
    _consent("handle_marketing_preference", **kwargs)
    _listeners(PREFERENCE_LISTENERS, **kwargs)


def on_opt_out_error(
    *,
    session: Session,
    store: Store,
    contact: Contact,
    wamid: str,
    occurred_at: datetime,
) -> None:
    """Meta refused a marketing message with 131050: the customer opted out of marketing."""
    _consent(
        "handle_opt_out_error",
        session=session,
        store=store,
        contact=contact,
        wamid=wamid,
        occurred_at=occurred_at,
    )
