"""`ulak rotate-keys`: stored secrets move to the first SECRET_KEY; then the old key can go."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlmodel import select

from plugin import crypto
from plugin.cli import main
from plugin.saleor.models import Store
from plugin.settings import set_settings
from tests.conftest import make_settings

pytestmark = pytest.mark.sqlite


def test_rotate_keys_reencrypts_with_the_first_key(db_url, client, installed_store, session):
    # given a store whose token was encrypted with the old key
    old = make_settings(db_url, secret_key="old-key")
    set_settings(old)
    store = session.exec(select(Store)).one()
    store.app_token_encrypted = crypto.encrypt("good-app-token")
    session.add(store)
    session.commit()
    # when the operator puts a new key first and runs the command
    set_settings(make_settings(db_url, secret_key="new-key,old-key"))
    result = CliRunner().invoke(main, ["rotate-keys"])
    # then every secret opens with the new key alone
    assert result.exit_code == 0, result.output
    assert "re-encrypted 1 secrets" in result.output
    set_settings(make_settings(db_url, secret_key="new-key"))
    session.expire_all()
    assert crypto.decrypt(session.exec(select(Store)).one().app_token_encrypted) == "good-app-token"


def test_rotate_keys_without_the_old_key_fails_and_changes_nothing(
    db_url, client, installed_store, session
):
    before = session.exec(select(Store)).one().app_token_encrypted
    set_settings(make_settings(db_url, secret_key="unrelated-key"))
    result = CliRunner().invoke(main, ["rotate-keys"])
    assert result.exit_code == 1
    assert "keep the old key" in result.stderr
    session.expire_all()
    assert session.exec(select(Store)).one().app_token_encrypted == before
