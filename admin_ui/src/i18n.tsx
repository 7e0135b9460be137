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
import * as rules from "./messages/rules";
import * as templates from "./messages/templates";
import * as onboarding from "./messages/onboarding";
import * as wizard from "./messages/wizard";
import * as settingsForm from "./messages/settingsForm";

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
  "common.save": "Save",
  "common.noMatch": "Nothing matches what you typed.",
  "common.saved": "Saved.",
  "common.cancel": "Cancel",
  "plan.FREE": "Free",
  "plan.SILVER": "Silver",
  "plan.GOLD": "Gold",
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
  "field.first_name": "First name",
  "field.last_name": "Last name",
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
  ...rules.en,
  ...templates.en,
  ...onboarding.en,
  ...wizard.en,
  ...settingsForm.en,
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
  "common.save": "Kaydet",
  "common.noMatch": "Yazdığınızla eşleşen bir seçenek yok.",
  "common.saved": "Kaydedildi.",
  "common.cancel": "Vazgeç",
  "plan.FREE": "Ücretsiz",
  "plan.SILVER": "Gümüş",
  "plan.GOLD": "Altın",
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
  "field.first_name": "Ad",
  "field.last_name": "Soyad",
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
  ...rules.tr,
  ...templates.tr,
  ...onboarding.tr,
  ...wizard.tr,
  ...settingsForm.tr,
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
