"""GET /r/<code>: record the click, redirect at once (the rules live in plugin.analytics.links)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from plugin.analytics.links import record_click
from plugin.db import SessionDep

router = APIRouter()

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
NOT_FOUND = (
    "<!doctype html><html lang=tr><meta charset=utf-8>"
    "<meta name=viewport content='width=device-width, initial-scale=1'>"
    "<title>Bağlantı bulunamadı / Link not found</title>"
    "<h1>Bağlantı bulunamadı</h1><p>Bu bağlantı geçersiz ya da süresi dolmuş.</p>"
    "<h1 lang=en>Link not found</h1><p lang=en>This link is invalid or has expired.</p></html>"
)


@router.api_route("/r/{code}", methods=["GET", "HEAD"], include_in_schema=False)
def follow_link(code: str, request: Request, session: SessionDep) -> Response:
    target = record_click(
        session, code=code, user_agent=request.headers.get("user-agent"), method=request.method
    )
    if target is None:
        return HTMLResponse(NOT_FOUND, status_code=404, headers=HEADERS)
    session.commit()
    return RedirectResponse(target, status_code=302, headers=HEADERS)
