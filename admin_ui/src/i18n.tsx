/**
 * A tiny typed dictionary: every string the admin shows, in English and Turkish.
 *
 * The locale follows the Saleor dashboard (AppBridge state `locale`): "tr" and
 * anything starting with "tr" is Turkish, everything else English. `tr` is typed
 * as Record<MessageKey, string>, so a key missing in either language fails typecheck.
 */
import { createContext, useContext, useMemo, type ReactNode } from "react";
import * as campaigns from "./messages/campaigns";
import * as codes from "./messages/codes";
import * as contacts from "./messages/contacts";
import * as cost from "./messages/cost";
import * as dashboard from "./messages/dashboard";
import * as flows from "./messages/flows";
import * as limits from "./messages/limits";
import * as plan from "./messages/plan";
import * as inbox from "./messages/inbox";
import * as plans from "./messages/plans";
import * as settings from "./messages/settings";

export type Locale = "en" | "tr";

const coreEn = {
  "app.name": "Ulak",
  "app.tagline": "Consent-based WhatsApp messages for your Saleor store",
  "app.connecting": "Connecting to the Saleor dashboard…",
  "nav.label": "Ulak sections",
  "page.onboarding": "Onboarding",
  "page.dashboard": "Dashboard",
  "page.templates": "Templates",
  "page.flows": "Flows",
  "page.segments": "Segments",
  "page.campaigns": "Campaigns",
  "page.contacts": "Contacts",
  "page.settings": "Settings",
  "page.loading": "Loading data from the admin API…",
  "page.loaded": "The admin API answered.",
  "page.empty": "Nothing here yet.",
  "page.error": "The admin API could not be read: {message}",
  "page.retry": "Try again",
  "page.fieldErrors": "The admin API reported errors:",
  "outside.title": "Open Ulak from your Saleor dashboard",
  "outside.body":
    "Ulak runs inside the Saleor dashboard, which signs you in and tells Ulak which store you manage. This page was opened on its own, so there is nothing to show here.",
  "outside.step1": "Sign in to your Saleor dashboard.",
  "outside.step2": "Go to Apps and choose Ulak.",
  "outside.step3": "If Ulak is not listed, install it from its manifest URL: {manifest}",
  "outside.noHandshake":
    "The dashboard did not answer in time (no AppBridge handshake). Reload the app from Apps → Ulak.",
  "preview.label": "WhatsApp message preview",
  "preview.media.IMAGE": "Image",
  "preview.media.VIDEO": "Video",
  "preview.media.DOCUMENT": "Document",
  "preview.media.LOCATION": "Location",
  "preview.missingVariable": "Variable {n} has no value",
  "preview.buttons": "Buttons",
  "preview.copyCode": "Copy code",
  "rule.builderLabel": "Segment rules",
  "rule.group.all": "Match all of these",
  "rule.group.any": "Match any of these",
  "rule.combinator": "Combine with",
  "rule.combinator.all": "all (AND)",
  "rule.combinator.any": "any (OR)",
  "rule.not": "Not (exclude contacts matching this)",
  "rule.unwrapNot": "Remove NOT",
  "rule.wrapNot": "Negate",
  "rule.addCondition": "Add condition",
  "rule.addGroup": "Add group",
  "rule.remove": "Remove",
  "rule.field": "Field",
  "rule.op": "Operator",
  "rule.value": "Value",
  "rule.from": "From",
  "rule.to": "To",
  "rule.listHint": "Comma separated",
  "rule.emptyGroup": "This group has no conditions yet.",
  "rule.condition": "Condition {path}",
  "rule.groupLabel": "Group {path}",
  "rule.preview": "Matching contacts",
  "rule.preview.count": "{count} contacts match",
  "rule.preview.loading": "Counting…",
  "rule.preview.invalid": "Fix the errors above to see how many contacts match.",
  "rule.preview.error": "Could not count: {message}",
  "rule.preview.idle": "No count yet.",
  "rule.preview.refresh": "Refresh count",
  "rule.days": "days",
  "rule.currency": "in {currency}",
  "common.save": "Save",
  "common.saved": "Saved.",
  "common.cancel": "Cancel",
  "checklist.progress": "{done} of {total} steps done",
  "checklist.done": "(done)",
  "checklist.todo": "(to do)",
  "onboarding.intro": "Four steps take {store} from install to its first WhatsApp message and its first recovered cart.",
  "onboarding.steps": "Setup steps",
  "onboarding.step.connect": "Connect a WhatsApp number",
  "onboarding.step.test": "Send a test message",
  "onboarding.step.orderUpdates": "Turn on order updates",
  "onboarding.orderUpdatesAbout": "Customers get a WhatsApp message for: {events}. Works with the sandbox number right away.",
  "onboarding.tuneFlows": "Choose which updates, preview messages and set the carrier on the Flows page",
  "onboarding.sandbox": "Sandbox",
  "onboarding.default": "Default",
  "onboarding.active": "Active",
  "onboarding.sandboxReady": "Your store is connected to the sandbox number: messages go to the sandbox phone, not to real customers.",
  "onboarding.connectOwn": "Connect your WhatsApp Business number",
  "onboarding.connectAnother": "Connect another number",
  "onboarding.connectForm": "Connect a WhatsApp number",
  "onboarding.phoneNumberId": "Phone number ID",
  "onboarding.wabaId": "WhatsApp Business Account ID",
  "onboarding.accessToken": "Access token",
  "onboarding.accessTokenHint": "Checked with WhatsApp right away, then stored encrypted.",
  "onboarding.useSandbox": "This is a sandbox number (development only)",
  "onboarding.connect": "Check and connect",
  "onboarding.checking": "Checking with WhatsApp…",
  "onboarding.testForm": "Send a test message",
  "onboarding.testTo": "Send to (your phone)",
  "onboarding.testToHint": "With the country code, e.g. +90 555 123 45 67.",
  "onboarding.sendTest": "Send test message",
  "onboarding.testSent": "Sent. Check the phone.",
  "onboarding.testText": "Hello from Ulak! Your store's WhatsApp messages are set up.",
  "settings.form": "Store settings",
  "settings.quietHours": "Quiet hours",
  "settings.quietHoursHelp": "Marketing messages wait until quiet hours end, in the store's time zone.",
  "settings.quietStart": "Quiet from",
  "settings.quietEnd": "Quiet until",
  "settings.quietTransactional": "Order updates also wait for quiet hours to end",
  "settings.caps": "Marketing caps per contact",
  "settings.cap24h": "At most in 24 hours",
  "settings.cap7d": "At most in 7 days",
  "settings.region": "Time zone and region",
  "settings.timezone": "Time zone",
  "settings.defaultRegion": "Default region",
  "settings.defaultRegionHint": "Two letters (TR): used for phone numbers without a country code.",
  "settings.keywords": "Opt-out keywords",
  "settings.optoutKeywords": "A reply with one of these words opts the contact out",
  "settings.plan": "Plan and usage",
  "settings.planLine": "{plan} plan · {price} per month",
  "settings.usage": "Marketing messages this month",
  "settings.usageDetail": "{used} of {total} used · {remaining} left · starts again {date}",
  "settings.changePlan": "Change plan",
  "plan.FREE": "Free",
  "plan.SILVER": "Silver",
  "plan.GOLD": "Gold",
  "templates.list": "Your templates",
  "templates.installStarters": "Install starter library",
  "templates.none": "No templates yet. Install the starter library or write one below.",
  "templates.name": "Name",
  "templates.nameHint": "Lowercase letters, digits and underscores.",
  "templates.language": "Language",
  "templates.category": "Category",
  "templates.status": "Meta status",
  "templates.quality": "Quality",
  "templates.starter": "Starter",
  "templates.new": "New template",
  "templates.editor": "Template editor",
  "templates.header": "Header (optional)",
  "templates.body": "Body",
  "templates.bodyHint": "Use {{1}}, {{2}}… for values filled in per customer; *bold*, _italic_.",
  "templates.samples": "Sample values (Meta reviews the template with these)",
  "templates.sampleFor": "Sample for {{{n}}}",
  "templates.footer": "Footer (optional)",
  "templates.buttonType": "Button type",
  "templates.quickReply": "Quick reply",
  "templates.urlButton": "Visit website",
  "templates.buttonText": "Button text",
  "templates.buttonUrl": "URL",
  "templates.addButton": "Add button",
  "templates.valid": "Ready to submit: no problems found.",
  "templates.submit": "Submit for approval",
  "templates.submitted": "Submitted to Meta for approval.",
  "templates.preview": "Preview",
  "templates.previewEmpty": "Write the body to see the message as the customer will.",
  "templates.startTyping": "Problems Meta would reject show here as you type.",
  "category.MARKETING": "Marketing",
  "category.UTILITY": "Utility",
  "category.AUTHENTICATION": "Authentication",
  "metric.sent": "Sent",
  "metric.delivered": "Delivered",
  "metric.read": "Read",
  "metric.clicked": "Clicked",
  "metric.replied": "Replied",
  "metric.optedOut": "Opted out",
  "metric.revenue": "Revenue",
  "metric.cost": "Cost",
  "metric.entered": "Entered",
  "metric.converted": "Bought",
  "segments.saved": "Saved segments",
  "segments.new": "Build a segment",
  "campaigns.list": "Campaigns",
  "campaigns.new": "New campaign",
  "campaigns.progress": "Progress",
  "campaigns.name": "Campaign name",
  "campaigns.templateStep": "Choose an approved template and what fills its variables, or add variants to compare.",
  "campaigns.when": "When to send",
  "campaigns.localTime": "Local time",
  "wizard.steps": "Campaign steps",
  "wizard.segment": "Segment",
  "wizard.template": "Template",
  "wizard.schedule": "Schedule",
  "wizard.review": "Review",
  "wizard.back": "Back",
  "wizard.next": "Next",
  "wizard.launch": "Launch campaign",
  "rule.preview.one": "1 contact matches",
  "rule.preview.sample": "Sample of the matching contacts",
  "rule.preview.name": "Name",
  "rule.preview.phone": "Phone (masked)",
  "rule.preview.country": "Country",
  "segments.none": "No saved segments yet. Build one below.",
  "segments.form": "Segment",
  "segments.name": "Segment name",
  "segments.contacts": "Contacts now",
  "segments.actions": "Actions",
  "segments.edit": "Edit",
  "segments.editOne": "Edit {name}",
  "segments.delete": "Delete",
  "segments.deleteOne": "Delete {name}",
  "segments.deleteTitle": "Delete the segment {name}?",
  "segments.deleteBody": "Campaigns already launched keep their audience; drafts that use it must pick another.",
  "segments.editing": "Edit segment: {name}",
  "segments.startNew": "New segment",
  "segments.save": "Save segment",
  "segments.saved.one": "Segment “{name}” saved.",
  "wizard.launching": "Launching…",
  "wizard.working": "Saving…",
  "field.first_name": "First name",
  "field.last_name": "Last name",
  "campaigns.none": "No campaigns yet. Create one below.",
  "campaigns.status": "Status",
  "campaigns.created": "Created",
  "campaigns.progressOf": "Progress of {name}",
  "campaigns.live": "Live progress",
  "campaigns.closeLive": "Close",
  "campaigns.audience": "Audience",
  "campaigns.savedSegment": "One of your segments",
  "campaigns.builtinSegment": "A built-in segment",
  "campaigns.segment": "Segment",
  "campaigns.builtin": "Built-in segment",
  "campaigns.noSegments": "You have no saved segments yet.",
  "campaigns.buildSegment": "Build one on the Segments page.",
  "campaigns.audienceCount": "{count} contacts in this audience now (before consent and caps).",
  "campaigns.audienceOne": "1 contact in this audience now (before consent and caps).",
  "campaigns.noTemplates": "No approved templates yet: submit one and wait for Meta's approval.",
  "campaigns.variant": "Variant {variant}",
  "campaigns.templateFor": "Template (variant {variant})",
  "campaigns.chooseTemplate": "Choose an approved template",
  "campaigns.fillVariable": "{{{n}}} is filled with (variant {variant})",
  "campaigns.fallback": "Fallback for {field} (variant {variant})",
  "campaigns.fallbackHint": "Sent when the contact has no such value. Left empty: “Değerli müşterimiz” in Turkish, “there” in English.",
  "campaigns.share": "Share of the audience in % (variant {variant})",
  "campaigns.removeVariant": "Remove variant {variant}",
  "campaigns.addVariant": "Add a variant (A/B test, Gold)",
  "campaigns.abHint": "After the test period the variant with the most replies goes to the rest of the audience.",
  "campaigns.modeNow": "Now",
  "campaigns.modeAt": "At a set time (Silver)",
  "campaigns.modeLocal": "At a time in each contact's own time zone (Gold)",
  "campaigns.sendAt": "Send at",
  "campaigns.sendAtZone": "On the store's clock ({timezone})",
  "campaigns.localDate": "Date",
  "campaigns.sendNow": "Now",
  "campaigns.localLine": "{date} at {time} in each contact's time zone",
  "campaigns.holdout": "Holdout group (%)",
  "campaigns.holdoutHint": "0 to {max}: these contacts get no message, so you can measure what the campaign changed.",
  "campaigns.rules": "Caps and quiet hours",
  "campaigns.quietLine": "Quiet hours {start}–{end} ({timezone}): messages that fall due then wait until they end.",
  "campaigns.capsLine": "Each contact gets at most {day} marketing message(s) in 24 hours and {week} in 7 days; the rest are skipped and counted.",
  "campaigns.changeRules": "Change them in Settings",
  "review.estimating": "Estimating recipients and cost…",
  "review.figures": "Estimate",
  "review.recipients": "Recipients",
  "review.recipientsLine": "Messages to send: {messages}. {consented} of the {audience} contacts in the audience have marketing consent.",
  "review.holdoutLine": "Kept as the holdout group: {holdout}.",
  "review.cost": "Estimated cost",
  "review.costLine": "{cost} in Meta's charges",
  "review.tier": "Meta's daily tier",
  "review.noTier": "Your number has no daily limit.",
  "review.tierFits": "Fits in one day: your number may message {tier} people a day.",
  "review.overTier": "Over the limit",
  "review.tierOver": "Your number may message {tier} people a day, so sending takes {days} days.",
  "review.acceptTier": "Send over {days} days",
  "review.plan": "Plan",
  "review.overPlan": "Your plan allows {limit} recipients per campaign; this audience has {audience}. Narrow it or upgrade.",
  "review.testForm": "Test send",
  "review.testHelp": "Before launch, send the campaign to a staff phone and check it there. A change to the campaign asks for a new test.",
  "review.testPhone": "Staff phone for the test",
  "review.sendTest": "Send test",
  "review.testSent": "Test queued for the staff phone. Check it, then launch.",
  "campaignStatus.DRAFT": "Draft",
  "campaignStatus.SCHEDULED": "Scheduled",
  "campaignStatus.RUNNING": "Running",
  "campaignStatus.PAUSED": "Paused",
  "campaignStatus.COMPLETED": "Completed",
  "campaignStatus.CANCELLED": "Cancelled",
  "progress.detail": "{done} of {total} handled",
  "progress.recipients": "Recipients: {recipients} · in the holdout group: {holdout}",
  "progress.waiting": "{count} wait for the A/B winner",
  "progress.winner": "winner: variant {variant}",
  "progress.outcomes": "Messages by outcome",
  "progress.queued": "Waiting",
  "progress.failed": "Failed",
  "progress.skipped": "Skipped",
  "progress.reasons": "Why messages were not sent",
  "progress.controls": "Campaign controls",
  "progress.pause": "Pause",
  "progress.resume": "Resume",
  "progress.cancel": "Cancel campaign",
  "progress.cancelTitle": "Cancel {name} for good?",
  "progress.cancelBody": "Messages not sent yet are dropped; this cannot be undone.",
} as const;

