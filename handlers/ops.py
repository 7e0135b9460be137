"""Liveness and metrics for operators."""

from __future__ import annotations

import hmac
from pathlib import Path

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from plugin import broker
from plugin.db import get_engine
from plugin.settings import get_settings

router = APIRouter()


@router.get("/healthz")
def healthz() -> JSONResponse:
    checks = {"database": False, "broker": broker.broker_reachable()}
    try:
        with get_engine().connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        checks["database"] = True
    except Exception:  # noqa: BLE001
        checks["database"] = False
    ok = all(checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", **checks}, status_code=200 if ok else 503
    )


PRIVACY_PAGE = Path(__file__).resolve().parents[1] / "plugin" / "static" / "privacy.html"


@router.get("/privacy", response_class=HTMLResponse, include_in_schema=False)
def privacy() -> HTMLResponse:
    """The manifest's dataPrivacyUrl: what Ulak keeps, in English and Turkish."""
    return HTMLResponse(PRIVACY_PAGE.read_text(encoding="utf-8"))


def operator_refusal(request: Request) -> Response | None:
    """None when the caller may read operator pages (/metrics, /openapi.json): anyone in dev;
    in production only with `Authorization: Bearer <METRICS_TOKEN>`, and nobody without it."""
    settings = get_settings()
    if settings.is_dev:
        return None
    if settings.metrics_token is None:
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    expected = f"Bearer {settings.metrics_token.get_secret_value()}".encode()
    if hmac.compare_digest(request.headers.get("authorization", "").encode(), expected):
        return None
    return JSONResponse(
        {"detail": "METRICS_TOKEN required"},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


@router.get("/metrics")
def metrics(request: Request) -> Response:
    return operator_refusal(request) or Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
