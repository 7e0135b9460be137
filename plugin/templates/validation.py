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
from collections.abc import Mapping, Sequence
from typing import Any

from plugin.templates.button_validation import check_buttons
from plugin.templates.limits import (
    CATEGORIES,
    HEADER_FORMATS,
    LIMITS,
    Add,
    Severity,
    TemplateError,
    example_of,
    find_placeholders,
    nth,
    text_of,
    u16,
    variable_numbers,
)

_NAME = re.compile(r"[a-z0-9_]+")
_STARTS_WITH_VARIABLE = re.compile(r"^\{\{[^{}]*\}\}")
_ENDS_WITH_VARIABLE = re.compile(r"\{\{[^{}]*\}\}\Z")


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
        if u16(name) > LIMITS["name"]:
            add(
                "name",
                "name_too_long",
                f"The name can be at most {LIMITS['name']} characters (now {u16(name)}).",
                f"Ad en fazla {LIMITS['name']} karakter olabilir (şu an {u16(name)}).",
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
            text = text_of(component.get("text"))
            size = u16(text)
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
            check_buttons(component, base, add)

    if not any(c.get("type") == "BODY" for c in components):
        add(
            "components",
            "body_required",
            "The message body is required.",
            "Mesaj gövdesi zorunludur.",
        )
    return errors


def _check_header(c: Mapping[str, Any], base: str, add: Add) -> None:
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
        if fmt != "LOCATION" and not nth(example_of(c).get("header_handle"), 0):
            add(
                f"{base}.example",
                "sample_missing",
                "Upload a sample file for the media header.",
                "Medya başlığı için örnek bir dosya yükleyin.",
            )
        return
    text = text_of(c.get("text"))
    if not text.strip():
        add(
            f"{base}.text",
            "header_text_required",
            "Write the header text.",
            "Başlık metnini yazın.",
        )
        return
    size = u16(text)
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
    samples = example_of(c).get("header_text")
    for n in numbers:
        if not nth(samples, n - 1):
            add(
                f"{base}.example.header_text.{n - 1}",
                "sample_missing",
                f"Give a sample value for the header variable {{{{{n}}}}}.",
                f"Başlıktaki {{{{{n}}}}} değişkeni için örnek bir değer girin.",
            )


def _check_body(c: Mapping[str, Any], base: str, add: Add) -> None:
    text = text_of(c.get("text"))
    if not text.strip():
        add(
            f"{base}.text",
            "body_required",
            "The message body is required.",
            "Mesaj gövdesi zorunludur.",
        )
        return
    size = u16(text)
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
    samples = nth(example_of(c).get("body_text"), 0)
    for n in numbers:
        if not nth(samples, n - 1):
            add(
                f"{base}.example.body_text.0.{n - 1}",
                "sample_missing",
                f"Give a sample value for the variable {{{{{n}}}}}.",
                f"{{{{{n}}}}} değişkeni için örnek bir değer girin.",
            )


def _check_variables(text: str, path: str, add: Add) -> list[int]:
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
