/**
 * A tiny typed dictionary: every string the admin shows, in English and Turkish.
 *
 * The locale follows the Saleor dashboard (AppBridge state `locale`): "tr" and
 * anything starting with "tr" is Turkish, everything else English. `tr` is typed
 * as Record<MessageKey, string>, so a key missing in either language fails typecheck.
 */
import { createContext, useContext, useMemo, type ReactNode } from "react";

export type Locale = "en" | "tr";

const en = {
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
} as const;

export type MessageKey = keyof typeof en;

const tr: Record<MessageKey, string> = {
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

/** Formats an integer with the locale's digit grouping ("1.234" in Turkish). */
export function formatCount(locale: Locale, n: number): string {
  return new Intl.NumberFormat(locale === "tr" ? "tr-TR" : "en-US").format(n);
}
