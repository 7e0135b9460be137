"""A merchant tells Ulak, from the settings page alone, where the storefront is and which phone
is theirs for test sends (issue 19's defaults need both): they save, reload, and both are kept —
in English on a desktop and in Turkish on a 390 px phone, the page never wider than the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from plugin.contacts.staff_numbers import staff_test_numbers
from plugin.db import get_engine
from plugin.stores.models import StoreSettings
from tests.browser.conftest import Dashboard

pytestmark = pytest.mark.browser

STOREFRONT = "https://magaza.example.com"
WORDS = {
    "en": {
        "form": "Store settings",
        "storefront": "Storefront",
        "url": "Storefront URL",
        "save": "Save",
        "saved": "Saved.",
        "link": "Cart recovery links open:",
        "staff": "Staff test numbers",
        "phone": "Staff phone 1",
        "save_staff": "Save staff numbers",
    },
    "tr": {
        "form": "Mağaza ayarları",
        "storefront": "Mağaza sitesi",
        "url": "Mağaza sitesinin adresi",
        "save": "Kaydet",
        "saved": "Kaydedildi.",
        "link": "Sepet hatırlatma bağlantıları şunu açar:",
        "staff": "Personel test numaraları",
        "phone": "Personel telefonu 1",
        "save_staff": "Personel numaralarını kaydet",
    },
}


def _stored() -> tuple[str | None, list[str]]:
    with Session(get_engine()) as s:
        row = s.exec(select(StoreSettings)).one()
        return row.storefront_url, staff_test_numbers(row)


@pytest.mark.parametrize(("locale", "width"), [("en", 1280), ("tr", 390)])
def test_the_storefront_url_and_a_staff_number_set_on_the_settings_page_are_kept(
    dashboard: Dashboard, locale: str, width: int
) -> None:
    words = WORDS[locale]
    dashboard.page.set_viewport_size({"width": width, "height": 900})
    # given the settings page
    frame = dashboard.open("settings", locale=locale)
    storefront = frame.get_by_role("region", name=words["storefront"], exact=True)
    staff = frame.get_by_role("region", name=words["staff"], exact=True)
    # when the merchant gives the storefront URL and saves the store settings
    storefront.get_by_label(words["url"], exact=True).fill(STOREFRONT)
    expect(storefront.get_by_test_id("checkout-link")).to_contain_text(words["link"])
    frame.get_by_role("button", name=words["save"], exact=True).click()
    form = frame.get_by_role("form", name=words["form"], exact=True)
    expect(form.get_by_role("status").get_by_text(words["saved"])).to_be_visible()
    # and adds their own phone as a staff test number, written the local way
    staff.get_by_label(words["phone"], exact=True).fill("0555 000 00 01")
    staff.get_by_role("button", name=words["save_staff"], exact=True).click()
    expect(staff.get_by_text(words["saved"])).to_be_visible()
    # then both are stored, the number in E.164 ...
    assert _stored() == (STOREFRONT, ["+905550000001"])
    assert frame.evaluate("document.documentElement.scrollWidth") <= width
    dashboard.screenshot(f"settings-storefront-{locale}", frame)
    # ... and shown again after a reload
    frame = dashboard.open("settings", locale=locale)
    storefront = frame.get_by_role("region", name=words["storefront"], exact=True)
    staff = frame.get_by_role("region", name=words["staff"], exact=True)
    expect(storefront.get_by_label(words["url"], exact=True)).to_have_value(STOREFRONT)
    expect(staff.get_by_label(words["phone"], exact=True)).to_have_value("+905550000001")
    assert frame.evaluate("document.documentElement.scrollWidth") <= width
