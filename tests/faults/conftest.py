"""Fixtures for the fault tests: the test's own engine on the per-worker database (direct, never
through a proxy), a folder for the processes' logs, and the shared Redis namespace cleanup."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlmodel import Session

from tests.services import REDIS_URL


@pytest.fixture()
def logs(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """The processes' log folder; what they logged joins the run's log scan afterwards."""
    from tests.conftest import capture_process_logs

    path = tmp_path / "logs"
    path.mkdir()
    yield path
    capture_process_logs(request.config, path)


@pytest.fixture()
def db(db_url: str) -> Iterator[Session]:
    """A session straight on the test database: what the test sets up and checks."""
    from plugin.db import configure_engine
    from plugin.settings import set_settings
    from tests.conftest import make_settings

    set_settings(make_settings(db_url))  # test mode: the dev SECRET_KEY, as the processes use
    engine = configure_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture()
def redis_namespace() -> Iterator[str]:
    """A namespace of our own on the shared Redis (never FLUSHALL: others use it)."""
    namespace = f"ulak-fault-{uuid.uuid4().hex[:8]}"
    yield namespace
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{namespace}:*"))
    if keys:
        client.delete(*keys)
