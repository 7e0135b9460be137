"""Checks a WhatsApp template against Meta's rules before it is submitted.

This is the server-side twin of the admin UI's `validateTemplate`
(admin_ui/src/templates/validateTemplate.ts): same rules, same order, same `code`s and the same
bilingual messages, so a merchant sees one verdict whether the browser or the API checks.
Lengths are counted in UTF-16 code units, as the browser counts them. The Python side adds three
codes the typed UI cannot produce (`category_invalid`, `header_format_invalid`,
`button_type_invalid`) because API input is untyped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]

LIMITS = {
    "name": 512,
    "body": 1024,
    "header": 60,
    "footer": 60,
    "buttons": 10,
    "quick_reply": 25,
    "button_text": 25,
    "url_buttons": 2,
    "phone_buttons": 1,
    "copy_code_buttons": 1,
    "url": 2000,
}
CATEGORIES = ("MARKETING", "UTILITY", "AUTHENTICATION")
HEADER_FORMATS = ("TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION")
BUTTON_TYPES = ("QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE")

_NAME = re.compile(r"[a-z0-9_]+")
_PLACEHOLDER = re.compile(r"\{\{([^{}]*)\}\}")
_NUMBER = re.compile(r"[1-9][0-9]*")
_STARTS_WITH_VARIABLE = re.compile(r"^\{\{[^{}]*\}\}")
_ENDS_WITH_VARIABLE = re.compile(r"\{\{[^{}]*\}\}\Z")


@dataclass(frozen=True, slots=True)
class TemplateError:
    """One problem: where (`path` into the template object), what (`code`), in EN and TR."""

    path: str
    code: str
    message_en: str
    message_tr: str
    severity: Severity = "error"

    def as_dict(self) -> dict[str, str]:
        return {
            "path": self.path,
            "code": self.code,
            "message_en": self.message_en,
            "message_tr": self.message_tr,
            "severity": self.severity,
        }


@dataclass(frozen=True, slots=True)
class Placeholder:
    raw: str
    n: int | None  # None: malformed, e.g. "{{ name }}"
    start: int
    end: int


def find_placeholders(text: str) -> list[Placeholder]:
    """Every `{{...}}` in the text; well-formed ones carry their number."""
    found = []
    for m in _PLACEHOLDER.finditer(text):
        inner = m.group(1)
        n = int(inner) if _NUMBER.fullmatch(inner) else None
        found.append(Placeholder(m.group(0), n, _u16(text[: m.start()]), _u16(text[: m.end()])))
    return found


def variable_numbers(text: str) -> list[int]:
    """Distinct variable numbers in order of first appearance."""
    seen: list[int] = []
    for p in find_placeholders(text):
        if p.n is not None and p.n not in seen:
            seen.append(p.n)
    return seen


def blocking(errors: Sequence[TemplateError]) -> list[TemplateError]:
    """The errors that stop a submission (warnings do not)."""
    return [e for e in errors if e.severity == "error"]


def _u16(text: str) -> int:
    """Length as JavaScript counts it (UTF-16 code units), so both validators agree."""
    return len(text.encode("utf-16-le")) // 2


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


_Add = Callable[..., None]


def validate_template(
    *, name: str, language: str, category: str, components: Sequence[Mapping[str, Any]]
) -> list[TemplateError]:
    """All problems of a template, in the order the admin UI reports them."""
    errors: list[TemplateError] = []

    def add(
        path: str, code: str, message_en: str, message_tr: str, severity: Severity = "error"
    ) -> None:
        errors.append(TemplateError(path, code, message_en, message_tr, severity))

    if not name:
        add("name", "name_required", "The template needs a name.", "Şablonun bir adı olmalı.")
    else:
        if not _NAME.fullmatch(name):
            add(
                "name",
                "name_format",
                "Use only lowercase letters a–z, digits and underscores in the name.",
                "Adda yalnızca küçük harf (a–z), rakam ve alt çizgi kullanın.",
            )
        if _u16(name) > LIMITS["name"]:
            add(
                "name",
                "name_too_long",
                f"The name can be at most {LIMITS['name']} characters (now {_u16(name)}).",
                f"Ad en fazla {LIMITS['name']} karakter olabilir (şu an {_u16(name)}).",
            )
    if not language:
        add(
            "language",
            "language_required",
            "Choose the template's language.",
            "Şablonun dilini seçin.",
        )
    if category not in CATEGORIES:
        add(
            "category",
            "category_invalid",
            "Choose the category: MARKETING, UTILITY or AUTHENTICATION.",
            "Kategoriyi seçin: MARKETING, UTILITY veya AUTHENTICATION.",
        )

    for i, component in enumerate(components):
        base = f"components.{i}"
        kind = component.get("type")
        if kind == "HEADER":
            _check_header(component, base, add)
        elif kind == "BODY":
            _check_body(component, base, add)
        elif kind == "FOOTER":
            text = _str(component.get("text"))
            size = _u16(text)
            if size > LIMITS["footer"]:
                add(
                    f"{base}.text",
                    "footer_too_long",
                    f"The footer can be at most {LIMITS['footer']} characters (now {size}).",
                    f"Alt bilgi en fazla {LIMITS['footer']} karakter olabilir (şu an {size}).",
                )
            if find_placeholders(text):
                add(
                    f"{base}.text",
                    "footer_variables_not_allowed",
                    "The footer cannot contain variables.",
                    "Alt bilgide değişken kullanılamaz.",
                )
        elif kind == "BUTTONS":
            _check_buttons(component, base, add)

    if not any(c.get("type") == "BODY" for c in components):
        add(
            "components",
            "body_required",
            "The message body is required.",
            "Mesaj gövdesi zorunludur.",
        )
    return errors


def _example(component: Mapping[str, Any]) -> Mapping[str, Any]:
    example = component.get("example")
    return example if isinstance(example, Mapping) else {}


def _nth(values: Any, index: int) -> Any:
    if isinstance(values, list) and 0 <= index < len(values):
        return values[index]
    return None


def _check_header(c: Mapping[str, Any], base: str, add: _Add) -> None:
    fmt = c.get("format")
    if fmt not in HEADER_FORMATS:
        add(
            f"{base}.format",
            "header_format_invalid",
            "The header must be text, an image, a video, a document or a location.",
            "Başlık metin, görsel, video, belge veya konum olmalı.",
        )
        return
    if fmt != "TEXT":
        if fmt != "LOCATION" and not _nth(_example(c).get("header_handle"), 0):
            add(
                f"{base}.example",
                "sample_missing",
                "Upload a sample file for the media header.",
                "Medya başlığı için örnek bir dosya yükleyin.",
            )
        return
    text = _str(c.get("text"))
    if not text.strip():
        add(
            f"{base}.text",
            "header_text_required",
            "Write the header text.",
            "Başlık metnini yazın.",
        )
        return
    size = _u16(text)
    if size > LIMITS["header"]:
        add(
            f"{base}.text",
            "header_too_long",
            f"The header can be at most {LIMITS['header']} characters (now {size}).",
            f"Başlık en fazla {LIMITS['header']} karakter olabilir (şu an {size}).",
        )
    numbers = _check_variables(text, f"{base}.text", add)
    if len(find_placeholders(text)) > 1:
        add(
            f"{base}.text",
            "header_too_many_variables",
            "The header can have at most one variable.",
            "Başlıkta en fazla bir değişken olabilir.",
        )
    samples = _example(c).get("header_text")
    for n in numbers:
        if not _nth(samples, n - 1):
            add(
                f"{base}.example.header_text.{n - 1}",
                "sample_missing",
                f"Give a sample value for the header variable {{{{{n}}}}}.",
                f"Başlıktaki {{{{{n}}}}} değişkeni için örnek bir değer girin.",
            )


def _check_body(c: Mapping[str, Any], base: str, add: _Add) -> None:
    text = _str(c.get("text"))
    if not text.strip():
        add(
            f"{base}.text",
            "body_required",
            "The message body is required.",
            "Mesaj gövdesi zorunludur.",
        )
        return
    size = _u16(text)
    if size > LIMITS["body"]:
        add(
            f"{base}.text",
            "body_too_long",
            f"The body can be at most {LIMITS['body']} characters (now {size}).",
            f"Gövde en fazla {LIMITS['body']} karakter olabilir (şu an {size}).",
        )
    numbers = _check_variables(text, f"{base}.text", add)
    trimmed = text.strip()
    if _STARTS_WITH_VARIABLE.search(trimmed):
        add(
            f"{base}.text",
            "variable_at_start",
            "The body cannot start with a variable; add some text before it.",
            "Gövde bir değişkenle başlayamaz; önüne biraz metin ekleyin.",
        )
    if _ENDS_WITH_VARIABLE.search(trimmed):
        add(
            f"{base}.text",
            "variable_at_end",
            "The body cannot end with a variable; add some text after it.",
            "Gövde bir değişkenle bitemez; arkasına biraz metin ekleyin.",
        )
    samples = _nth(_example(c).get("body_text"), 0)
    for n in numbers:
        if not _nth(samples, n - 1):
            add(
                f"{base}.example.body_text.0.{n - 1}",
                "sample_missing",
                f"Give a sample value for the variable {{{{{n}}}}}.",
                f"{{{{{n}}}}} değişkeni için örnek bir değer girin.",
            )


def _check_variables(text: str, path: str, add: _Add) -> list[int]:
    """Flags malformed and non-consecutive placeholders; returns the sorted numbers used."""
    for p in find_placeholders(text):
        if p.n is None:
            add(
                path,
                "variable_malformed",
                f"{p.raw} is not a valid variable; write variables as {{{{1}}}}, {{{{2}}}}, …",
                f"{p.raw} geçerli bir değişken değil; değişkenleri {{{{1}}}}, {{{{2}}}}, … "
                "biçiminde yazın.",
            )
    numbers = sorted(variable_numbers(text))
    if numbers != list(range(1, len(numbers) + 1)):
        expected = ", ".join(f"{{{{{i + 1}}}}}" for i in range(len(numbers)))
        add(
            path,
            "variables_not_sequential",
            f"Number the variables consecutively from {{{{1}}}} (expected {expected}).",
            f"Değişkenleri {{{{1}}}}'den başlayarak sırayla numaralandırın (beklenen: {expected}).",
        )
    return numbers


def _check_buttons(c: Mapping[str, Any], base: str, add: _Add) -> None:
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
        text = _str(b.get("text"))
        size = _u16(text)
        if not text.strip():
            add(
                f"{path}.text",
                "button_text_required",
                "Write the button's text.",
                "Butonun metnini yazın.",
            )
        elif kind == "QUICK_REPLY" and _u16(text) > LIMITS["quick_reply"]:
            add(
                f"{path}.text",
                "quick_reply_too_long",
                f"A quick reply can be at most {LIMITS['quick_reply']} characters (now {size}).",
                f"Hızlı yanıt en fazla {LIMITS['quick_reply']} karakter olabilir (şu an {size}).",
            )
        elif _u16(text) > LIMITS["button_text"]:
            add(
                f"{path}.text",
                "button_text_too_long",
                f"Button text can be at most {LIMITS['button_text']} characters (now {size}).",
                f"Buton metni en fazla {LIMITS['button_text']} karakter olabilir (şu an {size}).",
            )
        if kind == "URL":
            _check_url_button(b, path, add)
        if kind == "PHONE_NUMBER" and not _str(b.get("phone_number")).strip():
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


def _check_url_button(b: Mapping[str, Any], path: str, add: _Add) -> None:
    url = _str(b.get("url"))
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
    if _u16(url) > LIMITS["url"]:
        add(
            f"{path}.url",
            "url_too_long",
            f"The address can be at most {LIMITS['url']} characters (now {_u16(url)}).",
            f"Adres en fazla {LIMITS['url']} karakter olabilir (şu an {_u16(url)}).",
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
        if len(placeholders) == 1 and first.end != _u16(url):
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
        sample = _nth(example, 0) if isinstance(example, list) else example
        if not sample:
            add(
                f"{path}.example",
                "sample_missing",
                "Give a sample value for the address variable {{1}}.",
                "Adresteki {{1}} değişkeni için örnek bir değer girin.",
            )
