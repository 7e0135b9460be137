"""An API process does not stop its webhooks for the cyclic collector's full passes (session 22).

The soak's 10-second windows with p99 over 100 ms came at a load average of 2 while the median
stayed at 4-6 ms: a full collection walked the ~236,000 objects that building the app loaded,
140 ms with the event loop stopped. `ulak serve` now freezes them once its app is built.
"""

from __future__ import annotations

import gc
from typing import Any

import pytest
from click.testing import CliRunner
from uvicorn.importer import import_from_string

from plugin import cli


def test_the_app_ulak_serve_builds_leaves_start_up_objects_out_of_every_collection(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: started.update(app=app, **kw))
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("ULAK_ENV", "dev")
    # given `ulak serve` handing uvicorn its app factory
    assert CliRunner().invoke(cli.main, ["serve", "--port", "3999"]).exit_code == 0
    assert started["factory"] is True
    try:
        # when an API process builds its app through that factory
        import_from_string(started["app"])()
        # then what start-up loaded is frozen: a full collection no longer walks it
        assert gc.get_freeze_count() > 100_000
    finally:
        gc.unfreeze()
