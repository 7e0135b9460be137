"""Inbound webhook payloads Meta POSTs to /api/webhooks/whatsapp: messages, statuses, user
preferences and template/number/account updates. `WebhookMessage` and `WebhookContact` are named
apart from the `InboundMessage` and `Contact` table rows."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from plugin.whatsapp.payloads.base import InModel

# --------------------------------------------------------------------------- inbound webhooks


class Metadata(InModel):
    display_phone_number: str
    phone_number_id: str


class Profile(InModel):
    name: str | None = None
    username: str | None = None


class WebhookContact(InModel):
    """wa_id may be empty for username users; user_id is the business-scoped id."""

    profile: Profile | None = None
    wa_id: str = ""
    user_id: str | None = None
    parent_user_id: str | None = None


class ErrorData(InModel):
    details: str | None = None


class WebhookErrorItem(InModel):
    code: int
    title: str | None = None
    message: str | None = None
    error_data: ErrorData | None = None
    href: str | None = None


class ConversationOrigin(InModel):
    type: str


class Conversation(InModel):
    id: str | None = None
    expiration_timestamp: str | None = None
    origin: ConversationOrigin | None = None


class Pricing(InModel):
    """Per-message pricing (`pricing_model` PMP, with `type`) or the older CBP form."""

    billable: bool | None = None
    pricing_model: str | None = None
    category: str | None = None
    type: str | None = None


class Status(InModel):
    id: str
    status: Literal["sent", "delivered", "read", "failed", "deleted", "warning", "played"] | str
    timestamp: str
    recipient_id: str = ""
    recipient_user_id: str | None = None
    parent_recipient_user_id: str | None = None
    biz_opaque_callback_data: str | None = None
    conversation: Conversation | None = None
    pricing: Pricing | None = None
    errors: list[WebhookErrorItem] = Field(default_factory=list)


class InboundContext(InModel):
    from_: str | None = Field(default=None, alias="from")
    id: str | None = None
    forwarded: bool | None = None
    frequently_forwarded: bool | None = None


class InboundText(InModel):
    body: str


class InboundButton(InModel):
    payload: str | None = None
    text: str


class ButtonReply(InModel):
    id: str
    title: str


class ListReply(InModel):
    id: str
    title: str
    description: str | None = None


class InboundInteractive(InModel):
    type: str
    button_reply: ButtonReply | None = None
    list_reply: ListReply | None = None
    nfm_reply: dict[str, Any] | None = None


class ProductItem(InModel):
    product_retailer_id: str
    quantity: int
    item_price: float
    currency: str


class InboundOrder(InModel):
    catalog_id: str
    text: str | None = None
    product_items: list[ProductItem] = Field(default_factory=list)


class Referral(InModel):
    source_url: str | None = None
    source_id: str | None = None
    source_type: str | None = None
    headline: str | None = None
    body: str | None = None
    media_type: str | None = None
    image_url: str | None = None
    video_url: str | None = None
    thumbnail_url: str | None = None
    ctwa_clid: str | None = None


class InboundMedia(InModel):
    id: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None


class InboundSystem(InModel):
    """A system message (Meta's "System messages webhook reference"): `user_changed_number`
    carries the new number (`wa_id`; older payloads `new_wa_id`), `user_changed_user_id` only
    the new business-scoped user id. Neither is something the user wrote."""

    body: str | None = None
    type: str | None = None
    wa_id: str | None = None
    new_wa_id: str | None = None
    user_id: str | None = None
    new_user_id: str | None = None
    parent_user_id: str | None = None

    @property
    def new_number(self) -> str | None:
        return self.wa_id or self.new_wa_id

    @property
    def new_bsuid(self) -> str | None:
        return self.new_user_id or self.user_id


class SharedPhone(InModel):
    phone: str | None = None
    wa_id: str | None = None
    type: str | None = None


class SharedContact(InModel):
    """A contact card; `origin` "contact_request" when it answers a request-contact-info
    button (the user shared their own number)."""

    origin: str | None = None
    phones: list[SharedPhone] = Field(default_factory=list)


class WebhookMessage(InModel):
    """One message from a customer; which optional field is set follows `type`."""

    from_: str = Field(default="", alias="from")
    from_user_id: str | None = None
    id: str
    timestamp: str
    type: str
    context: InboundContext | None = None
    text: InboundText | None = None
    button: InboundButton | None = None
    interactive: InboundInteractive | None = None
    order: InboundOrder | None = None
    referral: Referral | None = None
    image: InboundMedia | None = None
    video: InboundMedia | None = None
    audio: InboundMedia | None = None
    document: InboundMedia | None = None
    sticker: InboundMedia | None = None
    location: dict[str, Any] | None = None
    reaction: dict[str, Any] | None = None
    system: InboundSystem | None = None
    contacts: list[SharedContact] = Field(default_factory=list)
    errors: list[WebhookErrorItem] = Field(default_factory=list)


class UserPreference(InModel):
    """A marketing preference change made inside WhatsApp (value: stop, resume, signup)."""

    wa_id: str = ""
    user_id: str | None = None
    detail: str | None = None
    category: str
    value: str
    timestamp: int
    signup_id: str | None = None


class MessagesValue(InModel):
    """The value of a `messages` or `user_preferences` change."""

    messaging_product: str = "whatsapp"
    metadata: Metadata
    contacts: list[WebhookContact] = Field(default_factory=list)
    messages: list[WebhookMessage] = Field(default_factory=list)
    statuses: list[Status] = Field(default_factory=list)
    errors: list[WebhookErrorItem] = Field(default_factory=list)
    user_preferences: list[UserPreference] = Field(default_factory=list)


class RejectionInfo(InModel):
    reason: str | None = None
    recommendation: str | None = None


class TemplateStatusUpdate(InModel):
    event: str  # APPROVED, REJECTED, PENDING, PAUSED, DISABLED, FLAGGED, ...
    message_template_id: int
    message_template_name: str
    message_template_language: str
    reason: str | None = None
    message_template_category: str | None = None
    rejection_info: RejectionInfo | None = None
    other_info: dict[str, Any] | None = None


class TemplateQualityUpdate(InModel):
    previous_quality_score: str | None = None
    new_quality_score: str
    message_template_id: int
    message_template_name: str
    message_template_language: str


class TemplateCategoryUpdate(InModel):
    message_template_id: int
    message_template_name: str
    message_template_language: str
    previous_category: str | None = None
    new_category: str
    correct_category: str | None = None
    category_update_timestamp: int | None = None  # impending change: when it applies


class PhoneNumberQualityUpdate(InModel):
    display_phone_number: str
    event: str  # THROUGHPUT_UPGRADE, ONBOARDING, FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE, ...
    current_limit: str | None = None
    old_limit: str | None = None
    max_daily_conversation_per_phone: int | None = None
    # the portfolio's limit, "TIER_2K" ...; replaces current_limit (2026-02)
    max_daily_conversations_per_business: str | int | None = None


class BusinessCapabilityUpdate(InModel):
    """The portfolio's capabilities changed (webhook reference business_capability_update,
    2026-05-21): its messaging limit as an integer, -1 for unlimited."""

    max_daily_conversations_per_business: int | str | None = None
    max_daily_conversation_per_phone: int | str | None = None  # removed in February 2026
    max_phone_numbers_per_business: int | None = None
    max_phone_numbers_per_waba: int | None = None


class AccountUpdate(InModel):
    event: str  # e.g. DISABLED_UPDATE, ACCOUNT_VIOLATION, ACCOUNT_RESTRICTION, VERIFIED_ACCOUNT
    phone_number: str | None = None
    ban_info: dict[str, Any] | None = None
    violation_info: dict[str, Any] | None = None
    restriction_info: list[dict[str, Any]] | None = None
    waba_info: dict[str, Any] | None = None
    volume_tier_info: dict[str, Any] | None = None  # VOLUME_BASED_PRICING_TIER_UPDATE


class MessagesChange(InModel):
    field: Literal["messages"]
    value: MessagesValue


class UserPreferencesChange(InModel):
    field: Literal["user_preferences"]
    value: MessagesValue


class TemplateStatusChange(InModel):
    field: Literal["message_template_status_update"]
    value: TemplateStatusUpdate


class TemplateQualityChange(InModel):
    field: Literal["message_template_quality_update"]
    value: TemplateQualityUpdate


class TemplateCategoryChange(InModel):
    field: Literal["template_category_update"]
    value: TemplateCategoryUpdate


class PhoneNumberQualityChange(InModel):
    field: Literal["phone_number_quality_update"]
    value: PhoneNumberQualityUpdate


class BusinessCapabilityChange(InModel):
    field: Literal["business_capability_update"]
    value: BusinessCapabilityUpdate


class AccountUpdateChange(InModel):
    field: Literal["account_update"]
    value: AccountUpdate


class OtherChange(InModel):
    """A field we do not handle (kept so the webhook still parses and can be acknowledged)."""

    field: str
    value: dict[str, Any] = Field(default_factory=dict)


_KNOWN_FIELDS = {
    "messages",
    "user_preferences",
    "message_template_status_update",
    "message_template_quality_update",
    "template_category_update",
    "phone_number_quality_update",
    "business_capability_update",
    "account_update",
}


def _change_tag(value: Any) -> str:
    name = value.get("field") if isinstance(value, dict) else getattr(value, "field", None)
    return name if isinstance(name, str) and name in _KNOWN_FIELDS else "other"


Change = Annotated[
    Annotated[MessagesChange, Tag("messages")]
    | Annotated[UserPreferencesChange, Tag("user_preferences")]
    | Annotated[TemplateStatusChange, Tag("message_template_status_update")]
    | Annotated[TemplateQualityChange, Tag("message_template_quality_update")]
    | Annotated[TemplateCategoryChange, Tag("template_category_update")]
    | Annotated[PhoneNumberQualityChange, Tag("phone_number_quality_update")]
    | Annotated[BusinessCapabilityChange, Tag("business_capability_update")]
    | Annotated[AccountUpdateChange, Tag("account_update")]
    | Annotated[OtherChange, Tag("other")],
    Discriminator(_change_tag),
]


class Entry(InModel):
    id: str
    time: int | None = None
    changes: list[Change] = Field(default_factory=list)


class WebhookPayload(InModel):
    """The body of every Meta webhook POST to /api/webhooks/whatsapp."""

    object: str
    entry: list[Entry] = Field(default_factory=list)


def parse_webhook(body: bytes | str) -> WebhookPayload:
    """Parse a raw webhook body (after its signature was verified)."""
    return WebhookPayload.model_validate_json(body)
