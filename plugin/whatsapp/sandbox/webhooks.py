"""Webhooks the sandbox owes the app: status webhooks queued on a heap and sent in batches
(several statuses per POST, as Meta does) by one background task over one pooled client, and
signed POSTs retried in the background like Meta's."""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
from collections.abc import Awaitable
from typing import Any

import httpx

from plugin.whatsapp.sandbox.config import SandboxNumber
from plugin.whatsapp.sandbox.core import SandboxCore
from plugin.whatsapp.sandbox.graph import title
from plugin.whatsapp.sandbox.records import SentMessage, dumps, is_bsuid, user_id_for
from plugin.whatsapp.signature import HEADER, sign_body

log = logging.getLogger("ulak.sandbox")

STATUS_RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}
ERROR_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"


class SandboxWebhooks(SandboxCore):
    """Status scheduling and signed webhook delivery to the app."""

    # ------------------------------------------------------------------ statuses

    def _schedule_statuses(self, message: SentMessage, failure: int | None) -> None:
        cfg = self.config
        base = time.monotonic()
        push = self.pending.append
        if failure is not None:
            error = {
                "code": failure,
                "title": title(failure),
                "message": title(failure),
                "error_data": {"details": title(failure)},
                "href": ERROR_HREF,
            }
            push((base + cfg.sent_delay_seconds, next(self._seq), message.wamid, "failed", error))
        else:
            push((base + cfg.sent_delay_seconds, next(self._seq), message.wamid, "sent", None))
            push(
                (
                    base + cfg.delivered_delay_seconds,
                    next(self._seq),
                    message.wamid,
                    "delivered",
                    None,
                )
            )
            if cfg.read_ratio >= 1.0 or self._random.random() < cfg.read_ratio:
                push((base + cfg.read_delay_seconds, next(self._seq), message.wamid, "read", None))
        self._ensure_dispatcher()

    def _ensure_dispatcher(self) -> None:
        if self._dispatcher is None or self._dispatcher.done():
            self._wake = asyncio.Event()
            self._dispatcher = asyncio.get_running_loop().create_task(self._dispatch_loop())
        elif self._wake is not None and not self._wake.is_set():
            self._wake.set()

    async def _dispatch_loop(self) -> None:
        assert self._wake is not None
        while True:
            if not self.pending:
                self._wake.clear()
                await self._wake.wait()
                continue
            await asyncio.sleep(self.config.webhook_flush_seconds)
            try:
                await self._flush_due()
            except Exception:  # keep the loop alive whatever a webhook does
                log.exception("sandbox status dispatch failed")

    async def _flush_due(self) -> None:
        # `pending` is appended unsorted on the hot path; heapify once per tick here.
        heapq.heapify(self.pending)
        now = time.monotonic()
        due: list[tuple[float, int, str, str, dict[str, Any] | None]] = []
        while self.pending and self.pending[0][0] <= now:
            due.append(heapq.heappop(self.pending))
        if not due:
            return
        by_number: dict[str, list[dict[str, Any]]] = {}
        for _, _, wamid, status, error in due:
            message = self.by_wamid.get(wamid)
            if message is None:
                continue
            if STATUS_RANK[status] > STATUS_RANK.get(message.status, 0):
                message.status = status
                if error is not None:
                    message.errors.append(error)
            by_number.setdefault(message.phone_number_id, []).append(
                self._status_json(message, status, error)
            )
        if not (self.config.status_webhooks and self.webhook_target_url):
            return
        size = self.config.webhook_batch_size
        await asyncio.gather(
            *(self._post_batches(pnid, statuses, size) for pnid, statuses in by_number.items())
        )

    async def _post_batches(self, pnid: str, statuses: list[dict[str, Any]], size: int) -> None:
        number = self.numbers.get(pnid)
        if number is None:
            return
        for start in range(0, len(statuses), size):
            value = {
                "messaging_product": "whatsapp",
                "metadata": self._metadata(number),
                "statuses": statuses[start : start + size],
            }
            self.counts["statuses_posted"] += len(value["statuses"])
            await self.post_webhook(self._envelope(number.waba_id, "messages", value), retries=3)

    def _status_json(
        self, message: SentMessage, status: str, error: dict[str, Any] | None
    ) -> dict[str, Any]:
        """One status as Meta's status webhook carries it: `recipient_user_id` always, and
        `recipient_id` only when the send named a phone number (Meta's "Business-scoped user
        IDs" page, webhook changes; the real sample status_delivered_bsuid.json)."""
        item: dict[str, Any] = {
            "id": message.wamid,
            "status": status,
            "timestamp": str(int(self.now())),
        }
        if is_bsuid(message.to):  # a username user: no phone number in the status
            item["recipient_user_id"] = message.to
        else:
            item["recipient_id"] = message.to
            item["recipient_user_id"] = user_id_for(message.to)
        if message.biz_opaque_callback_data:
            item["biz_opaque_callback_data"] = message.biz_opaque_callback_data
        if error is not None:
            item["errors"] = [error]
            return item
        category = message.rendered.category
        service = message.rendered.type != "template"
        item["pricing"] = {
            "billable": not service and category != "service",
            "pricing_model": "PMP",
            "type": "free_customer_service" if service else "regular",
            "category": "service" if service else category,
        }
        return item

    # ------------------------------------------------------------------ webhooks

    def _metadata(self, number: SandboxNumber) -> dict[str, str]:
        return {
            "display_phone_number": "".join(c for c in number.display_phone_number if c.isdigit()),
            "phone_number_id": number.phone_number_id,
        }

    def _envelope(
        self, waba_id: str, field_name: str, value: dict[str, Any], *, with_time: bool = False
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": waba_id, "changes": [{"value": value, "field": field_name}]}
        if with_time:
            entry["time"] = int(self.now())
        return {"object": "whatsapp_business_account", "entry": [entry]}

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=self.config.webhook_timeout_seconds,
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
            )
        return self._http

    async def post_webhook(self, payload: dict[str, Any], *, retries: int = 0) -> int | None:
        """POST a signed webhook to the app; returns the HTTP status (None: unreachable).

        Like Meta, a failed delivery (no answer or a 5xx) is retried later in the background,
        `retries` times with a growing delay; the caller never waits for the retries."""
        if not self.webhook_target_url:
            return None
        raw = dumps(payload)
        headers = {"Content-Type": "application/json", HEADER: sign_body(self.app_secret, raw)}
        status: int | None = None
        try:
            response = await self._client().post(
                self.webhook_target_url, content=raw, headers=headers
            )
            status = response.status_code
        except httpx.HTTPError as exc:
            self._warn(f"sandbox webhook not delivered: {exc!r}")
        self.webhook_log.append({"status": status})
        self.counts["webhooks_posted"] += 1
        self.counts[
            "webhooks_ok" if status is not None and status < 300 else "webhooks_failed"
        ] += 1
        if (status is None or status >= 500) and retries > 0:
            self.spawn(self.post_webhook(payload, retries=retries - 1), delay=2.0 / retries)
        return status

    def _warn(self, text: str) -> None:
        now = time.monotonic()
        if now - self._last_warning > 10.0:  # a stopped app must not flood the log
            self._last_warning = now
            log.warning(text)

    def spawn(self, coro: Awaitable[Any], delay: float = 0.0) -> None:
        """Run a webhook in the background (kept referenced until done)."""

        async def run() -> None:
            if delay:
                await asyncio.sleep(delay)
            await coro

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
