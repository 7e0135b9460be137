"""Graph API answers (send results, template and phone-number facts) and the template
definition we submit for review: the non-webhook JSON exchanged with Meta's Graph API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from plugin.whatsapp.payloads.base import InModel, OutModel

# --------------------------------------------------------------------------- Graph API answers


class SendResult(InModel):
    """The answer to a send: the wamid is what every later status webhook refers to."""

    wamid: str
    wa_id: str = ""
    input: str = ""
    message_status: str | None = None
    user_id: str = ""  # the BSUID, when the send used `recipient`
    endpoint: Literal["messages", "marketing_messages"] = "messages"
    # /messages answered 131063 (marketing off on the Cloud API): sent once via the MM API
    switched_to_marketing_messages: bool = False


class TemplateInfo(InModel):
    id: str
    name: str
    language: str
    status: str
    category: str
    components: list[dict[str, Any]] = Field(default_factory=list)
    parameter_format: str | None = None
    rejected_reason: str | None = None
    quality_score: dict[str, Any] | None = None


class TemplateDefinition(OutModel):
    """A template to submit for review (Meta's structure: HEADER/BODY/FOOTER/BUTTONS)."""

    name: str
    language: str
    category: Literal["MARKETING", "UTILITY", "AUTHENTICATION"]
    components: list[dict[str, Any]]
    parameter_format: Literal["POSITIONAL", "NAMED"] | None = None
    allow_category_change: bool | None = None


class CreatedTemplate(InModel):
    id: str
    status: str
    category: str


class Throughput(InModel):
    level: str


class PhoneNumberInfo(InModel):
    """Facts the sender budgets with: quality, throughput level and messaging limit."""

    id: str
    display_phone_number: str | None = None
    verified_name: str | None = None
    quality_rating: str | None = None
    throughput: Throughput | None = None
    messaging_limit_tier: str | None = None
    # the portfolio's limit ("TIER_2K"; some proxies relay it as a number)
    whatsapp_business_manager_messaging_limit: str | int | None = None
    name_status: str | None = None
    status: str | None = None


class BusinessAccountInfo(InModel):
    """The WABA node's answer to `?fields=marketing_messages_onboarding_status,currency`: where
    the business stands with the Marketing Messages API (plugin/whatsapp/mm_status.py) and the
    currency Meta bills it in (plugin/whatsapp/waba_info.py)."""

    id: str
    marketing_messages_onboarding_status: str | None = None
    currency: str | None = None
