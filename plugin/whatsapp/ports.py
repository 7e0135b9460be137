"""What the delivery engine needs from WhatsApp, as a Protocol (the real client or a fake)."""

from __future__ import annotations

from typing import Protocol

from plugin.whatsapp.credentials import Credentials
from plugin.whatsapp.payloads.graph import BusinessAccountInfo, PhoneNumberInfo, SendResult
from plugin.whatsapp.payloads.outbound import MessagePayload


class WhatsAppSender(Protocol):
    """Sends one message; raises `plugin.whatsapp.errors.WhatsAppError` with a disposition."""

    async def send_message(
        self,
        payload: MessagePayload,
        *,
        credentials: Credentials,
        marketing: bool = False,
    ) -> SendResult: ...


class PhoneNumberLookup(Protocol):
    """Reads a phone number's facts from the Graph API: proves credentials work before saving,
    and reads the WABA's Marketing Messages API onboarding status.

    `plugin.whatsapp.client.CloudApiClient` is the real one; raises `WhatsAppError` on refusal.
    """

    async def get_phone_number(self, *, credentials: Credentials) -> PhoneNumberInfo: ...

    async def get_business_account(self, *, credentials: Credentials) -> BusinessAccountInfo: ...
