"""The BUTTONS component's checks against Meta's rules: counts per type, texts, quick-reply
grouping, URL buttons (https only, one trailing variable with a sample), phone numbers and
copy-code buttons. Same rules, order and codes as the admin UI's `validateTemplate`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from plugin.templates.limits import BUTTON_TYPES, LIMITS, Add, find_placeholders, nth, text_of, u16


def check_buttons(c: Mapping[str, Any], base: str, add: Add) -> None:
    raw = c.get("buttons")
    buttons: list[Mapping[str, Any]] = (
        [b for b in raw if isinstance(b, Mapping)] if isinstance(raw, list) else []
    )
    if len(buttons) > LIMITS["buttons"]:
        add(
            f"{base}.buttons",
            "too_many_buttons",
            f"A template can have at most {LIMITS['buttons']} buttons (now {len(buttons)}).",
            f"Bir şablonda en fazla {LIMITS['buttons']} buton olabilir (şu an {len(buttons)}).",
        )

    def count(kind: str) -> int:
        return sum(1 for b in buttons if b.get("type") == kind)

    if count("URL") > LIMITS["url_buttons"]:
        add(
            f"{base}.buttons",
            "too_many_url_buttons",
            f"At most {LIMITS['url_buttons']} website (URL) buttons are allowed.",
            f"En fazla {LIMITS['url_buttons']} web sitesi (URL) butonu eklenebilir.",
        )
    if count("PHONE_NUMBER") > LIMITS["phone_buttons"]:
        add(
            f"{base}.buttons",
            "too_many_phone_buttons",
            "At most one phone number button is allowed.",
            "En fazla bir telefon numarası butonu eklenebilir.",
        )
    if count("COPY_CODE") > LIMITS["copy_code_buttons"]:
        add(
            f"{base}.buttons",
            "too_many_copy_code_buttons",
            "At most one copy-code button is allowed.",
            "En fazla bir kod kopyalama butonu eklenebilir.",
        )
    if count("URL") + count("PHONE_NUMBER") > 1:
        add(
            f"{base}.buttons",
            "multiple_calls_to_action",
            "More than one call-to-action button (website or phone): keep one main call to "
            "action so the customer knows what to do.",
            "Birden fazla eylem çağrısı butonu var (web sitesi veya telefon): müşterinin ne "
            "yapacağını bilmesi için tek bir ana eylem çağrısı bırakın.",
            "warning",
        )

    for j, b in enumerate(buttons):
        path = f"{base}.buttons.{j}"
        kind = b.get("type")
        if kind not in BUTTON_TYPES:
            add(
                f"{path}.type",
                "button_type_invalid",
                "A button is a quick reply, a website, a phone number or a copy-code button.",
                "Buton hızlı yanıt, web sitesi, telefon numarası veya kod kopyalama olmalı.",
            )
        text = text_of(b.get("text"))
        size = u16(text)
        if not text.strip():
            add(
                f"{path}.text",
                "button_text_required",
                "Write the button's text.",
                "Butonun metnini yazın.",
            )
        elif kind == "QUICK_REPLY" and u16(text) > LIMITS["quick_reply"]:
            add(
                f"{path}.text",
                "quick_reply_too_long",
                f"A quick reply can be at most {LIMITS['quick_reply']} characters (now {size}).",
                f"Hızlı yanıt en fazla {LIMITS['quick_reply']} karakter olabilir (şu an {size}).",
            )
        elif u16(text) > LIMITS["button_text"]:
            add(
                f"{path}.text",
                "button_text_too_long",
                f"Button text can be at most {LIMITS['button_text']} characters (now {size}).",
                f"Buton metni en fazla {LIMITS['button_text']} karakter olabilir (şu an {size}).",
            )
        if kind == "URL":
            _check_url_button(b, path, add)
        if kind == "PHONE_NUMBER" and not text_of(b.get("phone_number")).strip():
            add(
                f"{path}.phone_number",
                "phone_required",
                "Enter the phone number.",
                "Telefon numarasını girin.",
            )


def _http_allowed() -> bool:
    """Dev and tests send to the sandbox from an http APP_URL (the starters' tracked links);
    production buttons are https only. The UI allows http to loopback hosts for the same
    reason."""
    from plugin.settings import get_settings

    return get_settings().is_dev


def _check_url_button(b: Mapping[str, Any], path: str, add: Add) -> None:
    url = text_of(b.get("url"))
    if not url.strip():
        add(
            f"{path}.url",
            "url_required",
            "Enter the website address.",
            "Web sitesi adresini girin.",
        )
        return
    scheme = r"https?://" if _http_allowed() else r"https://"
    if not re.match(scheme + r"[^\s/?#{}]+", url.strip(), re.IGNORECASE):
        # a button opens in the customer's browser: never over plain http or another scheme
        add(
            f"{path}.url",
            "url_not_https",
            "The address must start with https:// and a domain name.",
            "Adres https:// ve bir alan adıyla başlamalı.",
        )
    if u16(url) > LIMITS["url"]:
        add(
            f"{path}.url",
            "url_too_long",
            f"The address can be at most {LIMITS['url']} characters (now {u16(url)}).",
            f"Adres en fazla {LIMITS['url']} karakter olabilir (şu an {u16(url)}).",
        )
    placeholders = find_placeholders(url)
    if len(placeholders) > 1:
        add(
            f"{path}.url",
            "url_too_many_variables",
            "A website address can have at most one variable.",
            "Web sitesi adresinde en fazla bir değişken olabilir.",
        )
    if placeholders:
        first = placeholders[0]
        if len(placeholders) == 1 and first.end != u16(url):
            add(
                f"{path}.url",
                "url_variable_not_at_end",
                "The variable must be at the end of the address, e.g. "
                "https://shop.example/track/{{1}}.",
                "Değişken adresin sonunda olmalı, örneğin https://magaza.example/takip/{{1}}.",
            )
        if first.n != 1:
            add(
                f"{path}.url",
                "variable_malformed",
                f"Write the address variable as {{{{1}}}}, not {first.raw}.",
                f"Adres değişkenini {first.raw} değil {{{{1}}}} olarak yazın.",
            )
        example = b.get("example")
        sample = nth(example, 0) if isinstance(example, list) else example
        if not sample:
            add(
                f"{path}.example",
                "sample_missing",
                "Give a sample value for the address variable {{1}}.",
                "Adresteki {{1}} değişkeni için örnek bir değer girin.",
            )
