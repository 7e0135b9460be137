"""The carrier table: which tracking page a shipment's details lead to."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from plugin.flows import carriers


def test_a_shipping_method_name_finds_its_turkish_carrier_however_it_is_written() -> None:
    assert carriers.find("Aras Kargo - Standart").key == "aras"  # type: ignore[union-attr]
    assert carriers.find("YURTİÇİ KARGO").key == "yurtici"  # type: ignore[union-attr]
    assert carriers.find("Sürat Kargo (kapıda ödeme)").key == "surat"  # type: ignore[union-attr]
    assert carriers.find("hepsiJET Hızlı").key == "hepsijet"  # type: ignore[union-attr]
    # MNG trades as DHL eCommerce: not DHL Express
    assert carriers.find("DHL eCommerce").key == "mng"  # type: ignore[union-attr]
    assert carriers.find("DHL Express Worldwide").key == "dhl_express"  # type: ignore[union-attr]
    # a word that merely contains a carrier's letters names nothing
    assert carriers.find("Gift groups delivery") is None
    assert carriers.find("Ücretsiz kargo") is None


def test_the_tracking_page_follows_the_shipment_before_the_store_default() -> None:
    number = "3513773163316"
    url = carriers.tracking_url(number, shipping_method="Aras Kargo", chosen_carrier="ptt")
    assert url == "https://kargotakip.araskargo.com.tr/mainpage.aspx?code=3513773163316"
    url = carriers.tracking_url(number, metadata_carrier="ups", shipping_method="Aras Kargo")
    assert url == "https://www.ups.com/track?loc=tr_TR&tracknum=3513773163316"
    url = carriers.tracking_url(number, chosen_carrier="ptt")
    assert url == "https://gonderitakip.ptt.gov.tr/Track/Verify?q=3513773163316"
    url = carriers.tracking_url(number, url_template="https://kargo.example/{tracking_number}")
    assert url == "https://kargo.example/3513773163316"
    assert carriers.tracking_url(number) is None
    # a number that is a URL is the link
    page = "https://track.example/p/77"
    assert carriers.tracking_url(page, shipping_method="Aras Kargo") == page


@given(number=st.text(min_size=1, max_size=40), key=st.sampled_from(sorted(carriers.BY_KEY)))
def test_a_tracking_number_never_changes_the_carriers_address(number: str, key: str) -> None:
    if not number.strip() or carriers.is_url(number.strip()):
        return
    url = carriers.tracking_url(number, chosen_carrier=key)
    prefix = carriers.BY_KEY[key].url.split(carriers.NUMBER)[0]
    assert url is not None and url.startswith(prefix)
    assert not any(ch in url[len(prefix) :] for ch in "/?#&= ")
