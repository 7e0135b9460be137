"""Installing Ulak into a Saleor, finding the store of a webhook, and uninstalling."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt
import structlog
from sqlmodel import Session, select

from plugin import broker, clock, crypto
from plugin.errors import AuthenticationError, ConfigurationError, RetryableError
from plugin.saleor import jwks
from plugin.saleor.gateway import SaleorGateway, TokenOwner
from plugin.saleor.manifest import manifest_url
from plugin.saleor.models import Store, StoreStatus
from plugin.saleor.payloads import AppDeletedEvent
from plugin.saleor.urls import SaleorApiUrl, is_allowed, parse_api_url
from plugin.settings import Settings

log = structlog.get_logger(__name__)


def install(
    *, session: Session, api_url: SaleorApiUrl, auth_token: str, domain: str, settings: Settings
) -> Store:
    """Verify the token against that Saleor, fetch its keys and store the installation.

    Saleor must confirm the token is an installation of this Ulak (`is_this_app`): any other
    app on the same Saleor holds a valid token too, and must not take the store over. An
    active store changes its app id only once Saleor refuses the installed app's token
    (after APP_DELETED the store is disabled and any genuine installation may take it).
    A reinstall replaces the token and reactivates the store; its data stays.
    """
    if not is_allowed(api_url, settings.allowed_saleor_urls, dev=settings.is_dev):
        raise ConfigurationError(
            "this Saleor is not allowed to install Ulak (ALLOWED_SALEOR_URLS)",
            code="SALEOR_URL_NOT_ALLOWED",
            status_code=403,
        )
    if not auth_token:
        raise ConfigurationError("missing auth_token", code="MISSING_AUTH_TOKEN")
    gateway = SaleorGateway(api_url, auth_token, timeout=settings.saleor_http_timeout_seconds)
    owner = _saleor_call(gateway.token_owner)
    if not is_this_app(owner, settings):
        log.warning("register_refused_foreign_app", app_type=owner.type)
        raise ConfigurationError(
            "the token belongs to another app, not to an installation of this Ulak",
            code="NOT_THIS_APP",
            status_code=403,
        )
    store = session.exec(select(Store).where(Store.saleor_api_url == api_url)).first()
    if (
        store is not None
        and store.is_active
        and store.saleor_app_id != owner.id
        and _still_installed(store, settings)
    ):
        raise ConfigurationError(
            "Ulak is already installed on this Saleor; uninstall that installation first",
            code="ALREADY_INSTALLED",
            status_code=409,
        )
    try:
        raw_jwks = jwks.fetch_jwks(api_url, timeout=settings.saleor_http_timeout_seconds)
    except RetryableError as exc:
        raise ConfigurationError(str(exc), code="JWKS_UNAVAILABLE", status_code=424) from exc

    app_id = owner.id
    now = clock.now()
    if store is None:
        store = Store(saleor_api_url=api_url, saleor_app_id=app_id, app_token_encrypted="")
    store.saleor_app_id = app_id
    store.app_token_encrypted = crypto.encrypt(auth_token)
    store.domain = owner.shop_host or domain
    store.name = owner.shop_name or store.name or store.domain
    store.jwks = raw_jwks
    store.jwks_fetched_at = now
    store.status = StoreStatus.ACTIVE
    store.disabled_at = None
    store.updated_at = now
    session.add(store)
    session.flush()
    jwks.prime(api_url, raw_jwks)
    forget_store_ref(api_url)
    broker.enqueue_after_commit(session, "store_installed", store.id)
    log.info("store_installed", store_id=store.id)
    return store


def _saleor_call(call: Callable[[], TokenOwner]) -> TokenOwner:
    """A register-time call to Saleor, its failures as the answer register gives."""
    try:
        return call()
    except RetryableError as exc:
        raise ConfigurationError(str(exc), code="SALEOR_UNREACHABLE", status_code=424) from exc
    except ConfigurationError as exc:
        exc.status_code = 401 if exc.code == "INVALID_APP_TOKEN" else 400
        raise


def _same_url(a: str, b: str) -> bool:
    """URLs equal up to case of scheme and host, a default port and a trailing slash."""
    pa, pb = urlsplit(a.strip()), urlsplit(b.strip())
    defaults = {"http": 80, "https": 443}
    try:
        return (
            pa.scheme.lower() == pb.scheme.lower()
            and (pa.hostname or "") == (pb.hostname or "")
            and (pa.port or defaults.get(pa.scheme.lower()))
            == (pb.port or defaults.get(pb.scheme.lower()))
            and pa.path.rstrip("/") == pb.path.rstrip("/")
            and pa.query == pb.query
            and not pa.username
            and not pa.password
        )
    except ValueError:  # an invalid port
        return False


def is_this_app(owner: TokenOwner, settings: Settings) -> bool:
    """Saleor's word that the token is an installation of this Ulak.

    A third-party app (installed from a manifest, so Saleor fetched it from our URL) whose
    identifier is our manifest id. An identifier alone proves nothing: staff can set any
    identifier on a local app, and any other app on the same Saleor has a valid token too.
    """
    return (
        owner.type == "THIRDPARTY"
        and owner.identifier == settings.app_id
        and owner.manifest_url is not None
        and _same_url(owner.manifest_url, manifest_url(settings))
        and owner.is_active is True
    )


def _still_installed(store: Store, settings: Settings) -> bool:
    """Does Saleor still accept the installed app's token (so that installation is alive)?

    Only Saleor's plain "this token is not valid" counts as no; anything we cannot
    decide (stored token unreadable, another GraphQL error) keeps the installation.
    """
    try:
        old = SaleorGateway(
            SaleorApiUrl(store.saleor_api_url),
            crypto.decrypt(store.app_token_encrypted),
            timeout=settings.saleor_http_timeout_seconds,
        ).token_owner()
    except crypto.DecryptionError:
        return True
    except RetryableError as exc:
        raise ConfigurationError(str(exc), code="SALEOR_UNREACHABLE", status_code=424) from exc
    except ConfigurationError as exc:
        return exc.code != "INVALID_APP_TOKEN"
    return old.id == store.saleor_app_id


def find_store(session: Session, api_url: SaleorApiUrl) -> Store:
    """The active store for a `Saleor-Api-Url`; unknown or uninstalled → 401."""
    store = session.exec(select(Store).where(Store.saleor_api_url == api_url)).first()
    if store is None or not store.is_active:
        raise AuthenticationError("unknown Saleor installation", code="UNKNOWN_SALEOR")
    return store


@dataclass(frozen=True)
class StoreRef:
    """What the webhook edge needs of a store, cheap to keep in memory."""

    id: int
    saleor_api_url: str
    saleor_app_id: str
    jwks: dict[str, Any]


_refs: dict[str, tuple[float, StoreRef]] = {}
STORE_REF_TTL_SECONDS = 10.0


def store_ref(session: Session, api_url: SaleorApiUrl) -> StoreRef:
    """`find_store`, cached for a few seconds: webhook bursts need no lookup per delivery.

    An uninstall in another process is seen within the TTL; deliveries accepted meanwhile
    are recorded and then ignored by the worker, which reads the store row itself.
    """
    cached = _refs.get(api_url)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    store = find_store(session, api_url)
    assert store.id is not None
    ref = StoreRef(store.id, store.saleor_api_url, store.saleor_app_id, store.jwks)
    _refs[api_url] = (time.monotonic() + STORE_REF_TTL_SECONDS, ref)
    return ref


def forget_store_ref(api_url: str) -> None:
    _refs.pop(api_url, None)


def key_resolver(store: Store | StoreRef, settings: Settings) -> jwks.KeyResolver:
    return jwks.KeyResolver(
        SaleorApiUrl(store.saleor_api_url),
        store.jwks,
        min_interval=settings.jwks_refetch_min_interval_seconds,
        timeout=settings.saleor_http_timeout_seconds,
    )


def remember_refetched_keys(session: Session, store_id: int, raw: dict[str, Any]) -> None:
    """Persist a JWKS fetched after a key rotation."""
    store = session.get(Store, store_id)
    if store is None:
        return
    store.jwks = raw
    store.jwks_fetched_at = clock.now()
    session.add(store)
    forget_store_ref(store.saleor_api_url)


def app_token(store: Store) -> str:
    return crypto.decrypt(store.app_token_encrypted)


def gateway_for(store: Store, settings: Settings) -> SaleorGateway:
    return SaleorGateway(
        SaleorApiUrl(store.saleor_api_url),
        app_token(store),
        timeout=settings.saleor_http_timeout_seconds,
    )


def handle_app_deleted(*, session: Session, store: Store, event: AppDeletedEvent) -> None:
    """Saleor uninstalled us: disable the store so nothing more is sent for it."""
    if event.app is not None and event.app.id != store.saleor_app_id:
        return
    store.status = StoreStatus.DISABLED
    store.disabled_at = clock.now()
    store.updated_at = store.disabled_at
    session.add(store)
    jwks.forget(store.saleor_api_url)
    forget_store_ref(store.saleor_api_url)
    log.info("store_disabled", store_id=store.id, at=time.time())


def authenticate_dashboard_token(
    session: Session, token: str | None, settings: Settings
) -> tuple[Store, dict[str, Any]]:
    """The store and claims of a dashboard token, or `AuthenticationError` saying why not.

    The store is the one whose Saleor issued the token (`iss`): the signature is checked
    with that store's JWKS only, so a token from one Saleor can never open another's store.
    Then the `app` claim must be the app id that store installed.
    """
    if not token:
        raise AuthenticationError("missing bearer token", code="MISSING_TOKEN")
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as exc:
        raise AuthenticationError("malformed token", code="BAD_TOKEN") from exc
    issuer = unverified.get("iss")
    if not isinstance(issuer, str):
        raise AuthenticationError("token has no issuer", code="BAD_TOKEN")
    try:
        api_url = parse_api_url(issuer)
    except ConfigurationError as exc:
        raise AuthenticationError("token issuer is not a Saleor URL", code="BAD_TOKEN") from exc
    store = session.exec(select(Store).where(Store.saleor_api_url == api_url)).first()
    if store is None or not store.is_active:
        raise AuthenticationError("token issued by an unknown Saleor", code="UNKNOWN_SALEOR")
    resolver = key_resolver(store, settings)
    claims = jwks.verify_dashboard_token(resolver, token)
    if resolver.refetched is not None:
        assert store.id is not None
        remember_refetched_keys(session, store.id, resolver.refetched)
    if claims.get("app") != store.saleor_app_id:
        raise AuthenticationError("token was issued to another app", code="WRONG_APP")
    if not isinstance(claims.get("user_permissions", []), list):
        raise AuthenticationError("malformed user_permissions claim", code="BAD_TOKEN")
    return store, claims
