"""The typed context of an admin request, built with FastAPI `Depends`.

Authentication happens here, once per request: the dashboard token is verified by
`plugin.saleor.service.authenticate_dashboard_token`; a failure is kept in `auth_error` and
the router answers 401 before anything executes (router.py).
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
import strawberry
import structlog
from fastapi import Request
from sqlmodel import Session
from strawberry.fastapi import BaseContext

from plugin.admin_api.loaders import Loaders
from plugin.admin_api.scope import install_guard, scoped
from plugin.db import SessionDep
from plugin.errors import UlakError
from plugin.saleor.models import Store
from plugin.saleor.service import authenticate_dashboard_token
from plugin.settings import Settings, get_settings

log = structlog.get_logger(__name__)
M = TypeVar("M")
S = TypeVar("S", bound=sa.Select[Any])


class AdminContext(BaseContext):
    """Who is asking (store, claims, permissions) and the request's session and dataloaders."""

    def __init__(
        self,
        *,
        session: Session,
        settings: Settings,
        store: Store | None = None,
        claims: dict[str, Any] | None = None,
        auth_error: UlakError | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.settings = settings
        self._store = store
        self.claims = claims or {}
        self.auth_error = auth_error
        self.user_permissions: frozenset[str] = frozenset(
            str(p) for p in self.claims.get("user_permissions", [])
        )
        self.is_staff = self.claims.get("is_staff") is True
        self.loaders = Loaders(self)

    @property
    def store(self) -> Store:
        if self._store is None:  # the router never executes without a store
            raise RuntimeError("admin context without an authenticated store")
        return self._store

    @property
    def store_id(self) -> int:
        assert self.store.id is not None
        return self.store.id

    def scoped(self, stmt: S, *models: Any) -> S:
        """`stmt` restricted to this store (see plugin/admin_api/scope.py)."""
        return scoped(stmt, self.store_id, *models)

    def get_owned(self, model: type[M], row_id: Any) -> M | None:
        """The row of this store with that primary key, or None (never another store's)."""
        pk = sa.inspect(model).primary_key[0]
        stmt = self.scoped(sa.select(model).where(pk == row_id), model)
        return self.session.execute(stmt).scalars().first()


Info = strawberry.Info[AdminContext, None]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def get_context(request: Request, session: SessionDep) -> AdminContext:
    """Sync on purpose: FastAPI runs it in the threadpool (DB and a possible JWKS refetch)."""
    settings = get_settings()
    if request.method != "POST":  # GET serves GraphiQL only; operations need POST
        return AdminContext(session=session, settings=settings)
    try:
        store, claims = authenticate_dashboard_token(session, bearer_token(request), settings)
    except UlakError as exc:  # AuthenticationError, or RetryableError when JWKS is unreachable
        session.rollback()
        log.info("admin_auth_refused", code=exc.code)
        return AdminContext(session=session, settings=settings, auth_error=exc)
    session.commit()  # keeps a JWKS refetched after a key rotation
    assert store.id is not None
    install_guard(session, store.id)
    return AdminContext(session=session, settings=settings, store=store, claims=claims)
