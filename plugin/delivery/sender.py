"""The send path of one queue message: claim, decide, send concurrently, write back.

A batch of ids is worked in chunks. Each chunk is claimed (`sending`, with a lease) and run
through the policy in ONE committed transaction *before* any API call, so a worker that dies
mid-call leaves rows the tick turns `unknown` — never a second marketing message. Then the
chunk's sends run concurrently (bounded) over one pooled HTTP client, paced per number, and the
results are written in a few bulk statements.

Actors are synchronous (Dramatiq threads). The HTTP side runs on ONE event loop per process, in
its own thread, with one connection pool: worker threads hand it coroutines
(`run_coroutine_threadsafe`), never sharing a loop by running it themselves (STYLE.md's trap).
That also pipelines a batch: while chunk N's sends are in flight, the worker thread claims
chunk N+1 and writes back chunk N-1's results.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import threading
import time
from collections import Counter
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import structlog
from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session

from plugin import clock
from plugin.db import retried_scope
from plugin.delivery import claims, effects, policy
from plugin.delivery.claims import SendOutcome
from plugin.delivery.pace import Pacer, PacerUnavailable, get_pacer
from plugin.delivery.policy import Decision
from plugin.delivery.quality import pace_key
from plugin.delivery.statuses import message_ref
from plugin.settings import Settings, get_settings
from plugin.templates import tracking
from plugin.whatsapp.accounts import switch_marketing_to_mm_api
from plugin.whatsapp.client import CloudApiClient
from plugin.whatsapp.errors import Disposition, ErrorClass, WhatsAppError
from plugin.whatsapp.payloads.outbound import MessagePayload
from plugin.whatsapp.ports import WhatsAppSender

log = structlog.get_logger(__name__)

CLAIM_SIZE = 200  # rows per claim: the most a SIGKILL can leave `unknown`
CONCURRENCY = 64  # API calls in flight per chunk: Meta answers in ~100-300 ms, so 1,000
# sends/s need a few hundred in flight per process (worker threads x chunks in flight x 64)
CHUNKS_IN_FLIGHT = 2  # per worker thread: claim the next chunk while this one is sending
POOL_SIZE = 512  # connections per process, shared by every worker thread
_PAYLOAD: TypeAdapter[MessagePayload] = TypeAdapter(MessagePayload)
T = TypeVar("T")


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        return asyncio.new_event_loop()


@dataclass
class _Runtime:
    """The process's send loop (in its own daemon thread) and its pooled Cloud API client."""

    key: tuple[str, str, float]
    client: CloudApiClient
    loop: asyncio.AbstractEventLoop = field(default_factory=_new_loop)
    in_flight: int = 0

    def __post_init__(self) -> None:
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="ulak-send-loop", daemon=True
        )
        self.thread.start()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        with _lock:
            self.in_flight += 1
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: object) -> None:
        with _lock:
            self.in_flight -= 1

    def close(self) -> None:
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self.client.aclose(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        if not self.thread.is_alive():
            self.loop.close()


_lock = threading.Lock()
_runtimes: dict[tuple[str, str, float], _Runtime] = {}
# Accounts whose /messages answered 131063 and whose message went through the MM API instead;
# the worker thread that writes results back records the switch on the account.
_switched: set[int] = set()


def _take_switched() -> set[int]:
    with _lock:
        taken = set(_switched)
        _switched.clear()
    return taken


def _runtime(settings: Settings) -> _Runtime:
    """The send loop for this deployment's Graph URL (made once per process and URL; tests
    point processes at several sandboxes, so idle loops of other URLs are closed)."""
    base_url = settings.whatsapp_graph_url or ""
    timeout = settings.whatsapp_send_timeout_seconds
    key = (base_url, settings.whatsapp_graph_version, timeout)
    with _lock:
        runtime = _runtimes.get(key)
        if runtime is not None:
            return runtime
        idle = [r for k, r in _runtimes.items() if r.in_flight == 0]
        for stale in idle:
            del _runtimes[stale.key]
        runtime = _runtimes[key] = _Runtime(
            key=key,
            client=CloudApiClient(
                base_url,
                graph_version=settings.whatsapp_graph_version,
                max_connections=POOL_SIZE,
                timeout=timeout,
                connect_timeout=min(5.0, timeout),
            ),
        )
    for stale in idle:
        stale.close()
    return runtime


@atexit.register
def close_runtimes() -> None:
    """Close every pool cleanly (at exit, or when a test resets the process)."""
    with _lock:
        runtimes = list(_runtimes.values())
        _runtimes.clear()
    for runtime in runtimes:
        runtime.close()


def send_batch(
    *,
    message_ids: Sequence[int],
    sender: WhatsAppSender | None = None,
    pacer: Pacer | None = None,
) -> Counter[str]:
    """Send the rows among `message_ids` that are still due; returns counts by outcome."""
    settings = get_settings()
    runtime = _runtime(settings)
    sender = sender or runtime.client
    pacer = pacer or get_pacer(settings)
    totals: Counter[str] = Counter()
    in_flight: list[concurrent.futures.Future[list[SendOutcome]]] = []

    def write_back(future: concurrent.futures.Future[list[SendOutcome]]) -> None:
        outcomes, switched = future.result(), _take_switched()

        def write(session: Session) -> None:
            claims.record_results(session, outcomes, now=clock.now())
            switch_marketing_to_mm_api(session, switched)

        # the calls were made: a deadlock victim writes the same results again, never resends
        retried_scope(write)
        totals.update("sent" if o.wamid else "not_sent" for o in outcomes)

    def claim_chunk(chunk: list[int], now: datetime) -> list[Decision]:
        """Claim and decide in one transaction; a deadlock victim claims again (its claims
        were rolled back with it, and nothing was sent yet)."""

        def take(session: Session) -> list[Decision]:
            rows = claims.claim(session, ids=chunk, now=now)
            if not rows:
                return []
            decisions = policy.evaluate(session, rows, now=now, pacer=pacer)
            claims.record_decisions(session, decisions, now=now)
            return decisions

        return retried_scope(take)

    try:
        ids = sorted(set(message_ids))
        for start in range(0, len(ids), CLAIM_SIZE):
            chunk = ids[start : start + CLAIM_SIZE]
            decisions = claim_chunk(chunk, clock.now())
            if not decisions:
                continue
            sends = [d for d in decisions if d.outcome == "send"]
            totals.update(d.outcome for d in decisions if d.outcome != "send")
            if not sends:
                continue
            in_flight.append(runtime.submit(send_all(sender, pacer, sends)))
            while len(in_flight) >= CHUNKS_IN_FLIGHT:
                write_back(in_flight.pop(0))
    finally:
        # every claimed chunk's results are written, even when a later claim failed
        while in_flight:
            write_back(in_flight.pop(0))
    return totals


def build_payload(decision: Decision) -> MessagePayload:
    """The Cloud API body: the row's stored components, each tracked URL-button marker turned
    into the code signed with this row's id (a campaign's fan-out cannot know the id)."""
    row = decision.row
    body: dict[str, Any] = {"messaging_product": "whatsapp"}
    if decision.to:
        body["to"] = decision.to
    else:  # a username user: Meta's `recipient` takes the business-scoped user id
        body["recipient"] = decision.recipient
    if row.id is not None:  # lets a status find this row even if the send's answer is lost
        body["biz_opaque_callback_data"] = message_ref(row.id)
    interactive = (row.parameters or {}).get("interactive")
    if row.template_name:
        components = list((row.parameters or {}).get("components") or [])
        body["type"] = "template"
        body["template"] = {
            "name": row.template_name,
            "language": {"code": row.template_language or ""},
            "components": tracking.sign_components(components, row.id) if row.id else components,
        }
    elif interactive:  # e.g. the request-contact-info button (the row's text is its body)
        body["type"] = "interactive"
        body["interactive"] = interactive
    else:
        body["type"] = "text"
        body["text"] = {"body": row.text or ""}
    return _PAYLOAD.validate_python(body)


async def send_all(
    sender: WhatsAppSender,
    pacer: Pacer,
    decisions: Sequence[Decision],
    *,
    concurrency: int = CONCURRENCY,
) -> list[SendOutcome]:
    """Send every decision concurrently (at most `concurrency` in flight), each once its
    number's slot starts (`Decision.send_at`, given by the policy's admission)."""
    gate = asyncio.Semaphore(concurrency)
    outcomes: list[SendOutcome] = []
    throttled: set[str] = set()  # numbers Meta answered 130429 for in this call
    tasks: list[asyncio.Task[None]] = []

    async def one(decision: Decision) -> None:
        try:
            outcomes.append(await _send_one(sender, pacer, decision, throttled))
        finally:
            gate.release()

    by_number: dict[str, list[Decision]] = {}
    for decision in decisions:
        assert decision.account is not None
        by_number.setdefault(decision.account.phone_number_id, []).append(decision)

    async def paced(number: str, group: list[Decision]) -> None:
        """One number's sends, each started at its slot (numbers pace apart: one number's
        later slots never hold back another's sends); after Meta's 130429 the number's
        remaining sends of this call start a second later."""
        for decision in sorted(group, key=lambda d: d.send_at):
            pause = decision.send_at + (1.0 if number in throttled else 0.0) - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            await gate.acquire()
            tasks.append(asyncio.create_task(one(decision)))

    await asyncio.gather(*(paced(number, group) for number, group in by_number.items()))
    await asyncio.gather(*tasks)
    return outcomes


async def _send_one(
    sender: WhatsAppSender, pacer: Pacer, decision: Decision, throttled: set[str]
) -> SendOutcome:
    account = decision.account
    assert account is not None
    try:
        payload = build_payload(decision)
    except ValidationError as exc:
        details = f"invalid payload: {exc.error_count()} errors"
        error = ErrorClass(Disposition.OUR_BUG, details=details)
        return SendOutcome(decision, error=error, error_message=effects.INVALID_PAYLOAD)
    try:
        result = await sender.send_message(
            payload, credentials=account.credentials, marketing=decision.row.marketing
        )
    except WhatsAppError as exc:
        if exc.error_class.code == 130429 and account.phone_number_id not in throttled:
            # one second of silence per throttled burst, not per message of the burst
            throttled.add(account.phone_number_id)
            try:
                pacer.penalize(pace_key(account, decision.row.marketing)[0], 1.0)
            except PacerUnavailable as penalty_error:  # Meta's answer must still be recorded
                log.warning("pacer_unavailable", error=repr(penalty_error))
        return SendOutcome(decision, error=exc.error_class, error_message=exc.message)
    except Exception as exc:  # unknown failure mid-call: it may have been sent
        log.exception("send_failed_unexpectedly", message_id=decision.row.id)
        error = ErrorClass(Disposition.OUTCOME_UNKNOWN, details=type(exc).__name__)
        return SendOutcome(decision, error=error)
    if result.switched_to_marketing_messages:
        log.info("marketing_switched_to_mm_api", account_id=account.id)
        with _lock:
            _switched.add(account.id)
    return SendOutcome(decision, wamid=result.wamid)
