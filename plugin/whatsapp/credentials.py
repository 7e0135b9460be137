"""A store's WhatsApp connection as the client uses it: a plain value, not a table row (the
encrypted row lives in `plugin.whatsapp.accounts`) and not a payload sent to Meta."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Credentials:
    """One store's WhatsApp connection (stored encrypted; decrypted only to send)."""

    phone_number_id: str
    access_token: str
    waba_id: str = ""
    use_marketing_messages: bool = False  # send marketing templates via /marketing_messages
    # Marketing Messages API options (Meta: "Send marketing messages"): share message activity
    # for Meta's optimisation, and STRICT when the merchant wants no silent Cloud API fallback
    message_activity_sharing: bool = True
    product_policy: Literal["CLOUD_API_FALLBACK", "STRICT"] = "CLOUD_API_FALLBACK"
