"""The queue: Redis when REDIS_URL is set, otherwise in-process workers inside `ulak serve`.

plugin/ never imports handlers/: work is enqueued by actor *name*. Messages carry ids only,
and are sent after the unit of work commits, so a worker never looks for a row that is not
there yet. Redis is transport, not truth: the scheduler tick re-enqueues what it may lose.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

import dramatiq
import structlog
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage
from sqlmodel import Session

from plugin.settings import Settings, get_settings

log = structlog.get_logger(__name__)

# actor name -> queue name; actors declared in handlers/actors.py register here too.
QUEUES: dict[str, str] = {}
_declared: list[Any] = []
_lock = threading.Lock()
_broker: dramatiq.Broker | None = None
_worker: dramatiq.Worker | None = None


def _make_broker(settings: Settings) -> dramatiq.Broker:
    broker: dramatiq.Broker
    if settings.redis_url:
        from dramatiq.brokers.redis import RedisBroker

        # A worker process silent for QUEUE_LOST_AFTER_SECONDS is dead, for Dramatiq (it puts the
        # messages that process had taken back on a queue) as for queue_size() below.
        broker = RedisBroker(  # type: ignore[no-untyped-call]  # dramatiq leaves it unannotated
            url=settings.redis_url,
            namespace=settings.redis_namespace,
            heartbeat_timeout=int(settings.queue_lost_after_seconds * 1000),
        )
    else:
        broker = StubBroker()
    broker.add_middleware(CurrentMessage())
    return broker


def setup_broker(settings: Settings | None = None) -> dramatiq.Broker:
    """Create the broker for these settings, make it global and bind every known actor to it."""
    global _broker
    settings = settings or get_settings()
    with _lock:
        broker = _make_broker(settings)
        dramatiq.set_broker(broker)
        for actor in _declared:
            actor.broker = broker
            broker.declare_actor(actor)
        _broker = broker
    return broker


def get_broker() -> dramatiq.Broker:
    if _broker is None:
        return setup_broker()
    return _broker


def is_embedded() -> bool:
    return isinstance(get_broker(), StubBroker)


def actor(
    *, queue_name: str = "default", **options: Any
) -> Callable[[Callable[..., Any]], dramatiq.Actor[Any, Any]]:
    """Declare an actor on the configured broker (never on dramatiq's implicit default)."""

    def decorator(fn: Callable[..., Any]) -> dramatiq.Actor[Any, Any]:
        broker = get_broker()
        declared = dramatiq.actor(broker=broker, queue_name=queue_name, **options)(fn)
        QUEUES[declared.actor_name] = queue_name
        _declared.append(declared)
        return declared

    return decorator


def enqueue(actor_name: str, *args: Any, delay_ms: int | None = None, **kwargs: Any) -> None:
    """Send a message to an actor by name."""
    broker = get_broker()
    message: dramatiq.Message[Any] = dramatiq.Message(
        queue_name=QUEUES.get(actor_name, "default"),
        actor_name=actor_name,
        args=args,
        kwargs=kwargs,
        options={},
    )
    broker.enqueue(message, delay=delay_ms)


def enqueue_after_commit(session: Session, actor_name: str, *args: Any, **kwargs: Any) -> None:
    """Enqueue once the session's transaction commits; dropped if it rolls back."""
    pending: list[tuple[str, tuple[Any, ...], dict[str, Any]]] | None = session.info.get(
        "ulak_enqueue"
    )
    if pending is None:
        pending = []
        session.info["ulak_enqueue"] = pending
        import sqlalchemy as sa

        @sa.event.listens_for(session, "after_commit")
        def _flush(sess: Session) -> None:
            if sess.in_nested_transaction():  # a SAVEPOINT released: the outer one may still fail
                return
            items = list(sess.info.get("ulak_enqueue") or [])
            sess.info["ulak_enqueue"] = []
            for name, a, kw in items:
                try:
                    enqueue(name, *a, **kw)
                except Exception:
                    log.warning("enqueue_failed", actor=name, exc_info=True)

        @sa.event.listens_for(session, "after_rollback")
        def _drop(sess: Session) -> None:
            if sess.in_nested_transaction():  # a SAVEPOINT rolled back: the outer one goes on
                return
            sess.info["ulak_enqueue"] = []

    pending.append((actor_name, args, kwargs))


_flags_lock = threading.Lock()

# Keep or take the flag for a token: up and held by it, or down (lapsed, lowered); not when up
# for another token. One round trip, so two holders never both see it down and both take it.
_OWN = """
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
# Lower the flag only if the token still holds it: a later holder's flag stays up.
_LOWER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def raise_flag(key: str, ttl: timedelta, token: str) -> bool:
    """Mark `key` raised by `token` for up to `ttl`; True when it was not raised already (the
    caller then sends the message the flag stands for, carrying `token`), False when it was (a
    message is outstanding).

    Why: a lane's inbox rows need one outstanding nudge, not one queue message per group commit
    (ADR 0006, "One nudge per lane"). On Redis `SET NX PX`, shared by every process; embedded,
    in this process. When Redis cannot answer, True: a message too many costs a statement, a
    message too few leaves rows for the tick's sweep."""
    broker = get_broker()
    client = getattr(broker, "client", None)
    if client is None:
        now = time.monotonic()
        with _flags_lock:
            flags = _embedded_flags(broker)
            if flags.get(key, ("", 0.0))[1] > now:
                return False
            flags[key] = (token, now + ttl.total_seconds())
            return True
    try:
        return bool(client.set(_flag_key(key), token, nx=True, px=_ms(ttl)))
    except Exception:
        log.warning("flag_unavailable", key=key, exc_info=True)
        return True


def own_flag(key: str, token: str, ttl: timedelta) -> bool:
    """Keep `key` up for `token` for `ttl` from now, or take it if it is down; False when
    another token holds it (its message does what the flag stands for, and the caller's is
    redundant). When Redis cannot answer, True: the caller goes on, as before the flags."""
    broker = get_broker()
    client = getattr(broker, "client", None)
    if client is None:
        now = time.monotonic()
        with _flags_lock:
            flags = _embedded_flags(broker)
            held, until = flags.get(key, ("", 0.0))
            if until > now and held != token:
                return False
            flags[key] = (token, now + ttl.total_seconds())
            return True
    try:
        return bool(_script(client, "own", _OWN)(keys=[_flag_key(key)], args=[token, _ms(ttl)]))
    except Exception:
        log.warning("flag_not_kept", key=key, exc_info=True)
        return True


def lower_flag(key: str, token: str) -> None:
    """Lower `key` while `token` holds it (a later holder's flag stays up): the next
    `raise_flag` returns True. Its holder lowers it before it reads what the flag stood for one
    last time, so anything written after that raises it anew."""
    broker = get_broker()
    client = getattr(broker, "client", None)
    if client is None:
        with _flags_lock:
            flags = _embedded_flags(broker)
            if flags.get(key, ("", 0.0))[0] == token:
                flags.pop(key, None)
        return
    try:
        _script(client, "lower", _LOWER)(keys=[_flag_key(key)], args=[token])
    except Exception:
        log.warning("flag_not_lowered", key=key, exc_info=True)


def _ms(ttl: timedelta) -> int:
    return max(1, int(ttl.total_seconds() * 1000))


def _script(client: Any, name: str, source: str) -> Any:
    """A Lua script registered once per Redis client (EVALSHA, loaded again if Redis lost it)."""
    scripts: dict[str, Any] = client.__dict__.setdefault("ulak_scripts", {})
    if name not in scripts:
        scripts[name] = client.register_script(source)
    return scripts[name]


def _embedded_flags(broker: dramatiq.Broker) -> dict[str, tuple[str, float]]:
    """The in-process broker's flags (key -> its token and when it lapses, monotonic): kept on
    the broker, so a new one (its queues empty, no message outstanding) starts with none."""
    flags: dict[str, tuple[str, float]] | None = getattr(broker, "ulak_flags", None)
    if flags is None:
        flags = {}
        setattr(broker, "ulak_flags", flags)  # noqa: B010 - StubBroker declares no such field
    return flags


def _flag_key(key: str) -> str:
    return f"{cast(Any, get_broker()).namespace}:flag:{key}"


def start_embedded_worker(threads: int) -> dramatiq.Worker:
    """Worker threads inside the API process (embedded mode only)."""
    global _worker
    broker = get_broker()
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
    worker.start()
    _worker = worker
    return worker


def stop_embedded_worker() -> None:
    global _worker
    if _worker is not None:
        _worker.stop(timeout=5000)
        _worker = None


def lost_after() -> timedelta:
    """How long a queue message may show no progress before it counts as lost and its work is
    enqueued again (QUEUE_LOST_AFTER_SECONDS): Redis is transport, the tick its safety net."""
    return timedelta(seconds=get_settings().queue_lost_after_seconds)


LONG_QUEUE = 10_000  # messages: a queue this long is busy, and counting the rows behind it (up
# to 500 per message) would cost the tick more than the answer is worth


def queue_size(queue_name: str) -> int | None:
    """Messages a queue holds, waiting, in progress or delayed for a retry (None: unknown).

    A message taken by a worker process that died (SIGKILL, OOM, a lost machine) is not held: it
    stays in Redis, but Dramatiq gives it back only on a maintenance pass, which one command in a
    thousand runs at random; counted, it made the tick wait 10 minutes for rows nobody sends."""
    broker = get_broker()
    client = getattr(broker, "client", None)
    if client is not None:  # Redis: every message not yet acknowledged is in these hashes
        key = f"{cast(Any, broker).namespace}:{queue_name}"  # RedisBroker's
        try:
            stored = int(client.hlen(f"{key}.msgs")) + int(client.hlen(f"{key}.DQ.msgs"))
            return max(0, stored - _taken_by_dead_workers(broker, queue_name))
        except Exception:  # noqa: BLE001 - unknown: the caller acts as if the queue were empty
            return None
    queues = getattr(broker, "queues", {})
    from dramatiq.common import dq_name

    size: int = sum(
        q.qsize() for name in (queue_name, dq_name(queue_name)) if (q := queues.get(name))
    )
    return size


def _taken_by_dead_workers(broker: Any, queue_name: str) -> int:
    """Messages of this queue (and its delay queue) fetched but never acknowledged by worker
    processes whose last Redis command is older than the broker's heartbeat timeout. Reads the
    keys of RedisBroker's dispatch script: `__heartbeats__` (process id -> last command, ms) and
    `__acks__.<process id>.<queue>` (the ids that process took)."""
    from dramatiq.common import dq_name

    namespace = broker.namespace
    cutoff = time.time() * 1000 - broker.heartbeat_timeout
    dead = broker.client.zrangebyscore(f"{namespace}:__heartbeats__", 0, cutoff)
    if not dead:
        return 0
    pipe = broker.client.pipeline(transaction=False)
    for process in dead:
        process_id = process.decode() if isinstance(process, bytes) else str(process)
        for name in (queue_name, dq_name(queue_name)):
            pipe.scard(f"{namespace}:__acks__.{process_id}.{name}")
    return sum(int(n) for n in pipe.execute())


def broker_reachable() -> bool:
    """For /healthz: Redis answers PING; the in-process broker is always there."""
    broker = get_broker()
    client = getattr(broker, "client", None)
    if client is None:
        return True
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001
        return False
