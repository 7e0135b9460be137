"""Fixtures: a real database per session (PostgreSQL by default, SQLite with ULAK_TEST_DB=sqlite),
a fake Saleor on loopback, the app under test, and an installed store."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel

from plugin import clock, crypto
from plugin.saleor import jwks as jwks_cache
from plugin.saleor import service as saleor_service
from plugin.settings import Settings
from plugin.stores import config_cache
from tests.services import PG_ADMIN, database_url
from tests.support import SALEOR_SHARED, FakeSaleor, ServerThread, SigningKey, free_port, new_key

BACKEND = os.environ.get("ULAK_TEST_DB", "postgresql")


# --- every log record of the run, scanned for the personal data the factories generated ------
# (issue 17, point 3). Each process (each xdist worker) writes its own records, formatted as
# the app writes them, and scans them at its end; a leak fails the run (exit status 1) and is
# reported with the value itself masked.

_CAPTURE = pytest.StashKey["_LogCapture"]()
_LEAKS = pytest.StashKey[list[str]]()


class _LogCapture(logging.Handler):
    """A root handler that outlives configure_logging (which replaces only its own)."""

    def __init__(self, path: Path) -> None:
        from plugin.logging import build_formatter

        super().__init__(logging.NOTSET)
        self.path = path
        self.stream = path.open("a", encoding="utf-8")
        self.setFormatter(build_formatter(json=True))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(self.format(record) + "\n")
            self.stream.flush()
        except Exception:
            self.handleError(record)


def pytest_configure(config: pytest.Config) -> None:
    from plugin.logging import configure_logging

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    path = Path(tempfile.mkdtemp(prefix="ulak-test-logs-")) / f"{worker}.jsonl"
    capture = _LogCapture(path)
    config.stash[_CAPTURE] = capture
    config.stash[_LEAKS] = []
    configure_logging("WARNING", json=True)  # structlog through the stdlib from the start
    logging.getLogger().addHandler(capture)


def capture_process_logs(config: pytest.Config, folder: Path) -> None:
    """Add what the test's own processes (tests/faults: `ulak serve`, the sandbox) logged to
    this process's capture, so the end-of-run scan covers them too."""
    capture = config.stash.get(_CAPTURE, None)
    if capture is None:
        return
    for path in sorted(folder.glob("*.log")):
        with path.open(encoding="utf-8", errors="replace") as lines:
            capture.stream.writelines(lines)
    capture.stream.flush()


def log_leaks(path: Path, generated: dict[str, set[str]]) -> list[str]:
    """Lines of `path` that show one of `generated`'s values in clear, the value masked."""
    patterns = [  # as written, and as JSON escapes it (ü is \u00fc in a JSON log line)
        (kind, re.compile(r"(?<![\w+])" + re.escape(form) + r"(?![\w\\])"))
        for kind, values in generated.items()
        for value in sorted(values)
        for form in {value, json.dumps(value)[1:-1]}
    ]
    leaks: list[str] = []
    if not patterns or not path.exists():
        return leaks
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            for kind, pattern in patterns:
                if pattern.search(line):
                    shown = pattern.sub(f"<{kind.upper()}>", line.strip())[:300]
                    leaks.append(f"{path.name}:{number}: {kind} in clear: {shown}")
    return leaks


