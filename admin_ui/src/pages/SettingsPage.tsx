/**
 * Store settings (quiet hours, caps, time zone, region, keywords, storefront) and the plan with
 * its usage; the staff test numbers and the pickup point, saved on their own (src/settings/).
 */
import { Box, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";
import { Controller, FormProvider, useForm } from "react-hook-form";
import { useAdminQuery } from "../api/useAdmin";
import { ComboboxField } from "../components/ComboboxField";
import { FormCheckField, useOnEdit } from "../components/formFields";
import { AdminErrors, ErrorState, Loading, QuotaBar, Section, TextAreaField, TextField } from "../components/ui";
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

/** The IANA zones the browser knows, the store's own first when the browser lacks it. */
function timeZones(current: string): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const zones = intl.supportedValuesOf?.("timeZone") ?? ["Europe/Istanbul", "UTC", "Europe/London", "Europe/Berlin"];
  return !current || zones.includes(current) ? zones : [current, ...zones];
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

/** The form's state is react-hook-form's (the storefront section reads it from the form's context). */
function SettingsForm({ settings }: { settings: StoreSettings }) {
  const t = useT();
  const methods = useForm<Form>({ defaultValues: toForm(settings) });
  const { control, register, handleSubmit, watch, reset } = methods;
  // macaw-ui floats its label only over a field that has a value, so the fields stay controlled.
  const form = watch();
  const { save, errors, saved, changed, state } = useSaveSettings();
  useOnEdit(watch, changed); // a change after a save takes its "Saved." away
  const submit = handleSubmit(async (values) => {
    const kept = await save({
      timezone: values.timezone,
      defaultRegion: values.defaultRegion.trim().toUpperCase(),
      quietHoursStart: values.quietHoursStart,
      quietHoursEnd: values.quietHoursEnd,
      quietHoursTransactional: values.quietHoursTransactional,
      marketingCap24h: Number(values.marketingCap24h),
      marketingCap7d: Number(values.marketingCap7d),
      tierReservePercent: Number(values.tierReservePercent),
      optoutKeywords: keywords(values.optoutKeywords),
      ...storefrontInput(values),
    });
    if (kept) reset(toForm(kept));
  });
  const invalid = (field: string) => errors.some((er) => er.field === field);
  const storefront = (er: { field: string | null }) => STOREFRONT_FIELDS.includes(er.field ?? "");
  return (
    <FormProvider {...methods}>
      <Box as="form" onSubmit={submit} display="flex" flexDirection="column" gap={4} aria-label={t("settings.form")}>
        <Section title={t("settings.quietHours")}>
          <Text as="p" size={3} color="default2">
            {t("settings.quietHoursHelp")}
          </Text>
          <div className="ulak-grid">
            <TextField label={t("settings.quietStart")} id="qh-start" type="time" value={form.quietHoursStart} aria-invalid={invalid("quietHoursStart")} {...register("quietHoursStart")} />
            <TextField label={t("settings.quietEnd")} id="qh-end" type="time" value={form.quietHoursEnd} aria-invalid={invalid("quietHoursEnd")} {...register("quietHoursEnd")} />
          </div>
          <FormCheckField control={control} name="quietHoursTransactional">
            {t("settings.quietTransactional")}
          </FormCheckField>
        </Section>
        <Section title={t("settings.caps")}>
          <div className="ulak-grid">
            <TextField label={t("settings.cap24h")} id="cap-24h" type="number" min={0} value={form.marketingCap24h} aria-invalid={invalid("marketingCap24h")} {...register("marketingCap24h")} />
            <TextField label={t("settings.cap7d")} id="cap-7d" type="number" min={0} value={form.marketingCap7d} aria-invalid={invalid("marketingCap7d")} {...register("marketingCap7d")} />
            <TextField label={t("settings.tierReserve")} hint={t("settings.tierReserveHint")} id="tier-reserve" type="number" min={0} max={50} value={form.tierReservePercent} aria-invalid={invalid("tierReservePercent")} aria-describedby="tier-reserve-hint" {...register("tierReservePercent")} />
          </div>
        </Section>
        <Section title={t("settings.region")}>
          <div className="ulak-grid">
            <Controller
              control={control}
              name="timezone"
              rules={{ required: true }}
              render={({ field, fieldState }) => (
                <ComboboxField
                  id="tz"
                  label={t("settings.timezone")}
                  testId="tz"
                  options={timeZones(field.value).map((z) => ({ value: z, label: z }))}
                  value={field.value}
                  invalid={invalid("timezone") || Boolean(fieldState.error)}
                  hint={fieldState.error ? t("settings.timezoneRequired") : t("settings.timezoneHint")}
                  onChange={field.onChange}
                />
              )}
            />
            <TextField label={t("settings.defaultRegion")} hint={t("settings.defaultRegionHint")} id="region" value={form.defaultRegion} maxLength={2} aria-invalid={invalid("defaultRegion")} aria-describedby="region-hint" {...register("defaultRegion")} />
          </div>
        </Section>
        <Section title={t("settings.keywords")}>
          <TextAreaField label={t("settings.optoutKeywords")} hint={t("rule.listHint")} id="optout" value={form.optoutKeywords} aria-invalid={invalid("optoutKeywords")} aria-describedby="optout-hint" {...register("optoutKeywords")} />
        </Section>
        <StorefrontSection errors={errors.filter(storefront)} />
        <AdminErrors errors={errors.filter((er) => !storefront(er))} />
        <SaveRow label={t("common.save")} state={state} saved={saved} />
      </Box>
    </FormProvider>
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