/** Per-feature message files (src/messages/) are merged here into the one typed dictionary. */
const en = {
  ...coreEn,
  ...codes.en,
  ...flows.en,
  ...contacts.en,
  ...limits.en,
  ...campaigns.en,
  ...plan.en,
  ...dashboard.en,
  ...inbox.en,
  ...plans.en,
  ...settings.en,
  ...cost.en,
};

export type MessageKey = keyof typeof en;

const coreTr: Record<keyof typeof coreEn, string> = {
  "app.name": "Ulak",
  "app.tagline": "Saleor mağazanız için izinli WhatsApp mesajları",
  "app.connecting": "Saleor paneline bağlanılıyor…",
  "nav.label": "Ulak bölümleri",
  "page.onboarding": "Kurulum",
  "page.dashboard": "Gösterge paneli",
  "page.templates": "Şablonlar",
  "page.flows": "Akışlar",
  "page.segments": "Segmentler",
  "page.campaigns": "Kampanyalar",
  "page.contacts": "Kişiler",
  "page.settings": "Ayarlar",
  "page.loading": "Yönetim API'sinden veriler yükleniyor…",
  "page.loaded": "Yönetim API'si yanıt verdi.",
  "page.empty": "Henüz burada bir şey yok.",
  "page.error": "Yönetim API'si okunamadı: {message}",
  "page.retry": "Yeniden dene",
  "page.fieldErrors": "Yönetim API'si hata bildirdi:",
  "outside.title": "Ulak'ı Saleor panelinizden açın",
  "outside.body":
    "Ulak, Saleor panelinin içinde çalışır; panel oturumunuzu açar ve Ulak'a hangi mağazayı yönettiğinizi bildirir. Bu sayfa tek başına açıldığı için burada gösterilecek bir şey yok.",
  "outside.step1": "Saleor panelinize giriş yapın.",
  "outside.step2": "Uygulamalar (Apps) bölümüne gidip Ulak'ı seçin.",
  "outside.step3": "Ulak listede yoksa manifest adresinden yükleyin: {manifest}",
  "outside.noHandshake":
    "Panel zamanında yanıt vermedi (AppBridge el sıkışması gelmedi). Uygulamayı Uygulamalar → Ulak'tan yeniden açın.",
  "preview.label": "WhatsApp mesaj önizlemesi",
  "preview.media.IMAGE": "Görsel",
  "preview.media.VIDEO": "Video",
  "preview.media.DOCUMENT": "Belge",
  "preview.media.LOCATION": "Konum",
  "preview.missingVariable": "{n} numaralı değişkenin değeri yok",
  "preview.buttons": "Butonlar",
  "preview.copyCode": "Kodu kopyala",
  "rule.builderLabel": "Segment kuralları",
  "rule.group.all": "Bunların hepsine uyanlar",
  "rule.group.any": "Bunlardan herhangi birine uyanlar",
  "rule.combinator": "Birleştirme",
  "rule.combinator.all": "hepsi (VE)",
  "rule.combinator.any": "herhangi biri (VEYA)",
  "rule.not": "Değil (buna uyan kişileri hariç tut)",
  "rule.unwrapNot": "DEĞİL'i kaldır",
  "rule.wrapNot": "Tersine çevir",
  "rule.addCondition": "Koşul ekle",
  "rule.addGroup": "Grup ekle",
  "rule.remove": "Kaldır",
  "rule.field": "Alan",
  "rule.op": "Operatör",
  "rule.value": "Değer",
  "rule.from": "En az",
  "rule.to": "En çok",
  "rule.listHint": "Virgülle ayırın",
  "rule.emptyGroup": "Bu grupta henüz koşul yok.",
  "rule.condition": "Koşul {path}",
  "rule.groupLabel": "Grup {path}",
  "rule.preview": "Eşleşen kişiler",
  "rule.preview.count": "{count} kişi eşleşiyor",
  "rule.preview.loading": "Sayılıyor…",
  "rule.preview.invalid": "Kaç kişinin eşleştiğini görmek için yukarıdaki hataları düzeltin.",
  "rule.preview.error": "Sayılamadı: {message}",
  "rule.preview.idle": "Henüz sayım yok.",
  "rule.preview.refresh": "Sayımı yenile",
  "rule.days": "gün",
  "rule.currency": "{currency} cinsinden",
  "common.save": "Kaydet",
  "common.saved": "Kaydedildi.",
  "common.cancel": "Vazgeç",
  "checklist.progress": "{total} adımdan {done} tanesi tamam",
  "checklist.done": "(tamamlandı)",
  "checklist.todo": "(yapılacak)",
  "onboarding.intro": "Dört adımda {store} kurulumdan ilk WhatsApp mesajına ve ilk geri kazanılan sepete geçer.",
  "onboarding.steps": "Kurulum adımları",
  "onboarding.step.connect": "Bir WhatsApp numarası bağlayın",
  "onboarding.step.test": "Deneme mesajı gönderin",
  "onboarding.step.orderUpdates": "Sipariş bildirimlerini açın",
  "onboarding.orderUpdatesAbout": "Müşteriler şu durumlarda WhatsApp mesajı alır: {events}. Sandbox numarasıyla hemen çalışır.",
  "onboarding.tuneFlows": "Hangi bildirimlerin gideceğini seçmek, mesajları önizlemek ve kargo firmasını ayarlamak için Akışlar sayfasına gidin",
  "onboarding.sandbox": "Deneme ortamı",
  "onboarding.default": "Varsayılan",
  "onboarding.active": "Etkin",
  "onboarding.sandboxReady": "Mağazanız deneme numarasına bağlı: mesajlar gerçek müşterilere değil, deneme telefonuna gider.",
  "onboarding.connectOwn": "WhatsApp Business numaranızı bağlayın",
  "onboarding.connectAnother": "Başka bir numara bağlayın",
  "onboarding.connectForm": "WhatsApp numarası bağlama",
  "onboarding.phoneNumberId": "Telefon numarası kimliği (Phone number ID)",
  "onboarding.wabaId": "WhatsApp İşletme Hesabı kimliği (WABA ID)",
  "onboarding.accessToken": "Erişim anahtarı (access token)",
  "onboarding.accessTokenHint": "WhatsApp ile hemen doğrulanır, sonra şifreli saklanır.",
  "onboarding.useSandbox": "Bu bir deneme numarası (yalnızca geliştirme)",
  "onboarding.connect": "Doğrula ve bağla",
  "onboarding.checking": "WhatsApp ile doğrulanıyor…",
  "onboarding.testForm": "Deneme mesajı gönder",
  "onboarding.testTo": "Alıcı (kendi telefonunuz)",
  "onboarding.testToHint": "Ülke koduyla, ör. +90 555 123 45 67.",
  "onboarding.sendTest": "Deneme mesajı gönder",
  "onboarding.testSent": "Gönderildi. Telefonu kontrol edin.",
  "onboarding.testText": "Ulak'tan merhaba! Mağazanızın WhatsApp mesajları hazır.",
  "settings.form": "Mağaza ayarları",
  "settings.quietHours": "Sessiz saatler",
  "settings.quietHoursHelp": "Pazarlama mesajları, mağazanın saat diliminde sessiz saatler bitene kadar bekler.",
  "settings.quietStart": "Sessiz başlangıç",
  "settings.quietEnd": "Sessiz bitiş",
  "settings.quietTransactional": "Sipariş bildirimleri de sessiz saatlerin bitmesini bekler",
  "settings.caps": "Kişi başına pazarlama sınırları",
  "settings.cap24h": "24 saatte en fazla",
  "settings.cap7d": "7 günde en fazla",
  "settings.region": "Saat dilimi ve bölge",
  "settings.timezone": "Saat dilimi",
  "settings.defaultRegion": "Varsayılan bölge",
  "settings.defaultRegionHint": "İki harf (TR): ülke kodu olmayan numaralar için kullanılır.",
  "settings.keywords": "İzin iptal kelimeleri",
  "settings.optoutKeywords": "Bu kelimelerden biriyle yanıt veren kişinin izni iptal edilir",
  "settings.plan": "Paket ve kullanım",
  "settings.planLine": "{plan} paket · aylık {price}",
  "settings.usage": "Bu ayki pazarlama mesajları",
  "settings.usageDetail": "{total} mesajın {used} tanesi kullanıldı · {remaining} kaldı · {date} tarihinde yeniden başlar",
  "settings.changePlan": "Paketi değiştir",
  "plan.FREE": "Ücretsiz",
  "plan.SILVER": "Gümüş",
  "plan.GOLD": "Altın",
  "templates.list": "Şablonlarınız",
  "templates.installStarters": "Hazır şablonları yükle",
  "templates.none": "Henüz şablon yok. Hazır şablonları yükleyin ya da aşağıda bir tane yazın.",
  "templates.name": "Ad",
  "templates.nameHint": "Küçük harf, rakam ve alt çizgi.",
  "templates.language": "Dil",
  "templates.category": "Kategori",
  "templates.status": "Meta durumu",
  "templates.quality": "Kalite",
  "templates.starter": "Hazır",
  "templates.new": "Yeni şablon",
  "templates.editor": "Şablon düzenleyici",
  "templates.header": "Başlık (isteğe bağlı)",
  "templates.body": "Metin",
  "templates.bodyHint": "Müşteriye göre dolacak değerler için {{1}}, {{2}}… kullanın; *kalın*, _italik_.",
  "templates.samples": "Örnek değerler (Meta şablonu bunlarla inceler)",
  "templates.sampleFor": "{{{n}}} için örnek",
  "templates.footer": "Alt bilgi (isteğe bağlı)",
  "templates.buttonType": "Buton türü",
  "templates.quickReply": "Hızlı yanıt",
  "templates.urlButton": "Web sitesine git",
  "templates.buttonText": "Buton metni",
  "templates.buttonUrl": "Adres (URL)",
  "templates.addButton": "Buton ekle",
  "templates.valid": "Gönderilmeye hazır: sorun bulunmadı.",
  "templates.submit": "Onaya gönder",
  "templates.submitted": "Onay için Meta'ya gönderildi.",
  "templates.preview": "Önizleme",
  "templates.previewEmpty": "Mesajı müşterinin göreceği gibi görmek için metni yazın.",
  "templates.startTyping": "Meta'nın reddedeceği sorunlar siz yazdıkça burada görünür.",
  "category.MARKETING": "Pazarlama",
  "category.UTILITY": "Hizmet",
  "category.AUTHENTICATION": "Kimlik doğrulama",
  "metric.sent": "Gönderilen",
  "metric.delivered": "İletilen",
  "metric.read": "Okunan",
  "metric.clicked": "Tıklanan",
  "metric.replied": "Yanıtlanan",
  "metric.optedOut": "İzni iptal eden",
  "metric.revenue": "Gelir",
  "metric.cost": "Maliyet",
  "metric.entered": "Giren",
  "metric.converted": "Satın alan",
  "segments.saved": "Kayıtlı segmentler",
  "segments.new": "Segment oluşturun",
  "campaigns.list": "Kampanyalar",
  "campaigns.new": "Yeni kampanya",
  "campaigns.progress": "İlerleme",
  "campaigns.name": "Kampanya adı",
  "campaigns.templateStep": "Onaylı bir şablon ve değişkenlerini neyin dolduracağını seçin ya da karşılaştırmak için varyant ekleyin.",
  "campaigns.when": "Ne zaman gönderilsin",
  "campaigns.localTime": "Yerel saat",
  "wizard.steps": "Kampanya adımları",
  "wizard.segment": "Segment",
  "wizard.template": "Şablon",
  "wizard.schedule": "Zamanlama",
  "wizard.review": "Gözden geçir",
  "wizard.back": "Geri",
  "wizard.next": "İleri",
  "wizard.launch": "Kampanyayı başlat",
  "rule.preview.one": "1 kişi eşleşiyor",
  "rule.preview.sample": "Eşleşen kişilerden örnekler",
  "rule.preview.name": "Ad",
  "rule.preview.phone": "Telefon (gizlenmiş)",
  "rule.preview.country": "Ülke",
  "segments.none": "Henüz kayıtlı segment yok. Aşağıda bir tane oluşturun.",
  "segments.form": "Segment",
  "segments.name": "Segment adı",
  "segments.contacts": "Şu anki kişi sayısı",
  "segments.actions": "İşlemler",
  "segments.edit": "Düzenle",
  "segments.editOne": "{name} segmentini düzenle",
  "segments.delete": "Sil",
  "segments.deleteOne": "{name} segmentini sil",
  "segments.deleteTitle": "{name} segmenti silinsin mi?",
  "segments.deleteBody": "Başlatılmış kampanyalar kitlelerini korur; bu segmenti kullanan taslaklar başka bir segment seçmelidir.",
  "segments.editing": "Segmenti düzenle: {name}",
  "segments.startNew": "Yeni segment",
  "segments.save": "Segmenti kaydet",
  "segments.saved.one": "“{name}” segmenti kaydedildi.",
  "wizard.launching": "Başlatılıyor…",
  "wizard.working": "Kaydediliyor…",
  "field.first_name": "Ad",
  "field.last_name": "Soyad",
  "campaigns.none": "Henüz kampanya yok. Aşağıda bir tane oluşturun.",
  "campaigns.status": "Durum",
  "campaigns.created": "Oluşturulma",
  "campaigns.progressOf": "{name} ilerlemesi",
  "campaigns.live": "Canlı ilerleme",
  "campaigns.closeLive": "Kapat",
  "campaigns.audience": "Kitle",
  "campaigns.savedSegment": "Segmentlerinizden biri",
  "campaigns.builtinSegment": "Hazır bir segment",
  "campaigns.segment": "Segment",
  "campaigns.builtin": "Hazır segment",
  "campaigns.noSegments": "Henüz kayıtlı segmentiniz yok.",
  "campaigns.buildSegment": "Segmentler sayfasında bir tane oluşturun.",
  "campaigns.audienceCount": "Bu kitlede şu an {count} kişi var (izin ve sınırlardan önce).",
  "campaigns.audienceOne": "Bu kitlede şu an 1 kişi var (izin ve sınırlardan önce).",
  "campaigns.noTemplates": "Henüz onaylı şablon yok: bir şablonu onaya gönderip Meta'nın onayını bekleyin.",
  "campaigns.variant": "Varyant {variant}",
  "campaigns.templateFor": "Şablon (varyant {variant})",
  "campaigns.chooseTemplate": "Onaylı bir şablon seçin",
  "campaigns.fillVariable": "{{{n}}} şununla doldurulur (varyant {variant})",
  "campaigns.fallback": "{field} için yedek metin (varyant {variant})",
  "campaigns.fallbackHint": "Kişide bu değer yoksa gönderilir. Boş bırakılırsa: Türkçede “Değerli müşterimiz”, İngilizcede “there”.",
  "campaigns.share": "Kitle payı % (varyant {variant})",
  "campaigns.removeVariant": "Varyant {variant}'yı kaldır",
  "campaigns.addVariant": "Varyant ekle (A/B testi, Altın)",
  "campaigns.abHint": "Test süresinden sonra en çok yanıt alan varyant kitlenin geri kalanına gider.",
  "campaigns.modeNow": "Hemen",
  "campaigns.modeAt": "Belirli bir zamanda (Gümüş)",
  "campaigns.modeLocal": "Her kişinin kendi saat diliminde belirli bir saatte (Altın)",
  "campaigns.sendAt": "Gönderim zamanı",
  "campaigns.sendAtZone": "Mağazanın saatiyle ({timezone})",
  "campaigns.localDate": "Tarih",
  "campaigns.sendNow": "Hemen",
  "campaigns.localLine": "{date} tarihinde, her kişinin saat diliminde {time}",
  "campaigns.holdout": "Kontrol grubu (%)",
  "campaigns.holdoutHint": "0 ile {max} arası: bu kişilere mesaj gitmez, kampanyanın etkisini ölçebilirsiniz.",
  "campaigns.rules": "Sınırlar ve sessiz saatler",
  "campaigns.quietLine": "Sessiz saatler {start}–{end} ({timezone}): bu saatlere denk gelen mesajlar saatler bitene kadar bekler.",
  "campaigns.capsLine": "Her kişiye 24 saatte en fazla {day}, 7 günde en fazla {week} pazarlama mesajı gider; fazlası atlanır ve sayılır.",
  "campaigns.changeRules": "Ayarlar'dan değiştirin",
  "review.estimating": "Alıcılar ve maliyet hesaplanıyor…",
  "review.figures": "Tahmin",
  "review.recipients": "Alıcılar",
  "review.recipientsLine": "Gönderilecek mesaj: {messages}. Kitledeki {audience} kişiden {consented} kişinin pazarlama izni var.",
  "review.holdoutLine": "Kontrol grubunda tutulan: {holdout}.",
  "review.cost": "Tahmini maliyet",
  "review.costLine": "Meta ücreti olarak {cost}",
  "review.tier": "Meta'nın günlük limiti",
  "review.noTier": "Numaranızın günlük limiti yok.",
  "review.tierFits": "Bir günde sığar: numaranız günde {tier} kişiye mesaj gönderebilir.",
  "review.overTier": "Limitin üzerinde",
  "review.tierOver": "Numaranız günde {tier} kişiye mesaj gönderebilir; gönderim {days} gün sürer.",
  "review.acceptTier": "{days} güne yayarak gönder",
  "review.plan": "Paket",
  "review.overPlan": "Paketiniz kampanya başına {limit} alıcıya izin veriyor; bu kitlede {audience} kişi var. Daraltın ya da paketinizi yükseltin.",
  "review.testForm": "Test gönderimi",
  "review.testHelp": "Başlatmadan önce kampanyayı bir personel telefonuna gönderip orada kontrol edin. Kampanyadaki her değişiklik yeni bir test ister.",
  "review.testPhone": "Test için personel telefonu",
  "review.sendTest": "Test gönder",
  "review.testSent": "Test, personel telefonu için sıraya alındı. Kontrol edip başlatın.",
  "campaignStatus.DRAFT": "Taslak",
  "campaignStatus.SCHEDULED": "Zamanlandı",
  "campaignStatus.RUNNING": "Gönderiliyor",
  "campaignStatus.PAUSED": "Duraklatıldı",
  "campaignStatus.COMPLETED": "Tamamlandı",
  "campaignStatus.CANCELLED": "İptal edildi",
  "progress.detail": "{total} mesajdan {done} tanesi işlendi",
  "progress.recipients": "Alıcı: {recipients} · kontrol grubunda: {holdout}",
  "progress.waiting": "{count} kişi A/B kazananını bekliyor",
  "progress.winner": "kazanan: varyant {variant}",
  "progress.outcomes": "Sonuca göre mesajlar",
  "progress.queued": "Bekleyen",
  "progress.failed": "Başarısız",
  "progress.skipped": "Atlanan",
  "progress.reasons": "Mesajların gönderilmeme nedenleri",
  "progress.controls": "Kampanya kontrolleri",
  "progress.pause": "Duraklat",
  "progress.resume": "Devam et",
  "progress.cancel": "Kampanyayı iptal et",
  "progress.cancelTitle": "{name} kalıcı olarak iptal edilsin mi?",
  "progress.cancelBody": "Henüz gönderilmemiş mesajlar gönderilmez; bu işlem geri alınamaz.",
};