def pytest_sessionfinish(session: pytest.Session) -> None:
    from tests.factories import GENERATED

    config = session.config
    capture = config.stash.get(_CAPTURE, None)
    if capture is None:
        return
    logging.getLogger().removeHandler(capture)
    capture.stream.close()
    leaks = config.stash[_LEAKS]
    leaks.extend(log_leaks(capture.path, GENERATED))
    if hasattr(config, "workeroutput"):  # an xdist worker: the controller reports and fails
        config.workeroutput["ulak_log_leaks"] = leaks
    elif leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """The controller collects each worker's leaks (its sessionfinish then fails the run)."""
    leaks = getattr(node, "workeroutput", {}).get("ulak_log_leaks", [])
    node.config.stash[_LEAKS].extend(leaks)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    leaks = config.stash.get(_LEAKS, [])
    if leaks and not hasattr(config, "workeroutput"):
        terminalreporter.section("personal data in the logs", red=True)
        for line in leaks[:50]:
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"{len(leaks)} log line(s) show generated personal data")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The long tests (processes, a browser) first: `make test` has xdist hand each free worker
    # the next test (--dist loadgroup), so they run side by side from the start instead of
    # one starting last and holding the run while the other workers wait (a stable sort:
    # every worker collects the same order, as xdist requires).
    items.sort(key=lambda i: not (i.get_closest_marker("slow") or i.get_closest_marker("browser")))
    if BACKEND == "sqlite":
        skip = pytest.mark.skip(reason="PostgreSQL-only behaviour")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(skip)
        if config.option.markexpr == "sqlite":  # the second pass of `make test`
            _leave_out_what_the_first_pass_ran(config, items)


