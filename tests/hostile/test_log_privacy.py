"""Nothing personal reaches the logs through an error (issue 17, point 3): SQL parameters are
not in database errors, and tracebacks are redacted like every other field."""

from __future__ import annotations

import json
import logging

import pytest
import structlog
from sqlmodel import Session

from plugin.contacts.models import Contact, PhoneStatus
from plugin.logging import configure_logging

pytestmark = pytest.mark.sqlite

PHONE = "+905327654321"
NAME = "Zeynepgül"
EMAIL = "zeynep.gul@example.org"
CIPHERTEXT = "gAAAAABn-token-ciphertext"


def _failed_insert(app) -> Exception:
    """A contact insert the database refuses (no such store), with personal values bound."""
    from plugin.db import get_engine

    with Session(get_engine()) as session:
        session.add(
            Contact(
                store_id=987654,
                phone_e164=PHONE,
                phone_raw=PHONE,
                phone_status=PhoneStatus.VALID,
                first_name=NAME,
                email=EMAIL,
                attributes={"token": CIPHERTEXT},
            )
        )
        try:
            session.flush()
        except Exception as exc:
            return exc
    raise AssertionError("the insert should have failed")


def _logged(capsys) -> str:
    out = capsys.readouterr().err
    assert out, "nothing was logged"
    return out


def test_a_database_error_logged_with_its_traceback_shows_no_personal_value(app, capsys):
    # given the production log configuration and a failed insert of a contact
    configure_logging("INFO", json=True)
    error = _failed_insert(app)
    # when the error is logged with its traceback, by structlog and by a plain logger
    try:
        raise error
    except Exception:
        structlog.get_logger("test").exception("contact_insert_failed", error=str(error))
        logging.getLogger("sqlalchemy.test").error("insert failed", exc_info=True)
    # then no phone number, name, e-mail or token ciphertext is in the output
    out = _logged(capsys)
    for value in (PHONE, PHONE[1:], NAME, EMAIL, CIPHERTEXT):
        assert value not in out, f"{value} is in the logs:\n{out}"
    assert all("exception" in json.loads(line) for line in out.splitlines())


def test_a_traceback_message_is_redacted_like_any_field(capsys):
    configure_logging("INFO", json=True)
    try:
        raise ValueError(f"WhatsApp refused {PHONE} (reply to {EMAIL})")
    except ValueError:
        structlog.get_logger("test").exception("send_failed")
        logging.getLogger("plain").exception("send failed")
    out = _logged(capsys)
    assert PHONE not in out and PHONE[1:] not in out and EMAIL not in out, out
    assert "+90***21" in out
