"""The demo store's people (dev mode, issue 20 point 1): Turkish and English customers with
their numbers, languages, marketing choices and order history, and each as the demo store's
Saleor knows them (the `/dev` page plays their orders and carts)."""

from __future__ import annotations

from plugin.saleor.dev_events import Shopper

# name, phone, locale, country, marketing history, customer for (days), order totals (TRY).
# The campaign of last week reaches the Turkish customers who ordered in the 90 days before it
# (the built-in "active" segment); the English ones shop less often; one leaves a cart tonight.
PEOPLE: list[tuple[str, str, str, str, str, int, list[str]]] = [
    ("Ayşe Yılmaz", "+905321110001", "tr", "TR", "granted", 40, ["1249.90", "349.50"]),
    ("Mehmet Demir", "+905321110002", "tr", "TR", "granted", 70, ["899.00"]),
    ("Zeynep Kaya", "+905321110003", "tr", "TR", "revoked", 95, ["2150.00"]),
    ("Emre Şahin", "+905321110004", "tr", "TR", "requested", 15, []),
    ("Elif Çelik", "+905321110005", "tr", "TR", "granted", 80, ["459.90", "1299.00", "89.90"]),
    ("Can Öztürk", "+905321110006", "tr", "TR", "none", 185, ["749.00"]),
    ("Selin Arslan", "+905321110007", "tr", "TR", "granted", 25, []),
    ("John Smith", "+447700900123", "en", "GB", "granted", 245, ["1890.00"]),
    ("Emma Brown", "+4915112345678", "en", "DE", "requested", 275, ["640.00"]),
    ("Olivia Johnson", "+12025550143", "en", "US", "revoked", 305, ["2999.00", "159.00"]),
    ("Burak Aydın", "+905321110011", "tr", "TR", "granted", 50, ["579.00"]),
    ("Deniz Koç", "+905321110012", "tr", "TR", "granted", 30, ["1099.00", "249.90"]),
    ("Murat Aksoy", "+905321110013", "tr", "TR", "granted", 60, ["1899.00"]),
    ("Gizem Yurt", "+905321110014", "tr", "TR", "granted", 20, ["459.00"]),
    ("James Wilson", "+447700900456", "en", "GB", "granted", 150, ["720.00"]),
    ("Charlotte Evans", "+447700900789", "en", "GB", "granted", 170, ["1350.00"]),
]  # fmt: skip
TIME_ZONES = {
    "TR": "Europe/Istanbul",
    "GB": "Europe/London",
    "DE": "Europe/Berlin",
    "US": "America/New_York",
}
CONSENT_TEXT = {
    "tr": "WhatsApp ile kampanya ve fırsat mesajları almak istiyorum.",
    "en": "I want to receive offers and campaign messages on WhatsApp.",
}


def shopper(phone: str) -> Shopper:
    """One of the demo people as the demo store's Saleor knows them (KeyError: not one)."""
    person = next((p for p in PEOPLE if p[1] == phone), None)
    if person is None:
        raise KeyError(phone)
    name, _, locale, country, *_ = person
    first, last = name.split(" ", 1)
    return Shopper(
        first_name=first,
        last_name=last,
        phone=phone,
        email=f"{first.lower()}@example.com".replace("ş", "s").replace("ç", "c"),
        country=country,
        language=locale.upper(),
    )
