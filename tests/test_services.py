"""`make test` on a machine without PostgreSQL or Redis (issue 20, point 11): the runner in
tests/services.py starts its own from the pinned dev packages, hands their URLs to the command
and stops them afterwards, also when it is told to stop; servers named in the environment are
used as given. ULAK_TEST_SERVICES=own plays the machine without them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.services import (
    HOME_NOTE,
    MODE_ENV,
    PG_ENV,
    REDIS_ENV,
    ROOT,
    answers,
    port_of,
    reachable,
    remove_home,
    start_postgres,
    unprivileged_user,
)

pytestmark = pytest.mark.slow

# What the command sees: the URLs it was given, and that both servers answer them.
PROBE = """
import json, os, sys, psycopg, redis
pg, cache = os.environ["ULAK_TEST_PG"], os.environ["ULAK_TEST_REDIS"]
with psycopg.connect(pg) as conn:
    version = conn.execute("SHOW server_version").fetchone()[0]
    ctype = conn.execute(
        "SELECT datctype FROM pg_database WHERE datname = current_database()"
    ).fetchone()[0]
ping = redis.Redis.from_url(cache).ping()
print(json.dumps({"pg": pg, "redis": cache, "version": version, "ctype": ctype, "ping": ping}))
sys.exit(3)
"""


def _runner_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (PG_ENV, REDIS_ENV, MODE_ENV)}
    return {**env, **extra}


def _runner(*command: str) -> list[str]:
    return [sys.executable, "-m", "tests.services", "--", *command]


def _own_folder(stderr: str) -> Path:
    match = re.search(r"our own, in (\S+),", stderr)
    assert match, stderr
    return ROOT / match.group(1)


def test_without_the_machines_servers_the_suite_gets_its_own_and_they_stop_after_it() -> None:
    # given a machine whose 127.0.0.1:5432 and :6379 do not count
    env = _runner_env(**{MODE_ENV: "own"})

    # when a command runs through the runner and fails
    result = subprocess.run(
        _runner(sys.executable, "-c", PROBE),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=110,
    )

    # then it ran against a PostgreSQL and a Redis of its own on other ports, both answering
    assert result.returncode == 3, result.stderr
    seen = json.loads(result.stdout)
    assert port_of(seen["pg"]) != 5432 and port_of(seen["redis"]) != 6379
    assert seen["version"].startswith("16.") and seen["ctype"] == "C.UTF-8"
    assert seen["ping"] is True
    # and afterwards both are stopped and their folder is gone
    assert not answers(seen["pg"]) and not answers(seen["redis"])
    assert not _own_folder(result.stderr).exists()


def test_a_stopped_run_stops_its_servers_too() -> None:
    # given a long command running against servers of the runner's own
    runner = subprocess.Popen(
        _runner(sys.executable, "-c", "import time; time.sleep(120)"),
        env=_runner_env(**{MODE_ENV: "own"}),
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert runner.stderr is not None
    lines = [runner.stderr.readline(), runner.stderr.readline()]
    urls = [line.split(" at ")[1].split(" ")[0] for line in lines]
    assert all(answers(url) for url in urls), lines

    # when the run is told to stop (as `timeout` or CI do)
    began = time.monotonic()
    runner.send_signal(signal.SIGTERM)
    runner.wait(60)

    # then the command was stopped, and so were the servers, within seconds
    assert runner.returncode == 128 + signal.SIGTERM  # as a shell reports it
    assert time.monotonic() - began < 30
    assert not any(answers(url) for url in urls)
    assert not _own_folder("".join(lines)).exists()


def test_servers_named_in_the_environment_are_used_as_given() -> None:
    # given a run told where its servers are
    pg, cache = "postgresql://postgres@127.0.0.1:1/postgres", "redis://127.0.0.1:1/0"

    # when a command runs through the runner
    result = subprocess.run(
        _runner(sys.executable, "-c", "import os; print(os.environ['ULAK_TEST_PG'])"),
        env=_runner_env(**{PG_ENV: pg, REDIS_ENV: cache, MODE_ENV: "own"}),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    # then it gets those, and nothing was started
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == pg
    assert "our own" not in result.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands PostgreSQL to another user")
def test_a_clone_in_a_private_folder_still_gets_its_postgres(tmp_path: Path) -> None:
    # given a run's folder that `nobody` (PostgreSQL's user under root) cannot reach, as in a
    # clone made in `mktemp -d`
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    folder = private / "run"
    folder.mkdir()
    nobody = unprivileged_user()
    assert nobody is not None and not reachable(folder, nobody)

    # when the runner starts its PostgreSQL there
    server = start_postgres(folder)
    try:
        # then it answers, from a copy in a folder that user can reach
        assert answers(server.url)
        home = Path((folder / HOME_NOTE).read_text())
        assert reachable(home, nobody)
    finally:
        server.stop()
        remove_home(folder)
    # and that copy goes with the run
    assert not home.exists()
