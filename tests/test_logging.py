"""Logs never carry phone numbers, tokens or message bodies in clear."""

from __future__ import annotations

import json
import logging

import structlog

from plugin.logging import configure_logging, mask_phone


def test_phone_numbers_tokens_and_bodies_are_redacted(capsys) -> None:
    # given the production log configuration
    configure_logging("INFO", json=True)
    log = structlog.get_logger("test")
    # when something logs sensitive values, as fields and inside the message
    log.info(
        "sending to +90 532 123 45 67",
        phone="+905321234567",
        access_token="EAAG-secret-token",
        body="Merhaba Ayşe, siparişiniz yolda",
        email="ayse@example.com",
        store_id=7,
    )
    logging.getLogger("plain").warning("reply from 905321234567 about ayse@example.com")
    # then none of them appears in clear
    out = capsys.readouterr().err
    for secret in ("5321234567", "EAAG-secret-token", "siparişiniz", "ayse@example.com"):
        assert secret not in out
    first = json.loads(out.splitlines()[0])
    assert first["phone"] == "+90***67"
    assert first["access_token"] == "[redacted]"
    assert first["store_id"] == 7


def test_mask_phone_keeps_only_country_code_and_last_two_digits() -> None:
    assert mask_phone("+90 (532) 123-4567") == "+90***67"
    assert mask_phone("12") == "***"


def test_addresses_timestamps_and_ids_are_left_readable() -> None:
    from plugin.logging import scrub_text

    for text in (
        "Uvicorn running on http://127.0.0.1:3000",
        "2026-11-24T21:34:19.236858Z",
        "order 12345 of store 7",
    ):
        assert scrub_text(text) == text
    assert scrub_text("from +90 (532) 123-4567.") == "from +90***67."
