"""Carriers Turkish stores ship with, and where a customer follows a parcel.

Saleor's fulfilment carries a tracking number and nothing else about the carrier, so the
shipping message finds the tracking page in this order:

1. the tracking number is itself a URL: used as it is;
2. the fulfilment's metadata `ulak.carrier` (a key of `CARRIERS` or a carrier's name);
3. the order's shipping method name ("Aras Kargo", "Yurtiçi Kargo - Standart", "UPS Express");
4. the carrier chosen in the flow settings (option `carrier`), else the store's own URL
   pattern (option `tracking_url_template`, `{tracking_number}` in it).

The tracking page patterns come from public integrations of each carrier's tracking page (no
carrier documents a deep link officially). `confirmed=False` marks the ones where the sources we
found disagree on the form: the link may land on the carrier's search page instead of the parcel
(docs/flows.md says so; a merchant who knows better sets `tracking_url_template`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

NUMBER = "{tracking_number}"
METADATA_KEY = "ulak.carrier"


@dataclass(frozen=True, slots=True)
class Carrier:
    key: str
    name: str
    url: str  # the tracking page, NUMBER where the tracking number goes
    aliases: tuple[str, ...]  # words (folded, see `_fold`) that name it in a shipping method
    confirmed: bool = True  # two or more independent sources agree on the URL form


CARRIERS: tuple[Carrier, ...] = (
    Carrier(
        "yurtici",
        "Yurtiçi Kargo",
        f"https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code={NUMBER}",
        ("yurtici", "yurt ici"),
    ),
    Carrier(
        "aras",
        "Aras Kargo",
        f"https://kargotakip.araskargo.com.tr/mainpage.aspx?code={NUMBER}",
        ("aras",),
    ),
    # MNG Kargo trades as DHL eCommerce Türkiye since 2023; sources disagree on the query key
    Carrier(
        "mng",
        "MNG Kargo",
        f"https://www.mngkargo.com.tr/gonderi-takip?code={NUMBER}",
        ("mng", "dhl ecommerce", "dhl e commerce"),
        confirmed=False,
    ),
    Carrier(
        "ptt",
        "PTT Kargo",
        f"https://gonderitakip.ptt.gov.tr/Track/Verify?q={NUMBER}",
        ("ptt",),
    ),
    Carrier(
        "surat",
        "Sürat Kargo",
        f"https://suratkargo.com.tr/KargoTakip/?kargotakipno={NUMBER}",
        ("surat",),
    ),
    Carrier(
        "hepsijet",
        "HepsiJET",
        f"https://www.hepsijet.com/gonderi-takibi/{NUMBER}",
        ("hepsijet", "hepsi jet"),
    ),
    Carrier(
        "trendyol_express",
        "Trendyol Express",
        f"https://kargotakip.trendyol.com/?trackingNumber={NUMBER}",
        ("trendyol express", "trendyolexpress", "trendyol"),
        confirmed=False,
    ),
    Carrier(
        "kolay_gelsin",
        "Kolay Gelsin",
        f"https://esube.kolaygelsin.com/shipments?trackingId={NUMBER}",
        ("kolay gelsin", "kolaygelsin"),
        confirmed=False,
    ),
    Carrier(
        "dhl_express",
        "DHL Express",
        "https://www.dhl.com/tr-en/home/tracking/tracking-express.html?submit=1"
        f"&tracking-id={NUMBER}",
        ("dhl",),
    ),
    Carrier("ups", "UPS", f"https://www.ups.com/track?loc=tr_TR&tracknum={NUMBER}", ("ups",)),
    Carrier("fedex", "FedEx", f"https://www.fedex.com/fedextrack/?trknbr={NUMBER}", ("fedex",)),
    Carrier(
        "tnt",
        "TNT",
        "https://www.tnt.com/express/en_gb/site/shipping-tools/tracking.html?searchType=con"
        f"&cons={NUMBER}",
        ("tnt",),
    ),
    Carrier(
        "aramex",
        "Aramex",
        f"https://www.aramex.com/track/results?ShipmentNumber={NUMBER}",
        ("aramex",),
    ),
)
BY_KEY = {c.key: c for c in CARRIERS}
# longest alias first: "dhl ecommerce" (MNG) before "dhl" (DHL Express)
_ALIASES = sorted(
    ((alias, c) for c in CARRIERS for alias in c.aliases), key=lambda pair: -len(pair[0])
)
_TURKISH = str.maketrans("ıİşŞğĞçÇöÖüÜ", "iIsSgGcCoOuU")


def _fold(text: str) -> str:
    """Lowercase ASCII words: "Yurtiçi KARGO (Standart)" -> "yurtici kargo standart"."""
    plain = unicodedata.normalize("NFKD", text.translate(_TURKISH))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def find(text: str | None) -> Carrier | None:
    """The carrier a key, a name or a shipping method name designates (None when none does)."""
    if not text or not text.strip():
        return None
    if (exact := BY_KEY.get(text.strip().lower())) is not None:
        return exact
    folded = f" {_fold(text)} "
    for alias, carrier in _ALIASES:
        if f" {alias} " in folded:
            return carrier
    return None


def is_url(value: str) -> bool:
    return value.lower().startswith(("https://", "http://"))


def fill(pattern: str, number: str) -> str:
    """The pattern with the number in it (URL-encoded: a number never changes the address)."""
    return pattern.replace(NUMBER, quote(number, safe=""))


def tracking_url(
    number: str,
    *,
    metadata_carrier: str | None = None,
    shipping_method: str | None = None,
    chosen_carrier: str | None = None,
    url_template: str | None = None,
) -> str | None:
    """Where the customer follows this parcel (None when nothing says)."""
    number = number.strip()
    if not number:
        return None
    if is_url(number):
        return number
    for hint in (metadata_carrier, shipping_method, chosen_carrier):
        if (carrier := find(hint)) is not None:
            return fill(carrier.url, number)
    if url_template and NUMBER in url_template and is_url(url_template):
        return fill(url_template, number)
    return None
