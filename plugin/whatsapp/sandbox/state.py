"""The sandbox's world, in memory: the `Sandbox` that combines its state and setup (core),
webhooks, sends, templates and customers, plus what its own API reports (stats, messages,
chats, clock, flush)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any

from plugin.whatsapp.sandbox.customers import SandboxCustomers
from plugin.whatsapp.sandbox.records import SentMessage, is_bsuid, iso_time
from plugin.whatsapp.sandbox.templates import SandboxTemplateStore


class Sandbox(SandboxCustomers, SandboxTemplateStore):
    """Meta's Graph API and WhatsApp users, simulated in one process."""

    def stats(self) -> dict[str, int]:
        """Totals since start (or the last reset): sends accepted, statuses and webhook POSTs
        sent to the app and how they were answered, and statuses still waiting to go."""
        names = ("accepted", "statuses_posted", "webhooks_posted", "webhooks_ok", "webhooks_failed")
        return {
            **{name: self.counts[name] for name in names},
            "pending_statuses": len(self.pending),
        }

    def list_messages(
        self, customer: str, *, include_inbound: bool = False
    ) -> list[dict[str, Any]]:
        """A customer's messages by number, or by BSUID for a username user."""
        digits = customer.strip() if is_bsuid(customer) else "".join(filter(str.isdigit, customer))
        return [
            item.public()
            for item in self.messages.get(digits, ())
            if include_inbound or isinstance(item, SentMessage)
        ]

    def chats(self) -> list[dict[str, Any]]:
        out = []
        for digits, items in self.messages.items():
            if items:
                last = items[-1]
                text = last.rendered.text if isinstance(last, SentMessage) else last.text
                to = digits if is_bsuid(digits) else "+" + digits
                out.append({"to": to, "last_text": text, "time": iso_time(last.time)})
        out.sort(key=lambda c: c["time"], reverse=True)
        return out

    async def advance_clock(self, seconds: float) -> datetime:
        """Move the sandbox clock and, through the callback, the app's clock."""
        self.clock_offset += seconds
        if self.clock_callback is not None:
            result = self.clock_callback(seconds)
            if isinstance(result, Awaitable):
                result = await result
            if isinstance(result, datetime):
                return result
        return datetime.fromtimestamp(self.now(), UTC)

    async def flush(self, timeout: float = 10.0) -> None:
        """Wait until every queued status webhook is sent (tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while (self.pending or self._tasks) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    async def aclose(self) -> None:
        for task in [self._dispatcher, *self._tasks]:
            if task is not None:
                task.cancel()
        if self._owns_http and self._http is not None:
            await self._http.aclose()
        self._http = None
        self._dispatcher = None
