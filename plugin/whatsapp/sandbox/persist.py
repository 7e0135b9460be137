"""A sandbox whose business side survives a restart (dev mode, `make run`).

Meta keeps a business's phone numbers and approved templates for good; the in-memory sandbox
forgot them on every restart, so after restarting `make run` the app's starter templates were
gone at "Meta" (sends failed with 132001, template sync marked them DELETED) and the dev clock
fell back to real time. This sandbox writes its numbers, templates, the marketing opt-outs
customers chose inside WhatsApp and the clock offset to a JSON file after every change to
them, and reads the file when it starts. Messages and queued statuses stay in memory: like a
phone that was switched off, the chats start empty.

Writes are atomic (a temporary file, then rename), so a process killed mid-write leaves the
previous snapshot.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from plugin.whatsapp.sandbox.config import SandboxNumber
from plugin.whatsapp.sandbox.state import Sandbox
from plugin.whatsapp.sandbox.template_rules import SandboxTemplate

log = logging.getLogger("ulak.sandbox")

FORMAT = 1


class PersistentSandbox(Sandbox):
    """`Sandbox`, plus a JSON snapshot of what a restart must not lose (`state_file`)."""

    def __init__(self, *args: Any, state_file: Path, **kwargs: Any) -> None:
        self.state_file = state_file
        self._save_lock = threading.Lock()
        self._loading = True
        super().__init__(*args, **kwargs)
        self.load()
        self._loading = False

    # ------------------------------------------------------------------ the snapshot

    def snapshot(self) -> dict[str, Any]:
        """What the file holds: the business's world at Meta, not the customers' chats."""
        return {
            "format": FORMAT,
            "clock_offset": self.clock_offset,
            "numbers": [n.model_dump() for n in list(self.numbers.values())],
            "templates": [
                asdict(t) for by_key in list(self.templates.values()) for t in list(by_key.values())
            ],
            "opted_out": sorted([list(pair) for pair in self.opted_out]),
        }

    def save(self) -> None:
        """Write the snapshot now (called after every change it covers)."""
        if self._loading:
            return
        with self._save_lock:
            for _ in range(3):  # a worker thread may be adding a template meanwhile
                try:
                    data = json.dumps(self.snapshot(), ensure_ascii=False, indent=1)
                    break
                except RuntimeError:
                    continue
            else:
                log.warning("sandbox state not saved: it kept changing")
                return
            tmp = self.state_file.with_name(self.state_file.name + ".tmp")
            try:
                self.state_file.parent.mkdir(parents=True, exist_ok=True)
                tmp.write_text(data, encoding="utf-8")
                os.replace(tmp, self.state_file)
            except OSError as exc:
                log.warning("sandbox state not saved to %s: %s", self.state_file, exc)

    def load(self) -> None:
        """Read the file if there is one; anything unreadable is skipped, never fatal (a dev
        sandbox must start even after an upgrade changed a field)."""
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("sandbox state %s unreadable, starting empty: %s", self.state_file, exc)
            return
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return
        for raw in data.get("numbers") or []:
            try:
                self.register_number(SandboxNumber.model_validate(raw))
            except ValidationError:
                continue
        for raw in data.get("templates") or []:
            try:
                tpl = SandboxTemplate(**raw)
            except TypeError:
                continue
            self.templates.setdefault(tpl.waba_id, {})[(tpl.name, tpl.language)] = tpl
        self.opted_out = {
            (str(p[0]), str(p[1])) for p in data.get("opted_out") or [] if len(p) == 2
        }
        offset = data.get("clock_offset")
        if isinstance(offset, int | float) and offset > 0:
            self.clock_offset = float(offset)

    # ------------------------------------------------------------------ changes it covers

    def register_number(self, number: SandboxNumber) -> SandboxNumber:
        result = super().register_number(number)
        self.save()
        return result

    def add_template(self, **kwargs: Any) -> SandboxTemplate:
        tpl = super().add_template(**kwargs)
        self.save()
        return tpl

    def create_template(self, waba_id: str, body: Any) -> SandboxTemplate:
        tpl = super().create_template(waba_id, body)
        self.save()
        return tpl

    def _finish_review(self, tpl: SandboxTemplate) -> None:
        super()._finish_review(tpl)
        self.save()

    def delete_template(self, waba_id: str, name: str | None, hsm_id: str | None) -> None:
        super().delete_template(waba_id, name, hsm_id)
        self.save()

    def reset(self, *, everything: bool = False) -> None:
        offset = self.clock_offset
        super().reset(everything=everything)
        self.clock_offset = offset  # the app's clock stays where it is: so does the sandbox's
        self.save()

    async def marketing_preference(self, **kwargs: Any) -> dict[str, Any]:
        result = await super().marketing_preference(**kwargs)
        self.save()
        return result

    async def advance_clock(self, seconds: float) -> datetime:
        moved = await super().advance_clock(seconds)
        self.save()
        return moved
