"""The starter library: one template per flow in Turkish and English, ready to submit.

Each starter carries its variable mapping; Meta's `example` values are filled from the
catalogue's samples in the template's language, so what a reviewer sees is what customers get.
Order updates and the opt-in request are UTILITY; cart recovery is MARKETING and always ends with
a one-tap Stop quick reply (payload `ULAK_STOP`). Links in buttons go through the app's tracked
redirect (`<link_base>/{{1}}`, link_base usually `<APP_URL>/r`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from plugin.templates.variables import (
    COD_CANCEL,
    COD_CONFIRM,
    OPTIN_NO,
    OPTIN_YES,
    STOP,
    language_base,
    sample_values,
)

LANGUAGES = ("tr", "en")
NAME_PREFIX = "ulak_"


@dataclass(frozen=True, slots=True)
class StarterTemplate:
    key: str  # the flow it serves, stored as MessageTemplate.starter_key
    name: str
    language: str
    category: str
    components: list[dict[str, Any]]
    variable_mapping: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Button:
    type: str
    text: dict[str, str]  # language -> text
    ref: Any = None  # mapping reference for the button's value (payload, URL suffix)


@dataclass(frozen=True, slots=True)
class _Spec:
    key: str
    category: str
    body: dict[str, str]
    body_vars: tuple[str, ...]
    header: dict[str, str] | None = None
    footer: dict[str, str] | None = None
    buttons: tuple[_Button, ...] = ()


def _stop() -> _Button:
    return _Button("QUICK_REPLY", {"tr": "Durdur", "en": "Stop"}, {"payload": STOP})


_MARKETING_FOOTER = {
    "tr": "Bu mesajları istemiyorsanız Durdur'a dokunun.",
    "en": "Tap Stop to opt out of these messages.",
}

SPECS: tuple[_Spec, ...] = (
    _Spec(
        "order_created",
        "UTILITY",
        header={"tr": "Siparişiniz alındı", "en": "Order received"},
        body={
            "tr": "Merhaba {{1}}, {{2}} numaralı siparişinizi aldık.\n\n"
            "Ürünler: {{3}}\nToplam: {{4}}\n\n"
            "Siparişiniz hazırlandığında size yine buradan haber vereceğiz. "
            "{{5}} olarak teşekkür ederiz!",
            "en": "Hi {{1}}, we've received your order {{2}}.\n\n"
            "Items: {{3}}\nTotal: {{4}}\n\n"
            "We'll let you know here as soon as it's on its way. "
            "Thank you for shopping with {{5}}!",
        },
        body_vars=("first_name", "order_number", "item_summary", "order_total", "store_name"),
    ),
    _Spec(
        "order_paid",
        "UTILITY",
        body={
            "tr": "Merhaba {{1}}, {{2}} numaralı siparişinizin ödemesini aldık ({{3}}). "
            "Siparişinizi hazırlamaya başladık.",
            "en": "Hi {{1}}, we've received the payment for your order {{2}} ({{3}}). "
            "We're now preparing your order.",
        },
        body_vars=("first_name", "order_number", "order_total"),
    ),
    _Spec(
        "order_fulfilled",
        "UTILITY",
        header={"tr": "Siparişiniz yolda", "en": "Your order is on its way"},
        body={
            "tr": "Merhaba {{1}}, {{2}} numaralı siparişiniz kargoya verildi. "
            "Takip numaranız: {{3}}. Kargonuzu aşağıdaki butondan takip edebilirsiniz.",
            "en": "Hi {{1}}, your order {{2}} has shipped. Your tracking number is {{3}}. "
            "Use the button below to follow your parcel.",
        },
        body_vars=("first_name", "order_number", "tracking_number"),
        buttons=(
            _Button("URL", {"tr": "Kargoyu takip et", "en": "Track shipment"}, "tracking_link"),
        ),
    ),
    # the same news without a button: a tracking number whose carrier page is not known
    _Spec(
        "order_fulfilled_no_link",
        "UTILITY",
        header={"tr": "Siparişiniz yolda", "en": "Your order is on its way"},
        body={
            "tr": "Merhaba {{1}}, {{2}} numaralı siparişiniz kargoya verildi. "
            "Takip numaranız: {{3}}. Kargonuzu bu numarayla kargo firmasının sitesinden "
            "takip edebilirsiniz.",
            "en": "Hi {{1}}, your order {{2}} has shipped. Your tracking number is {{3}}. "
            "You can follow your parcel with this number on the carrier's website.",
        },
        body_vars=("first_name", "order_number", "tracking_number"),
    ),
    # ... and without a tracking number at all
    _Spec(
        "order_fulfilled_no_tracking",
        "UTILITY",
        header={"tr": "Siparişiniz yolda", "en": "Your order is on its way"},
        body={
            "tr": "Merhaba {{1}}, {{2}} numaralı siparişiniz kargoya verildi. "
            "{{3}} olarak teşekkür ederiz!",
            "en": "Hi {{1}}, your order {{2}} has shipped. Thank you for shopping with {{3}}!",
        },
        body_vars=("first_name", "order_number", "store_name"),
    ),
    _Spec(
        "order_cancelled",
        "UTILITY",
        body={
            "tr": "Merhaba {{1}}, {{2}} numaralı siparişiniz iptal edildi. Ödeme yaptıysanız "
            "tutar, ödemeyi yaptığınız yönteme iade edilecektir. Sorularınız için bu mesajı "
            "yanıtlayabilirsiniz.",
            "en": "Hi {{1}}, your order {{2}} has been cancelled. If you have paid, the amount "
            "will be refunded to your original payment method. Reply to this message if you "
            "have any questions.",
        },
        body_vars=("first_name", "order_number"),
    ),
    _Spec(
        "order_refunded",
        "UTILITY",
        body={
            "tr": "Merhaba {{1}}, {{2}} numaralı siparişiniz için {{3}} tutarında iade yaptık. "
            "Tutarın hesabınıza yansıması bankanıza bağlı olarak birkaç iş günü sürebilir.",
            "en": "Hi {{1}}, we've refunded {{3}} for your order {{2}}. Depending on your bank, "
            "it may take a few business days to appear in your account.",
        },
        body_vars=("first_name", "order_number", "order_total"),
    ),
    _Spec(
        "cart_recovery_1",
        "MARKETING",
        body={
            "tr": "Merhaba {{1}}, sepetinizdeki ürünler sizi bekliyor: {{2}}. Kaldığınız yerden "
            "devam etmek için aşağıdaki butona dokunmanız yeterli.",
            "en": "Hi {{1}}, you left something in your cart: {{2}}. Tap the button below to "
            "pick up where you left off.",
        },
        body_vars=("first_name", "item_summary"),
        footer=_MARKETING_FOOTER,
        buttons=(
            _Button(
                "URL", {"tr": "Alışverişe devam et", "en": "Complete my order"}, "checkout_link"
            ),
            _stop(),
        ),
    ),
    _Spec(
        "cart_recovery_2",
        "MARKETING",
        body={
            "tr": "Merhaba {{1}}, sepetinizdeki ürünler hâlâ sizi bekliyor ama stoklar sınırlı: "
            "{{2}}. Siparişinizi tamamlamak için aşağıdaki butona dokunun.",
            "en": "Hi {{1}}, your cart is still waiting, but stock is limited: {{2}}. "
            "Tap the button below to complete your order.",
        },
        body_vars=("first_name", "item_summary"),
        footer=_MARKETING_FOOTER,
        buttons=(
            _Button("URL", {"tr": "Siparişi tamamla", "en": "Complete my order"}, "checkout_link"),
            _stop(),
        ),
    ),
    _Spec(
        "cart_recovery_2_discount",
        "MARKETING",
        body={
            "tr": "Merhaba {{1}}, sepetinizdeki ürünler hâlâ sizi bekliyor: {{2}}. Size özel "
            "*{{3}}* indirim koduyla siparişinizi şimdi tamamlayabilirsiniz.",
            "en": "Hi {{1}}, your cart is still waiting: {{2}}. Complete your order now with "
            "your personal discount code *{{3}}* at checkout.",
        },
        body_vars=("first_name", "item_summary", "discount_code"),
        footer=_MARKETING_FOOTER,
        buttons=(
            _Button("URL", {"tr": "Siparişi tamamla", "en": "Complete my order"}, "checkout_link"),
            _stop(),
        ),
    ),
    _Spec(
        "cod_confirmation",
        "UTILITY",
        body={
            "tr": "Merhaba {{1}}, {{2}} numaralı {{3}} tutarındaki kapıda ödemeli siparişinizi "
            "onaylıyor musunuz? Onayınızın ardından siparişinizi hazırlamaya başlayacağız.",
            "en": "Hi {{1}}, please confirm your cash-on-delivery order {{2}} of {{3}}. "
            "We'll start preparing it as soon as you confirm.",
        },
        body_vars=("first_name", "order_number", "order_total"),
        buttons=(
            _Button("QUICK_REPLY", {"tr": "Onayla", "en": "Confirm"}, {"payload": COD_CONFIRM}),
            _Button("QUICK_REPLY", {"tr": "İptal et", "en": "Cancel"}, {"payload": COD_CANCEL}),
        ),
    ),
    _Spec(
        "reminder",
        "UTILITY",
        body={
            "tr": "Merhaba {{1}}, {{2}} tarihindeki randevunuzu hatırlatmak isteriz. "
            "Sipariş numaranız: {{3}}. Görüşmek üzere!",
            "en": "Hi {{1}}, this is a reminder of your appointment on {{2}}. "
            "Your order number is {{3}}. See you soon!",
        },
        body_vars=("first_name", "appointment_at", "order_number"),
    ),
    _Spec(
        "optin_request",
        "UTILITY",
        body={
            "tr": "Merhaba {{1}}, {{2}} mağazasından kampanya ve fırsat mesajlarını WhatsApp "
            "üzerinden almak ister misiniz? Onaylamak için Evet'e dokunun. İstediğiniz zaman "
            "DUR yazarak ayrılabilirsiniz.",
            "en": "Hi {{1}}, would you like to receive offers and news from {{2}} on WhatsApp? "
            "Tap Yes to confirm. You can opt out at any time by replying STOP.",
        },
        body_vars=("first_name", "store_name"),
        buttons=(
            _Button("QUICK_REPLY", {"tr": "Evet", "en": "Yes"}, {"payload": OPTIN_YES}),
            _Button("QUICK_REPLY", {"tr": "Hayır", "en": "No"}, {"payload": OPTIN_NO}),
        ),
    ),
)

STARTER_KEYS = tuple(spec.key for spec in SPECS)

# Replies inside the 24-hour service window (free-form text, not templates).
SERVICE_TEXTS: dict[str, dict[str, str]] = {
    "optout_confirmation": {
        "tr": "{store_name} kampanya mesajlarından çıkarıldınız; bundan sonra size kampanya "
        "mesajı göndermeyeceğiz. Sipariş bilgilendirmeleri gelmeye devam eder. Yeniden katılmak "
        "isterseniz BAŞLA yazmanız yeterli.",
        "en": "You've been unsubscribed from {store_name} marketing messages; we won't send you "
        "offers anymore. You'll still get updates about your orders. To join again, just "
        "reply START.",
    },
    "optin_confirmed": {
        "tr": "Teşekkürler! Artık {store_name} kampanya ve fırsatlarını WhatsApp'tan "
        "alacaksınız. İstediğiniz zaman DUR yazarak ayrılabilirsiniz.",
        "en": "Thank you! You'll now get {store_name} offers and news on WhatsApp. "
        "Reply STOP at any time to opt out.",
    },
}


def service_text(key: str, language: str, **values: str) -> str:
    """A service-window reply in the customer's language (English when not Turkish)."""
    texts = SERVICE_TEXTS[key]
    return texts["tr" if language_base(language) == "tr" else "en"].format(**values)


