"""Pydantic models of the WhatsApp Cloud API: outbound message payloads, Graph API answers and
inbound webhook payloads.

Outbound models forbid unknown fields (a typo must fail here, not at Meta). Inbound models
ignore unknown fields: Meta adds fields without notice and a webhook must never be lost to that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

# --------------------------------------------------------------------------- common


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


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


# --------------------------------------------------------------------------- outbound: template


class MediaLink(_Out):
    link: str
    caption: str | None = None
    filename: str | None = None


class LocationValue(_Out):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class CurrencyValue(_Out):
    fallback_value: str
    code: str
    amount_1000: int


class DateTimeValue(_Out):
    fallback_value: str


class TextParameter(_Out):
    type: Literal["text"] = "text"
    text: str
    parameter_name: str | None = None  # named-parameter templates


class CurrencyParameter(_Out):
    type: Literal["currency"] = "currency"
    currency: CurrencyValue
    parameter_name: str | None = None


class DateTimeParameter(_Out):
    type: Literal["date_time"] = "date_time"
    date_time: DateTimeValue
    parameter_name: str | None = None


class ImageParameter(_Out):
    type: Literal["image"] = "image"
    image: MediaLink


class VideoParameter(_Out):
    type: Literal["video"] = "video"
    video: MediaLink


class DocumentParameter(_Out):
    type: Literal["document"] = "document"
    document: MediaLink


class LocationParameter(_Out):
    type: Literal["location"] = "location"
    location: LocationValue


class PayloadParameter(_Out):
    type: Literal["payload"] = "payload"
    payload: str


class CouponCodeParameter(_Out):
    type: Literal["coupon_code"] = "coupon_code"
    coupon_code: str


HeaderParameter = Annotated[
    TextParameter | ImageParameter | VideoParameter | DocumentParameter | LocationParameter,
    Field(discriminator="type"),
]
BodyParameter = Annotated[
    TextParameter | CurrencyParameter | DateTimeParameter, Field(discriminator="type")
]
ButtonParameter = Annotated[
    PayloadParameter | TextParameter | CouponCodeParameter, Field(discriminator="type")
]


class HeaderComponent(_Out):
    type: Literal["header"] = "header"
    parameters: list[HeaderParameter]


class BodyComponent(_Out):
    type: Literal["body"] = "body"
    parameters: list[BodyParameter]


class ButtonComponent(_Out):
    """quick_reply: a payload; url: the dynamic URL suffix as text; copy_code: a coupon code."""

    type: Literal["button"] = "button"
    sub_type: Literal["quick_reply", "url", "copy_code"]
    index: str
    parameters: list[ButtonParameter]


TemplateComponent = Annotated[
    HeaderComponent | BodyComponent | ButtonComponent, Field(discriminator="type")
]


class TemplateLanguage(_Out):
    code: str
    policy: Literal["deterministic"] = "deterministic"


class Template(_Out):
    name: str
    language: TemplateLanguage
    components: list[TemplateComponent] = Field(default_factory=list)


# --------------------------------------------------------------------------- outbound: interactive


class InteractiveText(_Out):
    text: str


class InteractiveHeader(_Out):
    type: Literal["text", "image", "video", "document"]
    text: str | None = None
    image: MediaLink | None = None
    video: MediaLink | None = None
    document: MediaLink | None = None


class ReplyButtonReply(_Out):
    id: str
    title: str


class ReplyButton(_Out):
    type: Literal["reply"] = "reply"
    reply: ReplyButtonReply


class ButtonsAction(_Out):
    buttons: list[ReplyButton]


class ListRow(_Out):
    id: str
    title: str
    description: str | None = None


class ListSection(_Out):
    title: str | None = None
    rows: list[ListRow]


class ListAction(_Out):
    button: str
    sections: list[ListSection]


class CtaUrlParameters(_Out):
    display_text: str
    url: str


class CtaUrlAction(_Out):
    name: Literal["cta_url"] = "cta_url"
    parameters: CtaUrlParameters


class _InteractiveBase(_Out):
    header: InteractiveHeader | None = None
    body: InteractiveText
    footer: InteractiveText | None = None


class ButtonInteractive(_InteractiveBase):
    type: Literal["button"] = "button"
    action: ButtonsAction


class ListInteractive(_InteractiveBase):
    type: Literal["list"] = "list"
    action: ListAction


class CtaUrlInteractive(_InteractiveBase):
    type: Literal["cta_url"] = "cta_url"
    action: CtaUrlAction


class RequestContactInfoAction(_Out):
    name: Literal["request_contact_info"] = "request_contact_info"


class RequestContactInfoInteractive(_Out):
    """Asks a username user to share their phone number with one tap (Meta's business-scoped
    user id page, "request contact information"); the answer is a `contacts` message."""

    type: Literal["request_contact_info"] = "request_contact_info"
    body: InteractiveText
    action: RequestContactInfoAction = Field(default_factory=RequestContactInfoAction)


Interactive = Annotated[
    ButtonInteractive | ListInteractive | CtaUrlInteractive | RequestContactInfoInteractive,
    Field(discriminator="type"),
]


# --------------------------------------------------------------------------- outbound: messages


class TextBody(_Out):
    body: str
    preview_url: bool = False


class MessageContext(_Out):
    message_id: str


class _MessageBase(_Out):
    """`to` is a phone number; `recipient` a business-scoped user id (BSUID) for a user whose
    number we do not know. Meta: when both are given `to` wins, so exactly one is sent."""

    messaging_product: Literal["whatsapp"] = "whatsapp"
    recipient_type: Literal["individual"] = "individual"
    to: str | None = None
    recipient: str | None = Field(default=None, max_length=160)
    biz_opaque_callback_data: str | None = None
    context: MessageContext | None = None

    @model_validator(mode="after")
    def _one_address(self) -> _MessageBase:
        if bool(self.to) == bool(self.recipient):
            raise ValueError("exactly one of `to` (phone) and `recipient` (BSUID) is required")
        return self


class TextMessage(_MessageBase):
    type: Literal["text"] = "text"
    text: TextBody


class TemplateMessage(_MessageBase):
    type: Literal["template"] = "template"
    template: Template
    # only on /marketing_messages (the client adds them from the store's Credentials)
    message_activity_sharing: bool | None = None
    product_policy: Literal["CLOUD_API_FALLBACK", "STRICT"] | None = None


class InteractiveMessage(_MessageBase):
    type: Literal["interactive"] = "interactive"
    interactive: Interactive


class ImageMessage(_MessageBase):
    type: Literal["image"] = "image"
    image: MediaLink


class VideoMessage(_MessageBase):
    type: Literal["video"] = "video"
    video: MediaLink


class DocumentMessage(_MessageBase):
    type: Literal["document"] = "document"
    document: MediaLink


class AudioMessage(_MessageBase):
    type: Literal["audio"] = "audio"
    audio: MediaLink


OutboundMessage = Annotated[
    TextMessage
    | TemplateMessage
    | InteractiveMessage
    | ImageMessage
    | VideoMessage
    | DocumentMessage
    | AudioMessage,
    Field(discriminator="type"),
]


def payload_json(message: BaseModel) -> dict[str, Any]:
    """The JSON body Meta expects: no nulls (Meta rejects some explicit nulls)."""
    return message.model_dump(mode="json", exclude_none=True)


# --------------------------------------------------------------------------- Graph API answers


class SendResult(_In):
    """The answer to a send: the wamid is what every later status webhook refers to."""

    wamid: str
    wa_id: str = ""
    input: str = ""
    message_status: str | None = None
    user_id: str = ""  # the BSUID, when the send used `recipient`
    endpoint: Literal["messages", "marketing_messages"] = "messages"
    # /messages answered 131063 (marketing off on the Cloud API): sent once via the MM API
    switched_to_marketing_messages: bool = False


class TemplateInfo(_In):
    id: str
    name: str
    language: str
    status: str
    category: str
    components: list[dict[str, Any]] = Field(default_factory=list)
    parameter_format: str | None = None
    rejected_reason: str | None = None
    quality_score: dict[str, Any] | None = None


class TemplateDefinition(_Out):
    """A template to submit for review (Meta's structure: HEADER/BODY/FOOTER/BUTTONS)."""

    name: str
    language: str
    category: Literal["MARKETING", "UTILITY", "AUTHENTICATION"]
    components: list[dict[str, Any]]
    parameter_format: Literal["POSITIONAL", "NAMED"] | None = None
    allow_category_change: bool | None = None


class CreatedTemplate(_In):
    id: str
    status: str
    category: str


class Throughput(_In):
    level: str


class PhoneNumberInfo(_In):
    """Facts the sender budgets with: quality, throughput level and messaging limit."""

    id: str
    display_phone_number: str | None = None
    verified_name: str | None = None
    quality_rating: str | None = None
    throughput: Throughput | None = None
    messaging_limit_tier: str | None = None
    whatsapp_business_manager_messaging_limit: str | None = None
    name_status: str | None = None
    status: str | None = None


# --------------------------------------------------------------------------- inbound webhooks


class Metadata(_In):
    display_phone_number: str
    phone_number_id: str


class Profile(_In):
    name: str | None = None
    username: str | None = None


class Contact(_In):
    """wa_id may be empty for username users; user_id is the business-scoped id."""

    profile: Profile | None = None
    wa_id: str = ""
    user_id: str | None = None
    parent_user_id: str | None = None


class ErrorData(_In):
    details: str | None = None


class WebhookErrorItem(_In):
    code: int
    title: str | None = None
    message: str | None = None
    error_data: ErrorData | None = None
    href: str | None = None


class ConversationOrigin(_In):
    type: str


class Conversation(_In):
    id: str | None = None
    expiration_timestamp: str | None = None
    origin: ConversationOrigin | None = None


class Pricing(_In):
    """Per-message pricing (`pricing_model` PMP, with `type`) or the older CBP form."""

    billable: bool | None = None
    pricing_model: str | None = None
    category: str | None = None
    type: str | None = None


class Status(_In):
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


class InboundContext(_In):
    from_: str | None = Field(default=None, alias="from")
    id: str | None = None
    forwarded: bool | None = None
    frequently_forwarded: bool | None = None


class InboundText(_In):
    body: str


class InboundButton(_In):
    payload: str | None = None
    text: str


class ButtonReply(_In):
    id: str
    title: str


class ListReply(_In):
    id: str
    title: str
    description: str | None = None


class InboundInteractive(_In):
    type: str
    button_reply: ButtonReply | None = None
    list_reply: ListReply | None = None
    nfm_reply: dict[str, Any] | None = None


class ProductItem(_In):
    product_retailer_id: str
    quantity: int
    item_price: float
    currency: str


class InboundOrder(_In):
    catalog_id: str
    text: str | None = None
    product_items: list[ProductItem] = Field(default_factory=list)


class Referral(_In):
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


class InboundMedia(_In):
    id: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None


class InboundSystem(_In):
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


class SharedPhone(_In):
    phone: str | None = None
    wa_id: str | None = None
    type: str | None = None


class SharedContact(_In):
    """A contact card; `origin` "contact_request" when it answers a request-contact-info
    button (the user shared their own number)."""

    origin: str | None = None
    phones: list[SharedPhone] = Field(default_factory=list)


class InboundMessage(_In):
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


class UserPreference(_In):
    """A marketing preference change made inside WhatsApp (value: stop, resume, signup)."""

    wa_id: str = ""
    user_id: str | None = None
    detail: str | None = None
    category: str
    value: str
    timestamp: int
    signup_id: str | None = None


class MessagesValue(_In):
    """The value of a `messages` or `user_preferences` change."""

    messaging_product: str = "whatsapp"
    metadata: Metadata
    contacts: list[Contact] = Field(default_factory=list)
    messages: list[InboundMessage] = Field(default_factory=list)
    statuses: list[Status] = Field(default_factory=list)
    errors: list[WebhookErrorItem] = Field(default_factory=list)
    user_preferences: list[UserPreference] = Field(default_factory=list)


class RejectionInfo(_In):
    reason: str | None = None
    recommendation: str | None = None


class TemplateStatusUpdate(_In):
    event: str  # APPROVED, REJECTED, PENDING, PAUSED, DISABLED, FLAGGED, ...
    message_template_id: int
    message_template_name: str
    message_template_language: str
    reason: str | None = None
    message_template_category: str | None = None
    rejection_info: RejectionInfo | None = None
    other_info: dict[str, Any] | None = None


class TemplateQualityUpdate(_In):
    previous_quality_score: str | None = None
    new_quality_score: str
    message_template_id: int
    message_template_name: str
    message_template_language: str


class TemplateCategoryUpdate(_In):
    message_template_id: int
    message_template_name: str
    message_template_language: str
    previous_category: str | None = None
    new_category: str
    correct_category: str | None = None
    category_update_timestamp: int | None = None  # impending change: when it applies


class PhoneNumberQualityUpdate(_In):
    display_phone_number: str
    event: str  # FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE, ...
    current_limit: str | None = None
    old_limit: str | None = None
    max_daily_conversation_per_phone: int | None = None
    max_daily_conversations_per_business: str | None = None  # replaces current_limit (2026-02)


class AccountUpdate(_In):
    event: str  # e.g. DISABLED_UPDATE, ACCOUNT_VIOLATION, ACCOUNT_RESTRICTION, VERIFIED_ACCOUNT
    phone_number: str | None = None
    ban_info: dict[str, Any] | None = None
    violation_info: dict[str, Any] | None = None
    restriction_info: list[dict[str, Any]] | None = None
    waba_info: dict[str, Any] | None = None


class MessagesChange(_In):
    field: Literal["messages"]
    value: MessagesValue


class UserPreferencesChange(_In):
    field: Literal["user_preferences"]
    value: MessagesValue


class TemplateStatusChange(_In):
    field: Literal["message_template_status_update"]
    value: TemplateStatusUpdate


class TemplateQualityChange(_In):
    field: Literal["message_template_quality_update"]
    value: TemplateQualityUpdate


class TemplateCategoryChange(_In):
    field: Literal["template_category_update"]
    value: TemplateCategoryUpdate


class PhoneNumberQualityChange(_In):
    field: Literal["phone_number_quality_update"]
    value: PhoneNumberQualityUpdate


class AccountUpdateChange(_In):
    field: Literal["account_update"]
    value: AccountUpdate


class OtherChange(_In):
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
    | Annotated[AccountUpdateChange, Tag("account_update")]
    | Annotated[OtherChange, Tag("other")],
    Discriminator(_change_tag),
]


class Entry(_In):
    id: str
    time: int | None = None
    changes: list[Change] = Field(default_factory=list)


class WebhookPayload(_In):
    """The body of every Meta webhook POST to /api/webhooks/whatsapp."""

    object: str
    entry: list[Entry] = Field(default_factory=list)


def parse_webhook(body: bytes | str) -> WebhookPayload:
    """Parse a raw webhook body (after its signature was verified)."""
    return WebhookPayload.model_validate_json(body)
