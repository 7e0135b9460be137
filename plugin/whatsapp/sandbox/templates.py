"""Message templates in the sandbox: seeding, submission with a simulated review and its
status webhook, listing with Graph-style cursors, and deletion."""

from __future__ import annotations

import base64
from typing import Any

from plugin.whatsapp.sandbox.graph import GraphError
from plugin.whatsapp.sandbox.template_rules import (
    SandboxTemplate,
    review,
    validate_template_definition,
)
from plugin.whatsapp.sandbox.webhooks import SandboxWebhooks


class SandboxTemplateStore(SandboxWebhooks):
    """A WABA's templates as Meta's template endpoints manage them."""

    def add_template(
        self,
        *,
        waba_id: str,
        name: str,
        language: str,
        category: str,
        components: list[dict[str, Any]],
        status: str = "APPROVED",
        parameter_format: str = "POSITIONAL",
        template_id: str | None = None,
    ) -> SandboxTemplate:
        """Seed a template directly (dev-mode starter templates), skipping review;
        `template_id` keeps the id the app already knows (restoring after a restart)."""
        validate_template_definition(
            {
                "name": name,
                "language": language,
                "category": category,
                "components": components,
                "parameter_format": parameter_format,
            }
        )
        tpl = SandboxTemplate(
            id=template_id or str(self._random.randrange(10**14, 10**15)),
            waba_id=waba_id,
            name=name,
            language=language,
            category=category,
            components=components,
            parameter_format=parameter_format,
            status=status,
        )
        self.templates.setdefault(waba_id, {})[(name, language)] = tpl
        return tpl

    # ------------------------------------------------------------------ templates

    def create_template(self, waba_id: str, body: Any) -> SandboxTemplate:
        fields = validate_template_definition(body)
        existing = self.templates.setdefault(waba_id, {})
        if (fields["name"], fields["language"]) in existing:
            raise GraphError(
                100,
                "Content in this language already exists.",
                subcode=2388024,
                message="Invalid parameter",
            )
        tpl = SandboxTemplate(
            id=str(self._random.randrange(10**14, 10**15)), waba_id=waba_id, **fields
        )
        existing[(tpl.name, tpl.language)] = tpl
        delay = self.config.review_delay_seconds
        if delay <= 0:
            self._finish_review(tpl)
            self.spawn(self._template_webhook(tpl))
        else:
            self.spawn(self._review_later(tpl), delay)
        return tpl

    async def _review_later(self, tpl: SandboxTemplate) -> None:
        if self.templates.get(tpl.waba_id, {}).get((tpl.name, tpl.language)) is not tpl:
            return  # deleted meanwhile
        self._finish_review(tpl)
        await self._template_webhook(tpl)

    def _finish_review(self, tpl: SandboxTemplate) -> None:
        tpl.status, tpl.rejected_reason = review(tpl)

    async def _template_webhook(self, tpl: SandboxTemplate) -> None:
        value: dict[str, Any] = {
            "event": tpl.status,
            "message_template_id": int(tpl.id),
            "message_template_name": tpl.name,
            "message_template_language": tpl.language,
            "reason": tpl.rejected_reason,
            "message_template_category": tpl.category,
        }
        if tpl.status == "REJECTED":
            value["rejection_info"] = {
                "reason": "The sandbox rejects templates named reject* or containing REJECT_ME.",
                "recommendation": "Rename the template or change its body.",
            }
        await self.post_webhook(
            self._envelope(tpl.waba_id, "message_template_status_update", value, with_time=True)
        )

    def list_templates(
        self, waba_id: str, *, limit: int, after: str | None, filters: dict[str, str]
    ) -> dict[str, Any]:
        items = [t for t in self.templates.get(waba_id, {}).values()]
        for key in ("name", "status", "category", "language"):
            if filters.get(key):
                items = [
                    t
                    for t in items
                    if str(getattr(t, key)).upper() == filters[key].upper()
                    or (key == "name" and filters[key] in t.name)
                ]
        start = 0
        if after:
            try:
                start = int(base64.urlsafe_b64decode(after.encode() + b"==").decode())
            except (ValueError, UnicodeDecodeError):
                raise GraphError(100, "Invalid parameter: after") from None
        page = items[start : start + limit]
        data: dict[str, Any] = {"data": [t.public() for t in page]}
        if page:
            before = base64.urlsafe_b64encode(str(start).encode()).decode().rstrip("=")
            nxt = base64.urlsafe_b64encode(str(start + len(page)).encode()).decode().rstrip("=")
            data["paging"] = {"cursors": {"before": before, "after": nxt}}
            if start + len(page) < len(items):
                data["paging"]["next"] = f"?limit={limit}&after={nxt}"
        return data

    def delete_template(self, waba_id: str, name: str | None, hsm_id: str | None) -> None:
        existing = self.templates.get(waba_id, {})
        doomed = [
            k for k, t in existing.items() if t.name == name and (not hsm_id or t.id == hsm_id)
        ]
        if not name or not doomed:
            raise GraphError(100, f"Message template not found: {name}", subcode=2593002)
        for key in doomed:
            del existing[key]
