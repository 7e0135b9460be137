from pathlib import Path
from typing import cast
from unittest.mock import Mock

import pytest
from sqlmodel import Session

from plugin.whatsapp.account_updates import apply_account_update
from plugin.whatsapp.accounts import AccountStatus, WhatsAppAccount
from plugin.whatsapp.payloads.outbound import (
    BodyComponent,
    ButtonComponent,
    CurrencyParameter,
    CurrencyValue,
    DateTimeParameter,
    DateTimeValue,
    HeaderComponent,
    ImageParameter,
    MediaLink,
    PayloadParameter,
    Template,
    TemplateLanguage,
    TemplateMessage,
    TextParameter,
    payload_json,
)
from plugin.whatsapp.payloads.webhook import (
    AccountUpdateChange,
    MessagesChange,
    OtherChange,
    TemplateCategoryChange,
    TemplateQualityChange,
    TemplateStatusChange,
    UserPreferencesChange,
    parse_webhook,
)

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "whatsapp" / "samples"
SAMPLE_FILES = sorted(SAMPLES.glob("*.json"))


def sample(name: str):
    return parse_webhook((SAMPLES / name).read_bytes())


def test_samples_are_there():
    assert len(SAMPLE_FILES) == 20


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_sample_parses_into_a_typed_change(path):
    # given a real webhook body
    # when parsed
    payload = parse_webhook(path.read_bytes())
    # then every change is typed (none falls back to the untyped catch-all)
    assert payload.object == "whatsapp_business_account"
    changes = [c for e in payload.entry for c in e.changes]
    assert changes
    assert not any(isinstance(c, OtherChange) for c in changes)


def test_status_per_message_pricing():
    change = sample("status_sent_pmp.json").entry[0].changes[0]
    assert isinstance(change, MessagesChange)
    status = change.value.statuses[0]
    assert (status.id, status.status, status.recipient_id) == ("ABGGFlA5Fpa", "sent", "16315551181")
    assert status.recipient_user_id == "US.13491208655302741918"
    assert (status.pricing.pricing_model, status.pricing.type, status.pricing.category) == (
        "PMP",
        "regular",
        "marketing",
    )
    assert status.conversation.origin.type == "marketing"


def test_status_legacy_conversation_pricing_and_opaque_data():
    status = sample("status_sent_with_biz_opaque_callback_data.json").entry[0].changes[0]
    value = status.value.statuses[0]
    assert value.biz_opaque_callback_data == "some data"
    assert value.conversation.expiration_timestamp == "1698339900"
    assert (value.pricing.pricing_model, value.pricing.category, value.pricing.type) == (
        "CBP",
        "service",
        None,
    )


def test_failed_status_errors():
    value = sample("status_failed_131047.json").entry[0].changes[0].value
    assert value.statuses[0].status == "failed"
    error = value.statuses[0].errors[0]
    assert (error.code, error.title) == (131047, "Re-engagement message")
    assert error.error_data.details.startswith("Message failed to send because more than 24 hours")


def test_contacts_with_business_scoped_ids_and_username():
    value = sample("status_delivered_bsuid.json").entry[0].changes[0].value
    contact = value.contacts[0]
    assert (contact.wa_id, contact.user_id, contact.profile.username) == (
        "16315551181",
        "US.13491208655302741918",
        "@testusername",
    )


def test_contact_without_wa_id_parses_as_empty():
    body = (SAMPLES / "inbound_text.json").read_text().replace('"wa_id": "972987654321",', "")
    contact = parse_webhook(body).entry[0].changes[0].value.contacts[0]
    assert (contact.wa_id, contact.user_id) == ("", "US.13491208655302741918")


def test_inbound_messages_of_each_kind():
    text = sample("inbound_text.json").entry[0].changes[0].value.messages[0]
    assert (text.from_, text.type, text.text.body) == ("972987654321", "text", "Body Text")
    button = sample("inbound_template_quick_reply_button.json").entry[0].changes[0].value
    assert (button.messages[0].button.payload, button.messages[0].button.text) == (
        "callback_data",
        "title",
    )
    assert button.messages[0].context.id == "wamid.xyzxyz=="
    reply = sample("inbound_interactive_button_reply.json").entry[0].changes[0].value.messages[0]
    assert (reply.interactive.type, reply.interactive.button_reply.id) == (
        "button_reply",
        "callback_data",
    )
    row = sample("inbound_interactive_list_reply.json").entry[0].changes[0].value.messages[0]
    assert row.interactive.list_reply.description == "description"
    order = sample("inbound_order.json").entry[0].changes[0].value.messages[0]
    assert [i.product_retailer_id for i in order.order.product_items] == [
        "HAMBURGER",
        "FRENCH_FRIES",
        "SODA",
    ]
    referral = sample("inbound_referral_ctwa.json").entry[0].changes[0].value.messages[0]
    assert (referral.referral.ctwa_clid, referral.text.body) == ("CTWA_CLID", "BODY")


def test_user_preferences():
    change = sample("user_preferences_marketing_resume.json").entry[0].changes[0]
    assert isinstance(change, UserPreferencesChange)
    pref = change.value.user_preferences[0]
    assert (pref.wa_id, pref.category, pref.value, pref.timestamp) == (
        "16505551234",
        "marketing_messages",
        "resume",
        1731705721,
    )
    signup = sample("user_preferences_marketing_signup.json").entry[0].changes[0]
    assert signup.value.user_preferences[0].signup_id == "13176843987434774"


