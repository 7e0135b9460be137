"""`GET /dev` (dev mode only; production never mounts this router and answers 404): a local
page playing the Saleor dashboard. It frames the admin page for the demo store and answers
its AppBridge as the dashboard does — `handshake` with a dashboard token, `tokenRefresh`
before the token's five minutes run out — with tokens signed by the dev-only key
(plugin/saleor/dev_dashboard.py). The demo store is created on the first visit; `ulak demo`
(or `POST /dev/demo`) adds its customers, orders and consent history.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from plugin.db import session_scope
from plugin.events.demo import ensure_demo_store, seed_demo
from plugin.saleor.dev_dashboard import DEMO_API_URL, DEMO_APP_ID, DEMO_DOMAIN, mint_token
from plugin.saleor.dev_dashboard import signing_key as dev_key

router = APIRouter(tags=["dev"], include_in_schema=False)

TITLES = {
    "tr": ("Ulak geliştirici paneli", "Sandbox telefon", "Demo mağaza", "Dil"),
    "en": ("Ulak dev dashboard", "Sandbox phone", "Demo store", "Language"),
}

PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
*{{box-sizing:border-box}}
body{{margin:0;font:15px/1.4 system-ui,sans-serif;display:flex;flex-direction:column;
 height:100vh;height:100dvh}}
header{{display:flex;flex-wrap:wrap;align-items:center;gap:6px 14px;padding:8px 14px;
 background:#1b1b1f;color:#fff}}
header b{{font-size:16px}}header span{{color:#c9c9d1;font-size:13px}}
header nav{{margin-left:auto;display:flex;gap:12px;align-items:center}}
header a{{color:#fff}}header a[aria-current=true]{{font-weight:700;text-decoration:none}}
iframe{{flex:1;width:100%;border:0;display:block}}
</style></head>
<body>
<header><b>{title}</b><span>{store_label}: {store_name}</span>
<nav aria-label="{title}"><a href="/sandbox/phone?lang={lang}" target="ulak-phone">{phone}</a>
<span aria-hidden="true">|</span>{languages}</nav></header>
<iframe id="app" title="Ulak" src="{src}"></iframe>
<script>
const config = {config};
const frame = document.getElementById("app");
const origin = location.origin;
function post(type, payload) {{ frame.contentWindow.postMessage({{type, payload}}, origin); }}
function handshake() {{ post("handshake", {{token: config.token, version: 1}}); }}
window.addEventListener("message", (event) => {{
  if (event.origin !== origin || !event.data || !event.data.type) return;
  const {{type, payload}} = event.data;
  if (payload && payload.actionId) post("response", {{actionId: payload.actionId, ok: true}});
  if (type === "notifyReady") handshake();
}});
frame.addEventListener("load", handshake);
// Saleor refreshes the five-minute token; so does this page.
setInterval(async () => {{
  const answer = await fetch("/dev/token?locale=" + config.locale);
  if (!answer.ok) return;
  config.token = (await answer.json()).token;
  post("tokenRefresh", {{token: config.token}});
}}, 240000);
</script></body></html>
"""


def _language(locale: str) -> str:
    return "en" if locale.lower().startswith("en") else "tr"


@router.get("/dev", response_class=HTMLResponse)
def dev_dashboard(locale: str = "tr", route: str = "onboarding") -> HTMLResponse:
    """The admin page of the demo store, as the Saleor dashboard would show it."""
    lang = _language(locale)
    with session_scope() as session:
        store = ensure_demo_store(session)
        token = mint_token(store, dev_key(), locale=lang)
        store_name = store.name
    params = urlencode(
        {
            "domain": DEMO_DOMAIN,
            "saleorApiUrl": DEMO_API_URL,
            "id": DEMO_APP_ID,
            "theme": "light",
            "locale": lang,
        }
    )
    title, phone, store_label, language = TITLES[lang]
    languages = "".join(
        f'<a href="/dev?locale={code}" lang="{code}" aria-current="{str(code == lang).lower()}"'
        f' title="{language}">{code.upper()}</a>'
        for code in ("tr", "en")
    )
    config = json.dumps({"token": token, "locale": lang}).replace("</", "<\\/")
    return HTMLResponse(
        PAGE.format(
            lang=lang,
            title=title,
            phone=phone,
            store_label=store_label,
            store_name=escape(store_name),
            languages=languages,
            src=escape(f"/?{params}#/{route.strip('/') or 'onboarding'}"),
            config=config,
        )
    )


@router.get("/dev/token")
def dev_token(locale: str = "tr") -> dict[str, str]:
    """A fresh dashboard token for the demo store (the page's tokenRefresh)."""
    with session_scope() as session:
        store = ensure_demo_store(session)
        return {"token": mint_token(store, dev_key(), locale=_language(locale))}


@router.post("/dev/demo")
def dev_demo() -> dict[str, Any]:
    """Create or refresh the demo store and its data in this process (what `ulak demo` asks a
    running server, whose sandbox must hold the store's number and templates)."""
    with session_scope() as session:
        report = seed_demo(session)
    return {
        "store_id": report.store_id,
        "contacts_added": report.contacts_added,
        "orders_added": report.orders_added,
    }
