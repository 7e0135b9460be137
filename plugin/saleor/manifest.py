"""The app manifest, built from the webhook registry; manifest.json ships the same content."""

from __future__ import annotations

from typing import Any

from plugin import __version__
from plugin.saleor.webhooks import WEBHOOKS
from plugin.settings import Settings

MANIFEST_PATH = "/api/manifest"
PERMISSIONS = ["MANAGE_ORDERS", "MANAGE_CHECKOUTS", "MANAGE_USERS"]
REQUIRED_SALEOR_VERSION = ">=3.20"


def manifest_url(settings: Settings) -> str:
    """Where Saleor fetches our manifest: the URL a genuine installation of Ulak records."""
    return f"{settings.app_url}{MANIFEST_PATH}"


def build_manifest(settings: Settings) -> dict[str, Any]:
    """Saleor's manifest with every URL under APP_URL (never the Host header: it has no port)."""
    base = settings.app_url
    return {
        "id": settings.app_id,
        "version": __version__,
        "name": settings.app_name,
        "about": (
            "Consent-based WhatsApp messages for your store: order updates, cart recovery "
            "and campaigns, with double opt-in, quiet hours and frequency caps. / "
            "Mağazanız için izne dayalı WhatsApp mesajları: sipariş bildirimleri, sepet "
            "hatırlatma ve kampanyalar; çift onay, sessiz saatler ve sıklık sınırlarıyla."
        ),
        "permissions": PERMISSIONS,
        "appUrl": f"{base}/",
        "configurationUrl": f"{base}/",
        "tokenTargetUrl": f"{base}/api/register",
        "dataPrivacyUrl": f"{base}/privacy",
        "homepageUrl": "https://github.com/ulak-app/ulak",
        "supportUrl": "https://github.com/ulak-app/ulak/issues",
        "author": "Ulak",
        "brand": {"logo": {"default": f"{base}/static/logo.png"}},
        "requiredSaleorVersion": REQUIRED_SALEOR_VERSION,
        "webhooks": [
            {
                "name": f"ulak-{w.slug}",
                "asyncEvents": [w.event],
                "query": w.query,
                "targetUrl": f"{base}{w.path}",
                "isActive": True,
            }
            for w in WEBHOOKS
        ],
        "extensions": [],
    }