def test_template_webhooks():
    approved = sample("template_status_update_approved.json").entry[0].changes[0]
    assert isinstance(approved, TemplateStatusChange)
    assert (approved.value.event, approved.value.message_template_id) == (
        "APPROVED",
        1689556908129832,
    )
    rejected = sample("template_status_update_rejected.json").entry[0].changes[0]
    assert rejected.value.rejection_info.reason.startswith("Your template has parameters")
    quality = sample("template_quality_update_yellow.json").entry[0].changes[0]
    assert isinstance(quality, TemplateQualityChange)
    assert (quality.value.previous_quality_score, quality.value.new_quality_score) == (
        "GREEN",
        "YELLOW",
    )
    category = sample("template_category_update_marketing.json").entry[0].changes[0]
    assert isinstance(category, TemplateCategoryChange)
    assert category.value.new_category == "MARKETING"


def test_phone_number_quality_and_account_update_and_unknown_fields():
    body = b"""{"object":"whatsapp_business_account","entry":[{"id":"1","time":1,"changes":[
      {"field":"phone_number_quality_update","value":{"display_phone_number":"15550783881",
       "event":"DOWNGRADE","current_limit":"TIER_250"}},
      {"field":"account_update","value":{"phone_number":"15550783881","event":"ACCOUNT_VIOLATION",
       "violation_info":{"violation_type":"SCAM"}}},
      {"field":"security","value":{"event":"PIN_CHANGED"}}]}]}"""
    changes = parse_webhook(body).entry[0].changes
    assert (changes[0].value.event, changes[0].value.current_limit) == ("DOWNGRADE", "TIER_250")
    assert changes[1].value.violation_info == {"violation_type": "SCAM"}
    assert isinstance(changes[2], OtherChange)
    assert changes[2].value == {"event": "PIN_CHANGED"}


def test_a_volume_tier_update_is_recorded_and_suspends_nothing():
    # Meta's VOLUME_BASED_PRICING_TIER_UPDATE as partner-docs.gupshup.io/docs/tier-based-pricing
    # documents it: recorded for the admin, not priced (no tier table found, see
    # plugin/pricing/ratecards.py), and never read as a ban
    body = b"""{"object":"whatsapp_business_account","entry":[{"id":"216141188246170",
      "time":1743451903,"changes":[{"field":"account_update","value":{
      "event":"VOLUME_BASED_PRICING_TIER_UPDATE","volume_tier_info":{"effective_month":"2025-11",
      "pricing_category":"UTILITY","region":"INDIA","tier":"25000001:50000000",
      "tier_update_time":1743451903}}}]}]}"""
    [change] = parse_webhook(body).entry[0].changes
    assert isinstance(change, AccountUpdateChange)
    account = WhatsAppAccount(
        store_id=1, phone_number_id="1", waba_id="216141188246170", access_token_encrypted="x"
    )
    touched = apply_account_update(cast(Session, Mock()), accounts=[account], update=change.value)
    assert (touched, account.status) == (1, AccountStatus.ACTIVE)
    assert account.volume_tiers == {
        "UTILITY:INDIA": {
            "category": "UTILITY",
            "region": "INDIA",
            "effective_month": "2025-11",
            "tier": "25000001:50000000",
            "updated_at": "2025-03-31T20:11:43+00:00",
        }
    }


def test_template_payload_is_metas_json():
    # given a template with a media header, typed body parameters and three button kinds
    message = TemplateMessage(
        to="+905551112233",
        template=Template(
            name="order_update",
            language=TemplateLanguage(code="tr"),
            components=[
                HeaderComponent(
                    parameters=[ImageParameter(image=MediaLink(link="https://i/x.png"))]
                ),
                BodyComponent(
                    parameters=[
                        TextParameter(text="Ayşe"),
                        CurrencyParameter(
                            currency=CurrencyValue(
                                fallback_value="₺120,00", code="TRY", amount_1000=120000
                            )
                        ),
                        DateTimeParameter(date_time=DateTimeValue(fallback_value="1 Mart")),
                    ]
                ),
                ButtonComponent(
                    sub_type="quick_reply", index="0", parameters=[PayloadParameter(payload="STOP")]
                ),
                ButtonComponent(sub_type="url", index="1", parameters=[TextParameter(text="A1")]),
            ],
        ),
    )
    # when dumped
    body = payload_json(message)
    # then it is exactly what Meta documents, with no nulls
    assert body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "+905551112233",
        "type": "template",
        "template": {
            "name": "order_update",
            "language": {"code": "tr", "policy": "deterministic"},
            "components": [
                {
                    "type": "header",
                    "parameters": [{"type": "image", "image": {"link": "https://i/x.png"}}],
                },
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Ayşe"},
                        {
                            "type": "currency",
                            "currency": {
                                "fallback_value": "₺120,00",
                                "code": "TRY",
                                "amount_1000": 120000,
                            },
                        },
                        {"type": "date_time", "date_time": {"fallback_value": "1 Mart"}},
                    ],
                },
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": "0",
                    "parameters": [{"type": "payload", "payload": "STOP"}],
                },
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": "1",
                    "parameters": [{"type": "text", "text": "A1"}],
                },
            ],
        },
    }
