/**
 * Store settings (quiet hours, caps, time zone, region, keywords, storefront) and the plan with
 * its usage; the staff test numbers and the pickup point, saved on their own (src/settings/).
 */
import { Box, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";
import { useAdminQuery } from "../api/useAdmin";
import { AdminErrors, CheckField, ErrorState, Loading, QuotaBar, Section, SelectField, TextAreaField, TextField } from "../components/ui";
import { ExchangeRateSection } from "../cost/ExchangeRateSection";
import { MmApiStatusSection } from "../cost/MmApiStatusSection";
import { formatCount, formatDate, formatMoney, useLocale, useT } from "../i18n";
import { QuotaBanner } from "../plan/QuotaBanner";
import { PlanComparison } from "../plans/PlanComparison";
import { PickupPointSection } from "../settings/PickupPointSection";
import { SETTINGS } from "../settings/queries";
import { SaveRow } from "../settings/parts";
import { StaffNumbersSection } from "../settings/StaffNumbersSection";
import { STOREFRONT_FIELDS, StorefrontSection, storefrontInput, toStorefrontForm, type StorefrontForm } from "../settings/StorefrontSection";
import { useSaveSettings } from "../settings/useSaveSettings";
import type { PlanUsage, StoreSettings } from "./types";

function timeZones(current: string): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const zones = intl.supportedValuesOf?.("timeZone") ?? ["Europe/Istanbul", "UTC", "Europe/London", "Europe/Berlin"];
  return zones.includes(current) ? zones : [current, ...zones];
}

const keywords = (text: string) =>
  text
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean);

interface Form extends StorefrontForm {
  timezone: string;
  defaultRegion: string;
  quietHoursStart: string;
  quietHoursEnd: string;
  quietHoursTransactional: boolean;
  marketingCap24h: string;
  marketingCap7d: string;
  tierReservePercent: string;
  optoutKeywords: string;
}

function toForm(s: StoreSettings): Form {
  return {
    timezone: s.timezone,
    defaultRegion: s.defaultRegion,
    quietHoursStart: s.quietHoursStart,
    quietHoursEnd: s.quietHoursEnd,
    quietHoursTransactional: s.quietHoursTransactional,
    marketingCap24h: String(s.marketingCap24h),
    marketingCap7d: String(s.marketingCap7d),
    tierReservePercent: String(s.tierReservePercent ?? 10),
    optoutKeywords: s.optoutKeywords.join(", "),
    ...toStorefrontForm(s),
  };
}

