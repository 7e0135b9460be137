"""`GET /dev` (dev mode only; production never mounts this router and answers 404): a local
page playing the Saleor dashboard. It frames the admin page for the demo store and answers
its AppBridge as the dashboard does — `handshake` with a dashboard token, `tokenRefresh`
before the token's five minutes run out — with tokens signed by the dev-only key
(plugin/saleor/dev_dashboard.py). The demo store is created on the first visit; `ulak demo`
(or `POST /dev/demo`) adds its customers, orders and consent history.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict
from html import escape
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from plugin import clock
from plugin.db import session_scope
from plugin.events.demo import ensure_demo_store, seed_demo
from plugin.events.demo_people import PEOPLE
from plugin.events.demo_people import shopper as demo_shopper
from plugin.saleor.dev_dashboard import DEMO_API_URL, DEMO_APP_ID, DEMO_DOMAIN, mint_token
from plugin.saleor.dev_dashboard import signing_key as dev_key
from plugin.saleor.dev_events import (
    checkout_event,
    new_order_id,
    order_event,
    signed_delivery,
)
from plugin.saleor.models import Store

router = APIRouter(tags=["dev"], include_in_schema=False)

TITLES = {
    "tr": ("Ulak geliştirici paneli", "Sandbox telefon", "Demo mağaza", "Dil"),
    "en": ("Ulak dev dashboard", "Sandbox phone", "Demo store", "Language"),
}
# the store-events bar: what Saleor would send when this shopper acts
EVENT_TEXTS = {
    "tr": {
        "legend": "Mağaza olayları (Saleor'un yerine)",
        "shopper": "Müşteri",
        "order_created": "Sipariş ver",
        "order_fulfilled": "Kargoya ver",
        "checkout_updated": "Sepeti bırak",
        "advance": "Saati 1 saat ileri al",
        "sent": "Saleor olayı gönderildi: {event} ({status}). Mesaj sandbox telefonda.",
        "no_order": "Önce bir sipariş verin.",
        "advanced": "Uygulama saati: {now}",
        "failed": "Olmadı: {status}",
        "note": "Sepet hatırlatmaları pazarlamadır: izin ve sessiz saatler (21:00–09:00) geçerli.",
    },
    "en": {
        "legend": "Store events (playing Saleor)",
        "shopper": "Shopper",
        "order_created": "Place an order",
        "order_fulfilled": "Ship it",
        "checkout_updated": "Leave a cart",
        "advance": "Move the clock 1 hour on",
        "sent": "Saleor event sent: {event} ({status}). The message is on the sandbox phone.",
        "no_order": "Place an order first.",
        "advanced": "App clock: {now}",
        "failed": "That did not work: {status}",
        "note": "Cart reminders are marketing: consent and quiet hours (21:00–09:00) apply.",
    },
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
header h1{{font-size:16px;margin:0}}header span{{color:#c9c9d1;font-size:13px}}
header nav{{margin-left:auto;display:flex;gap:12px;align-items:center}}
header a{{color:#fff}}header a[aria-current=true]{{font-weight:700;text-decoration:none}}
main{{flex:1;display:flex;min-height:0}}
iframe{{flex:1;width:100%;border:0;display:block}}
#events{{display:flex;flex-wrap:wrap;align-items:center;gap:6px 10px;padding:6px 14px;
 background:#f1f1f4;border-bottom:1px solid #d4d4da;font-size:13px}}
#events b{{font-size:13px}}#events select,#events button{{font:inherit;padding:4px 8px}}
#events output{{flex-basis:100%;color:#1b1b1f}}#events small{{color:#55555e}}
</style></head>
<body>
<header><h1>{title}</h1><span>{store_label}: {store_name}</span>
<nav aria-label="{title}"><a href="/sandbox/phone?lang={lang}" target="ulak-phone">{phone}</a>
<span aria-hidden="true">|</span>{languages}</nav></header>
<section id="events" aria-label="{events_legend}"><b>{events_legend}</b>
<label>{events_shopper} <select id="shopper">{shoppers}</select></label>
<button type="button" data-event="order_created">{order_created}</button>
<button type="button" data-event="order_fulfilled">{order_fulfilled}</button>
<button type="button" data-event="checkout_updated">{checkout_updated}</button>
<button type="button" id="advance">{advance}</button>
<small>{events_note}</small><output id="event-result" aria-live="polite"></output></section>
<main><iframe id="app" title="Ulak" src="{src}"></iframe></main>
<script>
const config = {config};
const orders = {{}};
const result = document.getElementById("event-result");
function say(template, values) {{
  result.textContent = Object.entries(values).reduce(
    (text, [key, value]) => text.replace("{{" + key + "}}", value), template);
}}
document.querySelectorAll("#events [data-event]").forEach((button) => {{
  button.addEventListener("click", async () => {{
    const phone = document.getElementById("shopper").value;
    const event = button.dataset.event;
    const order = orders[phone];
    if (event === "order_fulfilled" && !order) return say(config.texts.no_order, {{}});
    const asked = await fetch("/dev/event", {{method: "POST",
      headers: {{"content-type": "application/json"}},
      body: JSON.stringify({{event, phone, ...(event === "order_fulfilled" ? order : {{}})}})}});
    if (!asked.ok) return say(config.texts.failed, {{status: asked.status}});
    const delivery = await asked.json();
    if (delivery.order_id) orders[phone] = {{order_id: delivery.order_id, number: delivery.number}};
    // what Saleor does: POST the signed body to the app's webhook route
    const sent = await fetch(delivery.path, {{method: "POST", headers: delivery.headers,
      body: delivery.body}});
    say(sent.ok ? config.texts.sent : config.texts.failed,
      {{event: delivery.headers["saleor-event"], status: sent.status}});
  }});
}});
document.getElementById("advance").addEventListener("click", async () => {{
  const moved = await fetch("/sandbox/api/clock", {{method: "POST",
    headers: {{"content-type": "application/json"}},
    body: JSON.stringify({{advance_seconds: 3600}})}});
  const answer = moved.ok ? await moved.json() : {{}};
  say(moved.ok ? config.texts.advanced : config.texts.failed,
    {{now: answer.now ? new Date(answer.now).toLocaleString(config.locale) : "",
      status: moved.status}});
}});
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
        store_id = seed_demo(session).store_id  # the demo people, added once
        store = session.get(Store, store_id)
        assert store is not None
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
    texts = EVENT_TEXTS[lang]
    config = json.dumps({"token": token, "locale": lang, "texts": texts}).replace("</", "<\\/")
    shoppers = "".join(
        f'<option value="{escape(phone)}">{escape(name)}</option>' for name, phone, *_ in PEOPLE
    )
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
            events_legend=texts["legend"],
            events_shopper=texts["shopper"],
            events_note=texts["note"],
            shoppers=shoppers,
            order_created=texts["order_created"],
            order_fulfilled=texts["order_fulfilled"],
            checkout_updated=texts["checkout_updated"],
            advance=texts["advance"],
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
    return asdict(report)


class DevEvent(BaseModel):
    event: Literal["order_created", "order_fulfilled", "checkout_updated"]
    phone: str = Field(max_length=20)
    order_id: str | None = Field(default=None, max_length=100)
    number: int | None = Field(default=None, ge=1, le=10**9)


@router.post("/dev/event")
def dev_event(request: DevEvent) -> dict[str, Any]:
    """What the demo store's Saleor would send for one of its shoppers: the signed delivery
    (route, headers, body), which the page then POSTs to the app like Saleor does."""
    try:
        shopper = demo_shopper(request.phone)
    except KeyError:
        raise HTTPException(404, "not one of the demo store's shoppers") from None
    now = clock.now()
    if request.event == "checkout_updated":
        return signed_delivery("CHECKOUT_UPDATED", checkout_event(shopper, at=now))
    if request.event == "order_created":
        order_id, number = new_order_id(), secrets.randbelow(90_000) + 10_000
        payload = order_event(shopper, order_id=order_id, number=number, at=now)
        return {**signed_delivery("ORDER_CREATED", payload), "order_id": order_id, "number": number}
    if request.order_id is None or request.number is None:
        raise HTTPException(422, "order_id and number name the order to ship")
    payload = order_event(
        shopper,
        order_id=request.order_id,
        number=request.number,
        at=now,
        tracking_number=f"YK{request.number:010d}",
    )
    return signed_delivery("ORDER_FULFILLED", payload)