def _leave_out_what_the_first_pass_ran(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that never asks for the test database (`db_url`, directly or through a fixture)
    runs the very same code on both passes: parsers, renderers, a dev server on its own SQLite
    file. The PostgreSQL pass has run it; the SQLite pass leaves it out (run a file with
    ULAK_TEST_DB=sqlite and no `-m sqlite` to have them anyway)."""
    same = [i for i in items if "db_url" not in getattr(i, "fixturenames", ("db_url",))]
    if same:
        config.hook.pytest_deselected(items=same)
        left_out = set(same)
        items[:] = [i for i in items if i not in left_out]


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from plugin.cli import run_migrations

    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("db") / "ulak-test.db"
        url = f"sqlite:///{path}"
        run_migrations(url)
        yield url
        return
    name = f"ulak_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        # no wait for the WAL's flush at each commit, as the servers tests/services.py starts
        # (the machine's server flushes: 1-3 ms a commit there, tens under load). What a
        # commit makes visible and when is the same; only a crash of the server could lose
        # the last commits, and the suite never crashes the shared server (its "restart" is
        # a proxy's).
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    url = database_url(name)
    run_migrations(url)
    yield url
    from plugin import db

    if db._engine is not None:
        db._engine.dispose()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


KEPT_IDLE_CONNECTIONS = 6  # more idle in the kept pool: a new engine (the server is shared)


@pytest.fixture(scope="session", autouse=True)
def _one_engine_per_database() -> Iterator[None]:
    """create_app (every test's `app`) configures the process's engine: for the database the
    engine already serves, it keeps it and its pool instead of a new engine. A new engine opens
    new connections, and a new PostgreSQL backend reads the catalogue afresh (50-130 ms a test
    here). A test's connections go back to the pool rolled back; another URL (a proxy, a
    missing server) or another pool size still gets its own engine, as in production, and so
    does a pool a busy test left with many idle connections (4 workers of 20 would hold most
    of the shared server's 100)."""
    from plugin import db

    configure = db.configure_engine

    def configure_engine(url: str, *, pool_size: int = 20) -> sa.Engine:
        engine = db._engine
        if engine is not None and engine.url.render_as_string(hide_password=False) == url:
            pool: Any = engine.pool  # a QueuePool (SQLite's takes no pool_size: its own size)
            sized = url.startswith("sqlite") or pool.size() == pool_size
            if sized and pool.checkedin() <= KEPT_IDLE_CONNECTIONS:
                return engine
        return configure(url, pool_size=pool_size)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(db, "configure_engine", configure_engine)
        app_module = sys.modules.get("plugin.app")  # imported later, it takes the patched name
        if app_module is not None:
            patch.setattr(app_module, "configure_engine", configure_engine)
        yield


@pytest.fixture(scope="session")
def saleor_key() -> SigningKey:
    return new_key("ulak-test-key-1")


@pytest.fixture(scope="session")
def saleor_b_key() -> SigningKey:
    """A second Saleor's key (tests with two stores): an RSA key takes 0.1-0.5 s to make here,
    once a process, not once a test; it is never the test key, which is all a test relies on."""
    return new_key("saleor-b-key")


@pytest.fixture(scope="session")
def fake_saleor_server() -> Iterator[FakeSaleor]:
    fake = FakeSaleor(port=free_port())
    with ServerThread(fake.asgi(), fake.port):
        yield fake


@pytest.fixture()
def fake_saleor(fake_saleor_server: FakeSaleor, saleor_key: SigningKey) -> FakeSaleor:
    """Serves Saleor's real JWKS (the captured payloads verify) plus our test key."""
    real = json.loads((SALEOR_SHARED / "jwks.json").read_text())
    fake_saleor_server.jwks = {"keys": [*real["keys"], saleor_key.public_jwk()]}
    fake_saleor_server.jwks_requests = 0
    fake_saleor_server.jwks_status, fake_saleor_server.jwks_delay = 200, 0.0
    fake_saleor_server.graphql_calls.clear()
    fake_saleor_server.handlers.clear()
    fake_saleor_server.valid_tokens = {"good-app-token"}
    fake_saleor_server.apps.clear()
    fake_saleor_server.app_url = "http://testserver"  # make_settings' APP_URL
    return fake_saleor_server


def make_settings(db_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "ulak_env": "test",
        "database_url": db_url,
        "app_url": "http://testserver",
        "log_json": True,
        "log_level": "WARNING",
        "redis_url": None,
        "jwks_refetch_min_interval_seconds": 0.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture()
def settings(db_url: str) -> Settings:
    return make_settings(db_url)


@pytest.fixture(autouse=True)
def _isolation(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts with empty tables, the real clock and no cached keys."""
    clock.reset()
    crypto.forget_hash_keys()
    config_cache.forget()  # store ids and config versions restart with the emptied tables
    jwks_cache._cache.clear()
    saleor_service._refs.clear()
    _forget_pacing()
    yield
    clock.reset()
    if "db_url" in request.fixturenames:
        _truncate(request.getfixturevalue("db_url"))


def _forget_pacing() -> None:
    """The in-process pacer remembers recipients by the app clock, which tests move and reset."""
    from plugin.delivery import pace

    pace._pacers.clear()


def _truncate(url: str) -> None:
    import plugin.all_models  # noqa: F401
    from plugin.db import get_engine

    engine = get_engine()
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    if url.startswith("sqlite"):
        with engine.begin() as conn:
            for table in tables:
                conn.execute(sa.text(f'DELETE FROM "{table}"'))
        return
    # DELETE and a restart of every sequence, not TRUNCATE: a test leaves a few rows, and
    # TRUNCATE gives each of ~40 tables new files (0.2 s a test against 5 ms). One string of
    # statements without parameters goes as one simple query: one round trip, not ~40.
    script = "".join(f'DELETE FROM "{table}";' for table in tables) + (
        "SELECT setval(c.oid, s.seqstart, false) FROM pg_class c "
        "JOIN pg_sequence s ON s.seqrelid = c.oid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()"
    )
    # A test's own `ulak serve` may still be ticking: the deletes lock table after table, so
    # PostgreSQL can pick them as a deadlock victim. It is safe to run again.
    for attempt in range(5):
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(script)
            return
        except sa.exc.OperationalError as error:
            if "deadlock detected" not in str(error) or attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))


@pytest.fixture()
def app(settings: Settings) -> Any:
    from plugin.app import create_app

    return create_app(settings, embedded_worker=False)


@pytest.fixture()
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture()
def session(app: Any) -> Iterator[Session]:
    from plugin.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as s:
        yield s


@pytest.fixture()
def installed_store(client: TestClient, fake_saleor: FakeSaleor) -> dict[str, Any]:
    """A store installed through the real register call."""
    response = client.post(
        "/api/register",
        headers={"saleor-api-url": fake_saleor.api_url, "saleor-domain": fake_saleor.domain},
        json={"auth_token": "good-app-token"},
    )
    assert response.status_code == 200, response.text
    from tests.factories import remember

    remember("token", "good-app-token")
    return {"api_url": fake_saleor.api_url, "app_id": fake_saleor.app_id}


@pytest.fixture()
def shared_dir() -> Path:
    return SALEOR_SHARED