function SettingsForm({ settings }: { settings: StoreSettings }) {
  const t = useT();
  const [form, setForm] = useState<Form>(() => toForm(settings));
  const { save, errors, saved, changed, state } = useSaveSettings();
  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    changed();
  };
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const kept = await save({
      timezone: form.timezone,
      defaultRegion: form.defaultRegion.trim().toUpperCase(),
      quietHoursStart: form.quietHoursStart,
      quietHoursEnd: form.quietHoursEnd,
      quietHoursTransactional: form.quietHoursTransactional,
      marketingCap24h: Number(form.marketingCap24h),
      marketingCap7d: Number(form.marketingCap7d),
      tierReservePercent: Number(form.tierReservePercent),
      optoutKeywords: keywords(form.optoutKeywords),
      ...storefrontInput(form),
    });
    if (kept) setForm(toForm(kept));
  };
  const invalid = (field: string) => errors.some((er) => er.field === field);
  const storefront = (er: { field: string | null }) => STOREFRONT_FIELDS.includes(er.field ?? "");
  return (
    <Box as="form" onSubmit={submit} display="flex" flexDirection="column" gap={4} aria-label={t("settings.form")}>
      <Section title={t("settings.quietHours")}>
        <Text as="p" size={3} color="default2">
          {t("settings.quietHoursHelp")}
        </Text>
        <div className="ulak-grid">
          <TextField label={t("settings.quietStart")} id="qh-start" type="time" value={form.quietHoursStart} aria-invalid={invalid("quietHoursStart")} onChange={(e) => set("quietHoursStart", e.target.value)} />
          <TextField label={t("settings.quietEnd")} id="qh-end" type="time" value={form.quietHoursEnd} aria-invalid={invalid("quietHoursEnd")} onChange={(e) => set("quietHoursEnd", e.target.value)} />
        </div>
        <CheckField checked={form.quietHoursTransactional} onChange={(c) => set("quietHoursTransactional", c)}>
          {t("settings.quietTransactional")}
        </CheckField>
      </Section>
      <Section title={t("settings.caps")}>
        <div className="ulak-grid">
          <TextField label={t("settings.cap24h")} id="cap-24h" type="number" min={0} value={form.marketingCap24h} aria-invalid={invalid("marketingCap24h")} onChange={(e) => set("marketingCap24h", e.target.value)} />
          <TextField label={t("settings.cap7d")} id="cap-7d" type="number" min={0} value={form.marketingCap7d} aria-invalid={invalid("marketingCap7d")} onChange={(e) => set("marketingCap7d", e.target.value)} />
          <TextField label={t("settings.tierReserve")} hint={t("settings.tierReserveHint")} id="tier-reserve" type="number" min={0} max={50} value={form.tierReservePercent} aria-invalid={invalid("tierReservePercent")} aria-describedby="tier-reserve-hint" onChange={(e) => set("tierReservePercent", e.target.value)} />
        </div>
      </Section>
      <Section title={t("settings.region")}>
        <div className="ulak-grid">
          <SelectField label={t("settings.timezone")} testId="tz" options={timeZones(form.timezone).map((z) => ({ value: z, label: z }))} value={form.timezone} invalid={invalid("timezone")} onChange={(z) => set("timezone", z)} />
          <TextField label={t("settings.defaultRegion")} hint={t("settings.defaultRegionHint")} id="region" value={form.defaultRegion} maxLength={2} aria-invalid={invalid("defaultRegion")} aria-describedby="region-hint" onChange={(e) => set("defaultRegion", e.target.value)} />
        </div>
      </Section>
      <Section title={t("settings.keywords")}>
        <TextAreaField label={t("settings.optoutKeywords")} hint={t("rule.listHint")} id="optout" value={form.optoutKeywords} aria-invalid={invalid("optoutKeywords")} aria-describedby="optout-hint" onChange={(e) => set("optoutKeywords", e.target.value)} />
      </Section>
      <StorefrontSection form={form} set={set} errors={errors.filter(storefront)} />
      <AdminErrors errors={errors.filter((er) => !storefront(er))} />
      <SaveRow label={t("common.save")} state={state} saved={saved} />
    </Box>
  );
}

function PlanSection({ usage: initial }: { usage: PlanUsage }) {
  const t = useT();
  const locale = useLocale();
  const [usage, setUsage] = useState(initial);
  useEffect(() => setUsage(initial), [initial]);
  return (
    <Section title={t("settings.plan")}>
      <Text as="p" size={4}>
        {t("settings.planLine", { plan: t(`plan.${usage.plan}`), price: formatMoney(locale, usage.priceTry, "TRY") })}
      </Text>
      <QuotaBanner usage={usage} />
      <QuotaBar
        label={t("settings.usage")}
        used={usage.usedThisMonth}
        total={usage.monthlyQuota}
        level={usage.warningLevel}
        detail={t("settings.usageDetail", { used: formatCount(locale, usage.usedThisMonth), total: formatCount(locale, usage.monthlyQuota), remaining: formatCount(locale, usage.remaining), date: formatDate(locale, `${usage.resetsOn}T12:00:00Z`) })}
      />
      <PlanComparison onChanged={setUsage} />
    </Section>
  );
}

export function SettingsPage() {
  const { state, reload } = useAdminQuery(SETTINGS);
  if (state.kind === "loading") return <Loading />;
  if (state.kind === "error") return <ErrorState message={state.message} onRetry={reload} />;
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <PlanSection usage={state.data.planUsage} />
      <SettingsForm settings={state.data.storeSettings} />
      <StaffNumbersSection />
      <PickupPointSection />
      <ExchangeRateSection />
      <MmApiStatusSection />
    </Box>
  );
}
