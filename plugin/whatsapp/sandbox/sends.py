"""Sends as Meta's /messages and /marketing_messages take them: validation, throughput and
pair-rate limits, forced faults, the 24-hour service window and the marketing opt-out, each
accepted send recorded and its status webhooks queued."""

from __future__ import annotations

import base64
from collections import deque
from typing import Any

from plugin.whatsapp.sandbox.config import SandboxNumber
from plugin.whatsapp.sandbox.graph import GraphError, recipient_bsuid, recipient_digits, title
from plugin.whatsapp.sandbox.records import InboundRecord, SentMessage, is_bsuid
from plugin.whatsapp.sandbox.render import Rendered, render_freeform, render_template
from plugin.whatsapp.sandbox.webhooks import SandboxWebhooks

SERVICE_WINDOW = 24 * 3600.0
MAX_INDEXED = 200_000


class SandboxSends(SandboxWebhooks):
    """The send path (no lock, no disk: it must never be a benchmark's bottleneck)."""

    # ------------------------------------------------------------------ sends

    def check_send_faults(self) -> tuple[str, float] | None:
        """Random transport faults for a send: ("5xx", 0) or ("timeout", seconds) or None."""
        faults = self.config.faults
        if faults.server_error_rate and self._random.random() < faults.server_error_rate:
            return ("5xx", 0.0)
        if faults.timeout_rate and self._random.random() < faults.timeout_rate:
            return ("timeout", faults.timeout_seconds)
        return None

    def accept_send(
        self, number: SandboxNumber, body: Any, *, endpoint: str = "messages"
    ) -> tuple[SentMessage, dict[str, Any]]:
        """Validate one send like Meta, record it and queue its status webhooks.

        A send by `recipient` (a BSUID) reaches a username user; Meta refuses authentication
        templates there with 131062, and its answer names the user by `user_id`, not `wa_id`
        (Meta's "Business-scoped user IDs" page, Messages API changes)."""
        if not isinstance(body, dict):
            raise GraphError(100, "Request body must be a JSON object")
        if body.get("messaging_product") != "whatsapp":
            raise GraphError(100, "The parameter messaging_product is required.")
        rtype = body.get("recipient_type", "individual")
        if rtype not in ("individual", "group"):
            raise GraphError(100, "Invalid parameter: recipient_type")
        # Meta's business-scoped user ids page: `recipient` takes a BSUID; `to` wins when both
        to = body.get("to")
        if to is None and body.get("recipient") is not None:
            to = body["recipient"]
            digits = recipient_bsuid(to)
        else:
            digits = recipient_digits(to)
        kind = body.get("type", "text")
        pnid = number.phone_number_id
        faults = self.config.faults
        now = self.now()
        # throughput (per number, per second)
        if faults.throughput_per_second is not None:
            second = int(now)
            window, count = self.rate_window.get(pnid, (second, 0))
            if window != second:
                window, count = second, 0
            if count >= faults.throughput_per_second:
                raise GraphError(
                    130429,
                    "Message failed to send because there were too many "
                    "messages sent from this phone number in a short period of time.",
                )
            self.rate_window[pnid] = (window, count + 1)
        if kind == "template":
            rendered = self._render_template(number, body)
            self._check_marketing_route(number, body, rendered, endpoint)
            if is_bsuid(digits) and rendered.category == "authentication":
                raise GraphError(131062, title(131062))
        elif endpoint == "marketing_messages":
            raise GraphError(100, "Only template messages can be sent with /marketing_messages.")
        elif isinstance(kind, str):
            rendered = render_freeform(body, kind)
        else:
            raise GraphError(100, "Invalid parameter: type")
        # faults and rules about the recipient
        target = "+" + digits
        forced = faults.recipient_errors.get(target) or faults.recipient_errors.get(digits)
        if forced is not None:
            raise GraphError(int(forced), title(int(forced)))
        undeliverable = target in faults.undeliverable or digits in faults.undeliverable
        if undeliverable and not faults.undeliverable_async:
            raise GraphError(131026, "Message Undeliverable.")
        key = (pnid, digits)
        if faults.pair_rate_seconds is not None:
            last = self.last_accepted.get(key)
            if last is not None and now - last < faults.pair_rate_seconds:
                raise GraphError(
                    131056,
                    "Message failed to send because there were too many "
                    "messages sent from this phone number to the same phone number "
                    "in a short period of time.",
                )
        self.last_accepted[key] = now
        message = SentMessage(
            wamid=self._wamid(digits),
            phone_number_id=pnid,
            waba_id=number.waba_id,
            to=digits,
            rendered=rendered,
            time=now,
            endpoint=endpoint,
            biz_opaque_callback_data=body.get("biz_opaque_callback_data"),
        )
        self._record(message)
        self.counts["accepted"] += 1
        self.last_sender[digits] = pnid
        # what happens after acceptance, reported by status webhooks as Meta does
        failure: int | None = None
        if undeliverable:
            failure = 131026
        elif rendered.type != "template" and self.config.enforce_service_window:
            opened = self.last_inbound.get(key)
            if opened is None or now - opened > SERVICE_WINDOW:
                failure = 131047
        elif rendered.category == "marketing" and (number.waba_id, digits) in self.opted_out:
            failure = 131050
        self._schedule_statuses(message, failure)
        contact = (
            {"input": to, "user_id": digits} if is_bsuid(digits) else {"input": to, "wa_id": digits}
        )
        answer = {
            "messaging_product": "whatsapp",
            "contacts": [contact],
            "messages": [{"id": message.wamid, "message_status": "accepted"}],
        }
        return message, answer

    @staticmethod
    def _check_marketing_route(
        number: SandboxNumber, body: dict[str, Any], rendered: Rendered, endpoint: str
    ) -> None:
        """Which endpoint may carry a template, as Meta documents it.

        - /messages answers 131063 to a marketing template when the business turned marketing
          off on the Cloud API ("Route template messages by category": marketing templates go
          to /<PHONE_NUMBER_ID>/marketing_messages; Meta's error-code reference, 131063).
        - /marketing_messages takes marketing templates only, `product_policy` CLOUD_API_FALLBACK
          or STRICT and a boolean `message_activity_sharing` ("Send marketing messages"), and
          only from a business onboarded to the Marketing Messages API (its WABA's
          `marketing_messages_onboarding_status`); others get Meta's permission error (10).
        """
        if endpoint == "messages":
            if rendered.category == "marketing" and not number.marketing_on_cloud_api:
                raise GraphError(131063, title(131063))
            return
        if not number.mm_api_onboarded:
            raise GraphError(
                10,
                "This business is not onboarded to the Marketing Messages API.",
                error_type="OAuthException",
                http_status=403,
            )
        if rendered.category != "marketing":
            raise GraphError(100, "Only marketing templates can be sent with /marketing_messages.")
        policy = body.get("product_policy")
        if policy is not None and policy not in ("CLOUD_API_FALLBACK", "STRICT"):
            raise GraphError(100, "Invalid parameter: product_policy")
        sharing = body.get("message_activity_sharing")
        if sharing is not None and not isinstance(sharing, bool):
            raise GraphError(100, "Invalid parameter: message_activity_sharing")

    def _render_template(self, number: SandboxNumber, body: dict[str, Any]) -> Rendered:
        template = body.get("template")
        if not isinstance(template, dict):
            raise GraphError(100, "The parameter template is required.")
        name = template.get("name")
        language = template.get("language")
        code = language.get("code") if isinstance(language, dict) else None
        if not isinstance(name, str) or not name:
            raise GraphError(100, "The parameter template['name'] is required.")
        if not isinstance(code, str) or not code:
            raise GraphError(100, "The parameter template['language']['code'] is required.")
        tpl = self.templates.get(number.waba_id, {}).get((name, code))
        if tpl is None or tpl.status not in ("APPROVED",):
            if tpl is not None and tpl.status in ("PAUSED", "DISABLED"):
                raise GraphError(
                    132015 if tpl.status == "PAUSED" else 132016,
                    f"Template {name} is {tpl.status.lower()}",
                )
            raise GraphError(132001, f"template name ({name}) does not exist in {code}")
        return render_template(tpl, template)

    def _wamid(self, digits: str) -> str:
        raw = f"{digits}{self._wamid_prefix}{next(self._counter):010X}".encode()
        return "wamid.HBgM" + base64.b64encode(raw).decode().rstrip("=")

    def _record(self, item: SentMessage | InboundRecord) -> None:
        customer = item.to if isinstance(item, SentMessage) else item.customer
        queue = self.messages.get(customer)
        if queue is None:
            queue = self.messages[customer] = deque(maxlen=self.config.max_messages_per_recipient)
        queue.append(item)
        if isinstance(item, SentMessage):
            self.by_wamid[item.wamid] = item
            if len(self.by_wamid) > MAX_INDEXED:
                self.by_wamid.popitem(last=False)
