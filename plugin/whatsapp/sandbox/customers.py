"""The simulated WhatsApp users: replies (text, buttons, list rows, a shared phone number) and
marketing stop/resume, each POSTed to the app as Meta's inbound webhooks."""

from __future__ import annotations

from typing import Any

from plugin.whatsapp.sandbox.config import SandboxNumber
from plugin.whatsapp.sandbox.graph import GraphError, recipient_bsuid, recipient_digits
from plugin.whatsapp.sandbox.records import InboundRecord, SentMessage, user_id_for
from plugin.whatsapp.sandbox.sends import SandboxSends


class SandboxCustomers(SandboxSends):
    """What a customer does on their phone."""

    # ------------------------------------------------------------------ customers

    def sender_for(self, customer: str, phone_number_id: str | None) -> SandboxNumber:
        pnid = phone_number_id or self.last_sender.get(customer)
        if pnid is None and self.numbers:
            pnid = next(iter(self.numbers))
        number = self.numbers.get(pnid or "") or (self.resolve_number(pnid) if pnid else None)
        if number is None:
            raise LookupError(f"unknown phone_number_id {pnid}")
        return number

    def _find_button(
        self, customer: str, pnid: str, *, payload: str | None, reply_id: str | None
    ) -> tuple[SentMessage, dict[str, Any]] | None:
        for item in reversed(self.messages.get(customer, ())):
            if not isinstance(item, SentMessage) or item.phone_number_id != pnid:
                continue
            for button in item.rendered.buttons:
                if (
                    payload is not None
                    and button.get("type") == "quick_reply"
                    and (button.get("payload") == payload)
                ):
                    return item, button
                if (
                    reply_id is not None
                    and button.get("id") == reply_id
                    and button.get("type") in ("reply", "list_row")
                ):
                    return item, button
        return None

    async def customer_reply(
        self,
        *,
        customer: str | None = None,
        text: str | None = None,
        button_payload: str | None = None,
        reply_id: str | None = None,
        phone_number_id: str | None = None,
        name: str | None = None,
        user_id: str | None = None,
        username: str | None = None,
        shared_phone: str | None = None,
    ) -> dict[str, Any]:
        """An inbound message as Meta would POST it; opens the 24-hour service window.

        A username user (`user_id` and no `customer` number) writes as Meta's business-scoped
        user ids page shows: `from_user_id` instead of `from`, a contact with `user_id` and
        `profile.username` and no `wa_id`. `shared_phone` answers a request-contact-info
        button: a `contacts` message whose card has `origin` "contact_request".
        """
        if customer:
            digits = recipient_digits(customer)
            message: dict[str, Any] = {"from": digits}
            contact: dict[str, Any] = {"wa_id": digits, "user_id": user_id_for(digits)}
        else:
            digits = recipient_bsuid(user_id)
            message = {"from_user_id": digits}
            contact = {"user_id": digits}
        contact["profile"] = {"name": name or "Sandbox User"}
        if username:
            contact["profile"]["username"] = username
        number = self.sender_for(digits, phone_number_id)
        pnid = number.phone_number_id
        now = self.now()
        wamid = self._wamid(digits)
        message.update({"id": wamid, "timestamp": str(int(now))})
        shown = text or ""
        if shared_phone is not None:
            phone_digits = recipient_digits(shared_phone)
            shown = "+" + phone_digits
            message["type"] = "contacts"
            message["contacts"] = [
                {
                    "origin": "contact_request",
                    "name": {"formatted_name": name or "Sandbox User"},
                    "phones": [{"phone": shown, "wa_id": phone_digits, "type": "CELL"}],
                }
            ]
        elif button_payload is not None or reply_id is not None:
            found = self._find_button(digits, pnid, payload=button_payload, reply_id=reply_id)
            if found is not None:
                original, button = found
                message["context"] = {
                    "from": self._metadata(number)["display_phone_number"],
                    "id": original.wamid,
                }
            if button_payload is not None:
                shown = str(button["text"]) if found else button_payload
                message["type"] = "button"
                message["button"] = {"payload": button_payload, "text": shown}
            else:
                shown = str(button["text"]) if found else str(reply_id)
                if found and button["type"] == "list_row":
                    reply = {"id": reply_id, "title": shown}
                    if button.get("description"):
                        reply["description"] = button["description"]
                    message["type"] = "interactive"
                    message["interactive"] = {"type": "list_reply", "list_reply": reply}
                else:
                    message["type"] = "interactive"
                    message["interactive"] = {
                        "type": "button_reply",
                        "button_reply": {"id": reply_id, "title": shown},
                    }
        else:
            if not text:
                raise GraphError(100, "text, button_payload or reply_id is required")
            message["type"] = "text"
            message["text"] = {"body": text}
        self.last_inbound[(pnid, digits)] = now
        self._record(InboundRecord(wamid, pnid, digits, message["type"], shown, now))
        value = {
            "messaging_product": "whatsapp",
            "metadata": self._metadata(number),
            "contacts": [contact],
            "messages": [message],
        }
        status = await self.post_webhook(self._envelope(number.waba_id, "messages", value))
        return {"wamid": wamid, "phone_number_id": pnid, "webhook_status": status}

    async def marketing_preference(
        self, *, customer: str, value: str, phone_number_id: str | None = None
    ) -> dict[str, Any]:
        """The customer stops or resumes marketing inside WhatsApp (user_preferences webhook)."""
        digits = recipient_digits(customer)
        number = self.sender_for(digits, phone_number_id)
        if value == "stop":
            self.opted_out.add((number.waba_id, digits))
        else:
            self.opted_out.discard((number.waba_id, digits))
        detail = {
            "stop": "User requested to stop marketing messages",
            "resume": "User requested to resume marketing messages",
        }.get(value, value)
        payload = {
            "messaging_product": "whatsapp",
            "metadata": self._metadata(number),
            "contacts": [
                {
                    "profile": {"name": "Sandbox User"},
                    "wa_id": digits,
                    "user_id": user_id_for(digits),
                }
            ],
            "user_preferences": [
                {
                    "wa_id": digits,
                    "detail": detail,
                    "category": "marketing_messages",
                    "value": value,
                    "timestamp": int(self.now()),
                }
            ],
        }
        status = await self.post_webhook(
            self._envelope(number.waba_id, "user_preferences", payload)
        )
        return {"webhook_status": status}
