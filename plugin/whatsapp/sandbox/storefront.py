"""The sandbox storefront (dev mode): where a cart-recovery link lands when the store has no
storefront of its own yet.

A store installed in dev mode starts with its checkout URL pointing here
(`<APP_URL>/sandbox/storefront/checkout/?checkout=<token>`), so the recovery message's button
works out of the box and its click is counted like a real one (DESIGN.md, "The sandbox").
The page only says which checkout the shopper would have resumed; it imports nothing from
the app (the sandbox plays Meta and the shopper, never the store's data)."""

from __future__ import annotations

from html import escape

STOREFRONT_PATH = "/sandbox/storefront"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ulak sandbox storefront</title>
<style>
body{{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f6f6f6;color:#1c1c1c}}
main{{max-width:560px;margin:0 auto;padding:24px 16px}}
section{{background:#fff;border-radius:10px;padding:16px 20px;margin:16px 0;
 box-shadow:0 1px 2px #0002}}
h1{{font-size:22px;margin:0 0 4px}}h2{{font-size:18px;margin:0 0 8px}}
code{{background:#eee;padding:1px 5px;border-radius:4px;overflow-wrap:anywhere}}
p{{margin:6px 0}}.muted{{color:#555;font-size:14px}}
</style></head>
<body><main>
<h1>Ulak sandbox storefront</h1>
<p class="muted">Geliştirme modu / dev mode</p>
<section lang="tr"><h2>{tr_title}</h2><p>{tr_body}</p></section>
<section lang="en"><h2>{en_title}</h2><p>{en_body}</p></section>
<p class="muted">{tr_hint}<br>{en_hint}</p>
</main></body></html>
"""


def storefront_page(checkout: str | None) -> str:
    """The landing page for `checkout` (a checkout token), or the shop's front page."""
    hint = (
        "Gerçek mağazanızın ödeme adresini Ulak'ın ayarlarında girin.",
        "Set your real storefront's checkout URL in Ulak's settings.",
    )
    if checkout:
        token = f"<code>{escape(checkout)}</code>"
        texts = (
            "Sepetinize dönüyorsunuz",
            f"Gerçek bir mağazada bu bağlantı {token} sepetinin ödeme sayfasını açardı.",
            "Back to your cart",
            f"In a real store this link would open the checkout of cart {token}.",
        )
    else:
        texts = (
            "Sandbox mağaza",
            "Sepet hatırlatmalarındaki bağlantılar, mağazanın adresi girilene kadar buraya gelir.",
            "Sandbox shop",
            "Cart-recovery links land here until the store's own address is set.",
        )
    return PAGE.format(
        tr_title=texts[0],
        tr_body=texts[1],
        en_title=texts[2],
        en_body=texts[3],
        tr_hint=hint[0],
        en_hint=hint[1],
    )
