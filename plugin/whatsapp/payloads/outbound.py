"""Outbound WhatsApp message payloads (text, template, interactive, media) exactly as the
Cloud API's /messages endpoint takes them; `MessagePayload` is their discriminated union, named
apart from the `MessagePayload` table row in `plugin.delivery.models`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from plugin.whatsapp.payloads.base import OutModel

# --------------------------------------------------------------------------- outbound: template


class MediaLink(OutModel):
    link: str
    caption: str | None = None
    filename: str | None = None


class LocationValue(OutModel):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class CurrencyValue(OutModel):
    fallback_value: str
    code: str
    amount_1000: int


class DateTimeValue(OutModel):
    fallback_value: str


class TextParameter(OutModel):
    type: Literal["text"] = "text"
    text: str
    parameter_name: str | None = None  # named-parameter templates


class CurrencyParameter(OutModel):
    type: Literal["currency"] = "currency"
    currency: CurrencyValue
    parameter_name: str | None = None


class DateTimeParameter(OutModel):
    type: Literal["date_time"] = "date_time"
    date_time: DateTimeValue
    parameter_name: str | None = None


class ImageParameter(OutModel):
    type: Literal["image"] = "image"
    image: MediaLink


class VideoParameter(OutModel):
    type: Literal["video"] = "video"
    video: MediaLink


class DocumentParameter(OutModel):
    type: Literal["document"] = "document"
    document: MediaLink


class LocationParameter(OutModel):
    type: Literal["location"] = "location"
    location: LocationValue


class PayloadParameter(OutModel):
    type: Literal["payload"] = "payload"
    payload: str


class CouponCodeParameter(OutModel):
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


class HeaderComponent(OutModel):
    type: Literal["header"] = "header"
    parameters: list[HeaderParameter]


class BodyComponent(OutModel):
    type: Literal["body"] = "body"
    parameters: list[BodyParameter]


class ButtonComponent(OutModel):
    """quick_reply: a payload; url: the dynamic URL suffix as text; copy_code: a coupon code."""

    type: Literal["button"] = "button"
    sub_type: Literal["quick_reply", "url", "copy_code"]
    index: str
    parameters: list[ButtonParameter]


TemplateComponent = Annotated[
    HeaderComponent | BodyComponent | ButtonComponent, Field(discriminator="type")
]


class TemplateLanguage(OutModel):
    code: str
    policy: Literal["deterministic"] = "deterministic"


class Template(OutModel):
    name: str
    language: TemplateLanguage
    components: list[TemplateComponent] = Field(default_factory=list)


# --------------------------------------------------------------------------- outbound: interactive


class InteractiveText(OutModel):
    text: str


class InteractiveHeader(OutModel):
    type: Literal["text", "image", "video", "document"]
    text: str | None = None
    image: MediaLink | None = None
    video: MediaLink | None = None
    document: MediaLink | None = None


class ReplyButtonReply(OutModel):
    id: str
    title: str


class ReplyButton(OutModel):
    type: Literal["reply"] = "reply"
    reply: ReplyButtonReply


class ButtonsAction(OutModel):
    buttons: list[ReplyButton]


class ListRow(OutModel):
    id: str
    title: str
    description: str | None = None


class ListSection(OutModel):
    title: str | None = None
    rows: list[ListRow]


class ListAction(OutModel):
    button: str
    sections: list[ListSection]


class CtaUrlParameters(OutModel):
    display_text: str
    url: str


class CtaUrlAction(OutModel):
    name: Literal["cta_url"] = "cta_url"
    parameters: CtaUrlParameters


class _InteractiveBase(OutModel):
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


class RequestContactInfoAction(OutModel):
    name: Literal["request_contact_info"] = "request_contact_info"


class RequestContactInfoInteractive(OutModel):
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


class TextBody(OutModel):
    body: str
    preview_url: bool = False


class MessageContext(OutModel):
    message_id: str


class _MessageBase(OutModel):
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


MessagePayload = Annotated[
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
