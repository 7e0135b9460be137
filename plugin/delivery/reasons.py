"""The one table of reason codes: why a message was held, cancelled, failed or never written.

Outbox rows not on their way carry one in `status_reason`, and a flow's journaled decisions
(skipped, stopped, cancelled) one in `reason`. The admin shows the code and its text in Turkish
and English, and how to fix it when the merchant can. `alerts` marks the store's setup at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    en: str
    tr: str
    fix_en: str | None = None
    fix_tr: str | None = None
    alerts: bool = False  # the merchant's setup is at fault: a flow that meets it raises an alert
    reached: bool = False  # a good outcome: not needed, its goal came first (the cart ordered)


_r = Reason  # the table below: code, English, Turkish, fix (EN, TR), alerts=

_TEMPLATE_FIX = (
    "Open Templates, check the template's status at Meta and submit it (or the starter "
    "library) again; the flow uses it as soon as Meta approves it.",
    "Şablonlar sayfasında şablonun Meta'daki durumuna bakın ve şablonu (veya hazır şablon "
    "kütüphanesini) yeniden onaya gönderin; Meta onayladığı anda akış onu kullanır.",
)
_ACCOUNT_FIX = (
    "Open WhatsApp settings and reconnect the number (check its access token and its status "
    "in Meta's WhatsApp Manager).",
    "WhatsApp ayarlarından numarayı yeniden bağlayın (erişim anahtarını ve numaranın Meta "
    "WhatsApp Yöneticisi'ndeki durumunu kontrol edin).",
)
_REACH_FIX = (
    "Ulak could not reach WhatsApp's Graph API. Check WHATSAPP_GRAPH_URL and the server's "
    "outbound network; messages are retried, then fail.",
    "Ulak WhatsApp Graph API'ye ulaşamadı. WHATSAPP_GRAPH_URL ayarını ve sunucunun dış ağ "
    "bağlantısını kontrol edin; mesajlar yeniden denenir, sonra başarısız sayılır.",
)

_REASONS = (
    # -- send-time policy: the customer's state (no alert: the customer decides)
    _r("no_consent", "No consent for this kind of message", "Bu tür mesaj için izin yok"),
    _r("consent_revoked", "The customer opted out", "Müşteri izni geri aldı"),
    _r("suppressed", "The number is on the suppression list", "Numara engel listesinde"),
    _r("erased", "The customer's data was erased", "Müşterinin verileri silindi"),
    _r("unknown_contact", "The contact no longer exists", "Kişi artık yok"),
    _r("undeliverable", "WhatsApp cannot deliver to this number", "Numaraya WhatsApp ulaşmıyor"),
    _r("invalid_phone", "The phone number is not valid", "Telefon numarası geçersiz"),
    _r("cap_24h", "Daily marketing limit for this customer", "Müşterinin günlük kampanya sınırı"),
    _r("cap_7d", "Weekly marketing limit for this customer", "Müşterinin haftalık kampanya sınırı"),
    _r("recent_order", "The customer ordered recently", "Müşteri kısa süre önce sipariş verdi"),
    _r("window_closed", "The 24-hour reply window is closed", "24 saatlik yanıt penceresi kapalı"),
    _r("quiet_hours", "Waiting for the end of quiet hours", "Sessiz saatlerin bitmesi bekleniyor"),
    _r("pair_rate", "Spacing messages to the same customer", "Aynı müşteriye mesajlar aralıklı"),
    _r("paced", "Waiting its turn at the number's rate", "Numaranın gönderim sırası bekleniyor"),
    _r(
        "not_delivered_today",
        "WhatsApp chose not to deliver it today",
        "WhatsApp bugün teslim etmemeyi seçti",
    ),
    # -- send-time policy: the store's state
    _r(
        "quota_exceeded",
        "The plan's monthly marketing quota is used up: it waits for next month",
        "Paketin aylık pazarlama mesajı kotası doldu: gelecek ayı bekliyor",
        "It goes out next month (the date shown), or at once if you upgrade the plan.",
        "Gelecek ay (gösterilen tarihte) ya da paketinizi yükselttiğiniz anda gönderilir.",
        alerts=True,
    ),
    # -- Meta's messaging limit (plugin/delivery/window.py): waits (due time) for a free place
    _r(
        "daily_tier_exhausted",
        "Meta's messaging limit is reached: it goes when a place frees in the 24-hour window",
        "Meta'nın mesajlaşma sınırına ulaşıldı: 24 saatlik pencerede yer açılınca gider",
        "The limit rises as Meta sees good-quality messages; WhatsApp settings shows it.",
        "Sınır, Meta kaliteli mesajlar gördükçe yükselir; WhatsApp ayarlarında görünür.",
    ),
    _r(
        "tier_reserved",
        "Campaigns used their share of Meta's limit; the rest is kept for order updates",
        "Kampanyalar Meta sınırındaki paylarını kullandı; kalanı sipariş bildirimlerine ayrıldı",
        "It goes when a place frees in the 24-hour window; Settings sets the share kept.",
        "24 saatlik pencerede yer açılınca gider; ayrılan payı Ayarlar'dan değiştirin.",
    ),
    _r(
        "template_not_approved",
        "The template is not approved by Meta",
        "Şablon Meta tarafından onaylanmadı",
        *_TEMPLATE_FIX,
        alerts=True,
    ),
    _r(
        "template_category_changed",
        "Meta changed the template's category",
        "Meta şablonun kategorisini değiştirdi",
        *_TEMPLATE_FIX,
        alerts=True,
    ),
    _r(
        "store_inactive",
        "The app is not installed in the store any more",
        "Uygulama mağazada artık kurulu değil",
    ),
    _r(
        "no_account",
        "No WhatsApp number is connected",
        "Bağlı bir WhatsApp numarası yok",
        "Connect a WhatsApp number in WhatsApp settings.",
        "WhatsApp ayarlarından bir WhatsApp numarası bağlayın.",
        alerts=True,
    ),
    _r(
        "account_inactive",
        "The WhatsApp number is suspended or disconnected",
        "WhatsApp numarası askıya alındı veya bağlantısı kesildi",
        *_ACCOUNT_FIX,
        alerts=True,
    ),
    # -- quality guardrails (plugin/delivery/quality.py): Meta's word on the number or template
    _r(
        "number_quality_red",
        "The number's quality is low (red): marketing is paused",
        "Numaranın kalitesi düşük (kırmızı): pazarlama mesajları duraklatıldı",
        "Check the number's quality in Meta's WhatsApp Manager, send fewer and better-targeted "
        "promotions, then resume the campaign; order updates keep going.",
        "Numaranın kalitesini Meta WhatsApp Yöneticisi'nde kontrol edin, daha az ve daha iyi "
        "hedeflenmiş kampanya gönderin, sonra kampanyayı sürdürün; sipariş bildirimleri sürer.",
        alerts=True,
    ),
    _r(
        "number_flagged",
        "Meta flagged the number: marketing goes at half speed",
        "Meta numarayı işaretledi: pazarlama mesajları yarı hızda gider",
        "Customers are blocking or reporting messages: narrow the audience until Meta "
        "unflags the number.",
        "Müşteriler mesajları engelliyor veya şikâyet ediyor: Meta işareti kaldırana kadar "
        "kitleyi daraltın.",
        alerts=True,
    ),
    _r(
        "template_quality_paused",
        "Meta paused the template for low quality: its campaign is paused",
        "Meta şablonu düşük kalite nedeniyle duraklattı: kampanyası duraklatıldı",
        *_TEMPLATE_FIX,
        alerts=True,
    ),
    _r(
        "template_recategorisation_pending",
        "Meta will change the template's category (and its price)",
        "Meta şablonun kategorisini (ve fiyatını) değiştirecek",
        "Edit the template to fit its category, or accept the new category's rate.",
        "Şablonu kategorisine uygun hale getirin veya yeni kategorinin fiyatını kabul edin.",
        alerts=True,
    ),
    # -- Meta's answers
    _r("retry_soon", "WhatsApp was busy; retrying", "WhatsApp meşguldü; yeniden denenecek"),
    _r(
        "never_reached",
        "WhatsApp could not be reached",
        "WhatsApp'a ulaşılamadı",
        *_REACH_FIX,
        alerts=True,
    ),
    _r(
        "marketing_off_cloud_api",
        "Marketing templates are off on the Cloud API and the Marketing Messages API refused it",
        "Pazarlama şablonları Cloud API'de kapalı ve Pazarlama Mesajları API'si mesajı "
        "kabul etmedi",
        "Finish onboarding the number to Meta's Marketing Messages API in WhatsApp Manager.",
        "Numaranın Meta Pazarlama Mesajları API'sine katılımını WhatsApp Yöneticisi'nde "
        "tamamlayın.",
        alerts=True,
    ),
    # -- Meta's platform rules (docs/delivery.md, "Platform rules")
    _r(
        "marketing_experiment",
        "Meta held this marketing message back: the customer is in Meta's marketing experiment",
        "Meta bu pazarlama mesajını tuttu: müşteri Meta'nın pazarlama deneyinde",
    ),
    _r(
        "country_restricted",
        "Meta does not allow this business to message the customer's country",
        "Meta bu işletmenin müşterinin ülkesine mesaj göndermesine izin vermiyor",
        "Check the business's restrictions in Meta's WhatsApp Manager.",
        "İşletmenin kısıtlamalarını Meta WhatsApp Yöneticisi'nde kontrol edin.",
        alerts=True,
    ),
    _r(
        "bsuid_not_supported",
        "This message needs the customer's phone number (they are known by username only)",
        "Bu mesaj müşterinin telefon numarasını gerektiriyor (müşteri yalnızca kullanıcı "
        "adıyla biliniyor)",
    ),
    _r(
        "phone_required",
        "Needs the customer's phone number: authentication templates and Turkish marketing "
        "(İYS) cannot go to a username",
        "Müşterinin telefon numarası gerekli: doğrulama şablonları ve Türkiye'deki pazarlama "
        "(İYS) kullanıcı adına gönderilemez",
    ),
    _r(
        "us_marketing_blocked",
        "Meta does not deliver marketing templates to United States numbers",
        "Meta, ABD numaralarına pazarlama şablonu iletmiyor",
    ),
    _r(
        "marketing_limit_rest",
        "Resting after Meta's per-customer marketing limit (131049)",
        "Meta'nın müşteri başına pazarlama sınırından (131049) sonra bekleme süresinde",
    ),
    _r(
        "retries_exhausted",
        "WhatsApp kept failing; gave up after retries",
        "WhatsApp hata vermeye devam etti; denemeler bitti",
        *_REACH_FIX,
        alerts=True,
    ),
    _r(
        "outcome_unknown",
        "No answer from WhatsApp: it may have been sent",
        "WhatsApp yanıt vermedi: gönderilmiş olabilir",
    ),
    _r(
        "lease_expired",
        "The worker stopped while sending: it may have been sent",
        "Gönderim sırasında işçi durdu: gönderilmiş olabilir",
    ),
    _r(
        "rejected",
        "WhatsApp refused the message",
        "WhatsApp mesajı reddetti",
        "Check the message's error code in the contact's conversation; report it if it repeats.",
        "Kişinin yazışmasında mesajın hata koduna bakın; tekrarlarsa bize bildirin.",
        alerts=True,
    ),
    _r(
        "invalid_payload",
        "The message could not be built",
        "Mesaj oluşturulamadı",
        "Check the template's variable mapping on the Templates page.",
        "Şablonlar sayfasında şablonun değişken eşlemesini kontrol edin.",
        alerts=True,
    ),
    _r(
        "template_missing",
        "The template does not exist at Meta (in this language)",
        "Şablon Meta'da (bu dilde) yok",
        *_TEMPLATE_FIX,
        alerts=True,
    ),
    _r(
        "template_params_mismatch",
        "The values do not match the template's variables",
        "Değerler şablonun değişkenleriyle uyuşmuyor",
        "Open Templates and make the variable mapping match the template's {{n}} variables.",
        "Şablonlar sayfasında değişken eşlemesini şablondaki {{n}} değişkenleriyle eşleştirin.",
        alerts=True,
    ),
    _r(
        "template_param_format",
        "A value's format does not match the template",
        "Bir değerin biçimi şablonla uyuşmuyor",
        "Open Templates and check the variable mapping (a URL button takes only the suffix).",
        "Şablonlar sayfasında değişken eşlemesini kontrol edin (URL butonu yalnızca eki alır).",
        alerts=True,
    ),
    _r(
        "template_text_too_long",
        "A value makes the message too long",
        "Bir değer mesajı fazla uzatıyor",
        "Shorten the template's text or the mapped values on the Templates page.",
        "Şablonlar sayfasında şablon metnini veya eşlenen değerleri kısaltın.",
        alerts=True,
    ),
    _r(
        "template_policy",
        "The message breaks WhatsApp's formatting rules",
        "Mesaj WhatsApp'ın biçim kurallarına uymuyor",
        "Remove new lines, tabs or more than 4 spaces from the mapped values on the Templates "
        "page.",
        "Şablonlar sayfasında eşlenen değerlerden satır sonlarını, sekmeleri ve 4'ten fazla "
        "boşluğu kaldırın.",
        alerts=True,
    ),
    _r(
        "template_paused",
        "Meta paused the template (low quality)",
        "Meta şablonu duraklattı (düşük kalite)",
        *_TEMPLATE_FIX,
        alerts=True,
    ),
    _r(
        "template_disabled",
        "Meta disabled the template",
        "Meta şablonu devre dışı bıraktı",
        *_TEMPLATE_FIX,
        alerts=True,
    ),
    _r(
        "template_problem",
        "WhatsApp reported a problem with the template",
        "WhatsApp şablonla ilgili bir sorun bildirdi",
        *_TEMPLATE_FIX,
        alerts=True,
    ),
    # -- flows: why a step was never written
    _r(
        "no_phone",
        "The customer has no usable phone number",
        "Müşterinin kullanılabilir telefon numarası yok",
    ),
    _r(
        "missing_variables",
        "A value the template needs is missing",
        "Şablonun ihtiyaç duyduğu bir değer eksik",
        "Open Templates and check the variable mapping of the flow's template.",
        "Şablonlar sayfasında akışın şablonunun değişken eşlemesini kontrol edin.",
        alerts=True,
    ),
    _r(
        "link_refused",
        "The link's address is not one of the store's",
        "Bağlantının adresi mağazanın adreslerinden biri değil",
        "Add the link's host to the store's allowed link hosts in Settings.",
        "Ayarlar'da bağlantının alan adını mağazanın izinli bağlantı adreslerine ekleyin.",
        alerts=True,
    ),
    _r(
        "checkout_url_missing",
        "The storefront's address is not set",
        "Mağazanın adresi ayarlanmadı",
        "Set your storefront URL in Onboarding or Settings (or a checkout URL with "
        "{checkout_token}); cart recovery starts as soon as it is set.",
        "Kurulum ya da Ayarlar'da mağaza adresinizi girin (ya da {checkout_token} içeren "
        "ödeme sayfası adresini); sepet hatırlatma adres girildiği anda başlar.",
        alerts=True,
    ),
    _r(
        "paid_at_creation",
        "Paid with the order: the order message covers it",
        "Siparişle birlikte ödendi: sipariş mesajı yeterli",
    ),
    _r("appointment_passed", "The appointment has passed", "Randevu zamanı geçti"),
    # -- cancellations and stops
    _r("cancelled", "Cancelled", "İptal edildi"),
    _r("order_cancelled", "The order was cancelled", "Sipariş iptal edildi"),
    _r("ordered", "The customer placed the order", "Müşteri siparişi verdi"),
    _r("paid", "The checkout was paid", "Sepet ödendi"),
    _r("emptied", "The cart was emptied", "Sepet boşaltıldı"),
    _r(
        "reset",
        "The cart changed: the reminders start again",
        "Sepet değişti: hatırlatmalar yeniden başlar",
    ),
    _r("replied", "The customer replied", "Müşteri yanıt verdi"),
    _r("answered", "The customer answered", "Müşteri yanıtladı"),
    _r("campaign_cancelled", "The campaign was cancelled", "Kampanya iptal edildi"),
    _r("campaign_paused", "The campaign is paused", "Kampanya duraklatıldı"),
    _r("recategorised", "The template's category changed", "Şablonun kategorisi değişti"),
    _r(
        "erasure_request",
        "The customer asked to be erased",
        "Müşteri verilerinin silinmesini istedi",
    ),
)

_REACHED = {"ordered", "paid", "replied", "answered", "paid_at_creation", "recent_order"}
REASONS = {r.code: replace(r, reached=r.code in _REACHED) for r in _REASONS}


def reason(code: str) -> Reason:
    """The code's texts; an unknown code (a new one without a line here) reads as itself."""
    return REASONS.get(code) or Reason(code, code, code)


def alerts(code: str | None) -> bool:
    """Whether a switched-on flow that meets `code` raises an alert."""
    return bool(code) and reason(code or "").alerts


# Meta's template error codes (132xxx) that say more than "not approved".
TEMPLATE_REASON_BY_CODE = {
    132000: "template_params_mismatch",  # number of parameters does not match
    132001: "template_missing",  # template name does not exist in the translation
    132005: "template_text_too_long",  # translated text too long
    132007: "template_policy",  # format character policy violated
    132012: "template_param_format",  # parameter format does not match the template
    132015: "template_paused",
    132016: "template_disabled",
}


def template_reason(code: int | None) -> str:
    """The reason for a Meta template error (132xxx)."""
    return TEMPLATE_REASON_BY_CODE.get(code or 0, "template_problem")
