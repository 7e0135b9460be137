/**
 * The settings page's "Costs in your store's currency": the merchant's own dated exchange rate
 * from Meta's billing currency to the store's (plugin/pricing/exchange.py). The API checks the
 * rate (a positive decimal) and the date (not in the future) and says why in TR and EN; a
 * Turkish decimal comma is read here as a point. The rate and date are kept by react-hook-form.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { useAdminMutation } from "../api/useAdmin";
import { useOnEdit } from "../components/formFields";
import { AdminErrors, TextField, type AdminError } from "../components/ui";
import { useLocale, useT } from "../i18n";
import { LoadedSection, SaveRow } from "../settings/parts";
import { formatIsoDate, formatRate } from "./CostBasisNote";
import { COST_SETTINGS, SET_EXCHANGE_RATE } from "./queries";
import type { CostSettings } from "./types";

type Payload = { setExchangeRate: { costSettings: CostSettings | null; errors: AdminError[] } };

/** "34,12" or "34.12" as the API's decimal text; "1.234,5" (Turkish grouping) too. */
export function decimalText(text: string): string {
  const trimmed = text.trim().replace(/\s/g, "");
  if (trimmed.includes(",")) return trimmed.replace(/\./g, "").replace(",", ".");
  return trimmed;
}

function RateForm({ settings }: { settings: CostSettings }) {
  const t = useT();
  const locale = useLocale();
  const [kept, setKept] = useState(settings);
  const { register, handleSubmit, watch, reset } = useForm<{ rate: string; date: string }>({ defaultValues: { rate: settings.exchangeRate?.rate ?? "", date: settings.exchangeRate?.rateDate ?? "" } });
  // macaw-ui floats its label only over a field that has a value, so the fields stay controlled.
  const { rate, date } = watch();
  const [errors, setErrors] = useState<AdminError[]>([]);
  const [saved, setSaved] = useState(false);
  const [cleared, setCleared] = useState(false);
  const { run, state } = useAdminMutation<Payload>(SET_EXCHANGE_RATE);
  useOnEdit(watch, () => setSaved(false)); // an edit takes "Saved." away
  const names = { billing: kept.rateCardCurrency ?? kept.billingCurrency, store: kept.storeCurrency }; // the rate's base: the card's
  if (names.billing === kept.storeCurrency) {
    return (
      <Text as="p" size={3}>
        {t("rate.same", names)}
      </Text>
    );
  }
  const send = async (value: string | null, on: string | null) => {
    const payload = (await run({ rate: value, rateDate: on }))?.setExchangeRate;
    setErrors(payload?.errors ?? []);
    if (payload?.costSettings) setKept(payload.costSettings);
    return payload;
  };
  const submit = handleSubmit(async (values) => {
    setCleared(false);
    const payload = await send(decimalText(values.rate), values.date || null);
    setSaved(Boolean(payload?.costSettings));
  });
  const remove = async () => {
    const payload = await send(null, null);
    if (payload?.costSettings) {
      reset({ rate: "", date: "" });
      setSaved(false);
      setCleared(true);
    }
  };
  const invalid = (field: string) => errors.some((er) => er.field === field);
  const current = kept.exchangeRate;
  return (
    <Box as="form" onSubmit={submit} display="flex" flexDirection="column" gap={3} aria-label={t("rate.form")}>
      <Text as="p" size={3} data-testid="exchange-rate-current">
        {current ? t("rate.current", { ...names, rate: `${formatRate(locale, current.rate)} ${current.quote}`, date: formatIsoDate(locale, current.rateDate) }) : t("rate.none", names)}
      </Text>
      <div className="ulak-grid">
        <TextField label={t("rate.rate", names)} id="exchange-rate" inputMode="decimal" placeholder="34.12" value={rate} aria-invalid={invalid("rate")} {...register("rate")} />
        <TextField label={t("rate.date")} id="exchange-rate-date" type="date" value={date} aria-invalid={invalid("rateDate")} {...register("date")} />
      </div>
      <AdminErrors errors={errors} />
      <SaveRow label={t("rate.save")} state={state} saved={saved} />
      {current && (
        <Box>
          <Button type="button" variant="secondary" disabled={state.kind === "running"} onClick={remove}>
            {t("rate.clear")}
          </Button>
        </Box>
      )}
      <span role="status" aria-live="polite">
        {cleared && (
          <Text size={3} color="success1">
            {t("rate.cleared", names)}
          </Text>
        )}
      </span>
    </Box>
  );
}

export function ExchangeRateSection() {
  const t = useT();
  return (
    <LoadedSection<{ costSettings?: CostSettings }> title={t("rate.title")} about={t("rate.about")} document={COST_SETTINGS}>
      {(data) => (data.costSettings ? <RateForm settings={data.costSettings} /> : null)}
    </LoadedSection>
  );
}
