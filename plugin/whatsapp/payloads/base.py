"""The two base classes every WhatsApp Cloud API payload model derives from.

Outbound models forbid unknown fields (a typo must fail here, not at Meta). Inbound models
ignore unknown fields: Meta adds fields without notice and a webhook must never be lost to that.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class OutModel(BaseModel):
    """A body we send to Meta: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid")


class InModel(BaseModel):
    """A body Meta sends us: unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