def _ref_sample(ref: Any, language: str) -> str:
    values = sample_values({"buttons": {"0": ref}}, language)
    return values.buttons[0]


def _build(spec: _Spec, language: str, link_base: str) -> StarterTemplate:
    lang = "tr" if language_base(language) == "tr" else "en"
    mapping: dict[str, Any] = {"body": list(spec.body_vars)}
    body_samples = list(sample_values(mapping, lang).body)
    components: list[dict[str, Any]] = []
    if spec.header:
        components.append({"type": "HEADER", "format": "TEXT", "text": spec.header[lang]})
    components.append(
        {"type": "BODY", "text": spec.body[lang], "example": {"body_text": [body_samples]}}
    )
    if spec.footer:
        components.append({"type": "FOOTER", "text": spec.footer[lang]})
    if spec.buttons:
        buttons: list[dict[str, Any]] = []
        refs: dict[str, Any] = {}
        for index, b in enumerate(spec.buttons):
            button: dict[str, Any] = {"type": b.type, "text": b.text[lang]}
            if b.type == "URL":
                button["url"] = f"{link_base.rstrip('/')}/{{{{1}}}}"
                button["example"] = [f"{link_base.rstrip('/')}/{_ref_sample(b.ref, lang)}"]
            if b.ref is not None:
                refs[str(index)] = b.ref
            buttons.append(button)
        components.append({"type": "BUTTONS", "buttons": buttons})
        mapping["buttons"] = refs
    return StarterTemplate(
        key=spec.key,
        name=NAME_PREFIX + spec.key,
        language=language,
        category=spec.category,
        components=components,
        variable_mapping=mapping,
    )


def starter_templates(language: str, *, link_base: str) -> list[StarterTemplate]:
    """Every starter in one language ("tr", "en" or a regional code such as "tr_TR")."""
    return [_build(spec, language, link_base) for spec in SPECS]


def starter_template(key: str, language: str, *, link_base: str) -> StarterTemplate:
    spec = next(s for s in SPECS if s.key == key)
    return _build(spec, language, link_base)