const tr: Record<MessageKey, string> = {
  ...coreTr,
  ...codes.tr,
  ...flows.tr,
  ...contacts.tr,
  ...limits.tr,
  ...campaigns.tr,
  ...plan.tr,
  ...dashboard.tr,
  ...inbox.tr,
  ...plans.tr,
  ...settings.tr,
  ...cost.tr,
};

export const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, tr };

/** Maps a dashboard locale code ("tr", "tr-TR", "en", "pt-BR", …) to one we speak. */
export function toLocale(code: string | null | undefined): Locale {
  return code && code.toLowerCase().startsWith("tr") ? "tr" : "en";
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translate(
  locale: Locale,
  key: MessageKey,
  params?: Record<string, string | number>,
): string {
  const text = dictionaries[locale][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

const LocaleContext = createContext<Locale>("en");

export function LocaleProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  return <LocaleContext.Provider value={locale}>{children}</LocaleContext.Provider>;
}

export function useLocale(): Locale {
  return useContext(LocaleContext);
}

export function useT(): Translate {
  const locale = useLocale();
  return useMemo<Translate>(() => (key, params) => translate(locale, key, params), [locale]);
}

/** A date and time in the dashboard's language ("12 Mar 2025 14:05" / "12 Mar 2025 14:05"),
 * on the clock of `timeZone` (an IANA name such as the store's) or else the browser's. */
export function formatDateTime(locale: Locale, iso: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale === "tr" ? "tr-TR" : "en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: knownZone(timeZone) }).format(d);
}

/** `zone` when this browser knows it (a store may name a zone a browser lacks), else undefined. */
function knownZone(zone: string | undefined): string | undefined {
  if (!zone) return undefined;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

/**
 * An instant as the merchant's clock shows it: "09:00" when it falls within the next 24 hours
 * (or the last), else the date and the time ("6 Dec 2026, 09:00"); on `timeZone`'s clock when
 * given (the store's, see formatStoreTime).
 */
export function formatTime(locale: Locale, iso: string, now: Date = new Date(), timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (Math.abs(d.getTime() - now.getTime()) >= 24 * 3600 * 1000) return formatDateTime(locale, iso, timeZone);
  return new Intl.DateTimeFormat(locale === "tr" ? "tr-TR" : "en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: knownZone(timeZone) }).format(d);
}

/**
 * A campaign's time on the store's clock, with the store's zone beside it, so a merchant
 * travelling (or a browser set elsewhere) never reads it as their own: "09:00 (Europe/Istanbul)".
 * Without a zone it is formatTime's answer alone.
 */
export function formatStoreTime(locale: Locale, iso: string, timeZone: string | null | undefined, now: Date = new Date()): string {
  const time = formatTime(locale, iso, now, timeZone ?? undefined);
  return timeZone && knownZone(timeZone) ? `${time} (${timeZone})` : time;
}

/**
 * The instant a wall-clock "2026-03-01T10:00" (a datetime-local field's value) names on
 * `timeZone`'s clock, as ISO text; without a zone, the browser's clock (Date's own reading).
 */
export function zonedToIso(wall: string, timeZone?: string | null): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(wall);
  if (!m) return null;
  const zone = knownZone(timeZone ?? undefined);
  if (!zone) {
    const d = new Date(wall);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  // The zone's offset at that moment, found by reading the guess back on the zone's clock
  // (twice: a guess on the other side of a daylight-saving change corrects itself).
  let guess = asUtc;
  for (let i = 0; i < 2; i++) guess = asUtc - (wallOf(guess, zone) - guess);
  return new Date(guess).toISOString();
}

/** The inverse of zonedToIso: an instant as "YYYY-MM-DDTHH:MM" on `timeZone`'s clock. */
export function isoToZoned(iso: string, timeZone?: string | null): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return "";
  const zone = knownZone(timeZone ?? undefined);
  const wall = zone ? new Date(wallOf(t, zone)) : new Date(t - new Date(t).getTimezoneOffset() * 60_000);
  return wall.toISOString().slice(0, 16);
}

/** The wall-clock reading of instant `t` on `zone`, as if that reading were UTC (ms). */
function wallOf(t: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour") % 24, get("minute"), get("second"));
}

/** A share (0.3, or the API's decimal text "0.3") as a percentage in the locale's style
 * ("%30" / "30%"); `signed` adds "+". */
export function formatPercent(locale: Locale, ratio: number | string, signed = false): string {
  const n = Number(ratio);
  if (Number.isNaN(n)) return String(ratio);
  return new Intl.NumberFormat(locale === "tr" ? "tr-TR" : "en-US", {
    style: "percent",
    maximumFractionDigits: 1,
    signDisplay: signed ? "exceptZero" : "auto",
  }).format(n);
}

/** A number with at most `digits` decimals in the locale's style ("20,5" / "20.5"); `signed` adds "+". */
export function formatDecimal(locale: Locale, n: number, digits = 1, signed = false): string {
  return new Intl.NumberFormat(locale === "tr" ? "tr-TR" : "en-US", { maximumFractionDigits: digits, signDisplay: signed ? "exceptZero" : "auto" }).format(n);
}

/** Formats an integer with the locale's digit grouping ("1.234" in Turkish). */
export function formatCount(locale: Locale, n: number): string {
  return new Intl.NumberFormat(locale === "tr" ? "tr-TR" : "en-US").format(n);
}

const intlLocale = (locale: Locale) => (locale === "tr" ? "tr-TR" : "en-GB");

/** A date alone ("12 Mar 2025" / "12 Mar 2025"). */
export function formatDate(locale: Locale, iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: "medium" }).format(d);
}

/** A chart's day label from "2025-03-12" ("12 Mar" / "12 Mar"), never "03-12". */
export function formatDay(locale: Locale, isoDate: string): string {
  const d = new Date(`${isoDate.slice(0, 10)}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return isoDate;
  return new Intl.DateTimeFormat(intlLocale(locale), { day: "numeric", month: "short", timeZone: "UTC" }).format(d);
}

/** A wall-clock "21:00" (the API's "HH:MM[:SS]") in the locale's style: 24-hour in both languages we speak. */
export function formatClock(locale: Locale, hhmm: string): string {
  const [h, m] = hhmm.split(":").map(Number);
  if (h === undefined || m === undefined || Number.isNaN(h) || Number.isNaN(m)) return hhmm;
  return new Intl.DateTimeFormat(intlLocale(locale), { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" }).format(new Date(Date.UTC(2000, 0, 1, h, m)));
}

/** Money as decimal text from the API ("1234.5") in the store's currency ("1.234,50 ₺" / "TRY 1,234.50"). */
export function formatMoney(locale: Locale, amount: string | number, currency: string): string {
  const n = Number(amount);
  if (Number.isNaN(n)) return `${amount} ${currency}`;
  try {
    return new Intl.NumberFormat(locale === "tr" ? "tr-TR" : "en-US", { style: "currency", currency }).format(n);
  } catch {
    return `${formatCount(locale, n)} ${currency}`;
  }
}

/**
 * A delay in minutes as people say it: "30 dakika", "1 saat", "1 gün", "1 gün 2 saat"
 * ("30 minutes", "1 hour", "1 day"), by Intl's unit names.
 */
export function formatDuration(locale: Locale, minutes: number): string {
  const tag = locale === "tr" ? "tr-TR" : "en-US";
  const unit = (value: number, name: "day" | "hour" | "minute") => new Intl.NumberFormat(tag, { style: "unit", unit: name, unitDisplay: "long" }).format(value);
  if (minutes <= 0) return unit(0, "minute");
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts = [days ? unit(days, "day") : "", hours ? unit(hours, "hour") : "", mins ? unit(mins, "minute") : ""].filter(Boolean);
  return parts.join(" ");
}

/** Groups of codes the dictionary names as `code.<group>.<value>` (see src/messages/codes.ts). */
export type CodeGroup = "MessageStatus" | "ConsentAction" | "ConsentPurpose" | "ConsentSource" | "TemplateStatus" | "TemplateCategory" | "Quality" | "AccountStatus" | "direction";

/** A code in words; an unknown one reads "Other (CODE)" rather than the bare code. */
export function translateCode(locale: Locale, group: CodeGroup, code: string): string {
  const dict = dictionaries[locale] as Record<string, string>;
  return dict[`code.${group}.${code}`] ?? translate(locale, "code.unknown", { code });
}

/** Meta's messaging tier ("TIER_1K", "TIER_UNLIMITED") as a daily number of customers. */
export function formatTier(locale: Locale, tier: string): string {
  const m = /^TIER_(\d+)(K)?$/i.exec(tier);
  if (m) return translate(locale, "code.tier.count", { count: formatCount(locale, Number(m[1]) * (m[2] ? 1000 : 1)) });
  if (/UNLIMITED/i.test(tier)) return translate(locale, "code.tier.unlimited");
  return translate(locale, "code.unknown", { code: tier });
}

/** `translateCode` bound to the dashboard's language. */
export function useCode(): (group: CodeGroup, code: string) => string {
  const locale = useLocale();
  return useMemo(() => (group: CodeGroup, code: string) => translateCode(locale, group, code), [locale]);
}
