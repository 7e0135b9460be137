/**
 * The wizard's third step: when to send (now, at a time on the store's clock, or at a time in
 * each contact's own zone), the holdout group, and the store's caps and quiet hours that will
 * apply. Its fields are the wizard form's.
 */
import { Box, Text } from "@saleor/macaw-ui";
import { Controller, useFormContext } from "react-hook-form";
import { useProblem } from "../components/formFields";
import { RadioField, TextField } from "../components/ui";
import { useT, type MessageKey } from "../i18n";
import { PlanLock } from "../plans/PlanLock";
import type { CampaignOptions, SendMode } from "./types";
import { MAX_HOLDOUT, type WizardValues } from "./wizardForm";

const MODES: { mode: SendMode; label: MessageKey }[] = [
  { mode: "NOW", label: "campaigns.modeNow" },
  { mode: "AT", label: "campaigns.modeAt" },
  { mode: "LOCAL_TIME", label: "campaigns.modeLocal" },
];

export function ScheduleStep({ rules: s }: { rules: CampaignOptions["storeSettings"] }) {
  const t = useT();
  const { control, register, watch } = useFormContext<WizardValues>();
  const problem = useProblem<WizardValues>();
  const [sendMode, sendAt, localDate, localTime, holdout] = watch(["sendMode", "sendAt", "localDate", "localTime", "holdout"]);
  const invalid = (p: string | undefined) => Boolean(p) || undefined;
  const sendAtProblem = problem("sendAt");
  const dateProblem = problem("localDate");
  const timeProblem = problem("localTime");
  const holdoutProblem = problem("holdout", { max: MAX_HOLDOUT });
  return (
    <Box display="flex" flexDirection="column" gap={3}>
      <Controller
        control={control}
        name="sendMode"
        render={({ field }) => (
          <RadioField name="campaign-send-mode" label={t("campaigns.when")} options={MODES.map(({ mode, label }) => ({ value: mode, label: t(label) }))} value={field.value} onChange={field.onChange} />
        )}
      />
      {sendMode === "AT" && <PlanLock feature="scheduling" />}
      {sendMode === "LOCAL_TIME" && <PlanLock feature="local_time" />}
      {sendMode === "AT" && (
        <TextField
          label={t("campaigns.sendAt")}
          hint={sendAtProblem ?? t("campaigns.sendAtZone", { timezone: s.timezone })}
          id="campaign-send-at"
          type="datetime-local"
          value={sendAt}
          aria-invalid={invalid(sendAtProblem)}
          {...register("sendAt")}
        />
      )}
      {sendMode === "LOCAL_TIME" && (
        <div className="ulak-grid">
          <TextField label={t("campaigns.localDate")} id="campaign-local-date" type="date" value={localDate} aria-invalid={invalid(dateProblem)} hint={dateProblem} {...register("localDate")} />
          <TextField label={t("campaigns.localTime")} id="campaign-local-time" type="time" value={localTime} aria-invalid={invalid(timeProblem)} hint={timeProblem} {...register("localTime")} />
        </div>
      )}
      <TextField
        label={t("campaigns.holdout")}
        hint={holdoutProblem ?? t("campaigns.holdoutHint", { max: MAX_HOLDOUT })}
        id="campaign-holdout"
        type="number"
        min={0}
        max={MAX_HOLDOUT}
        value={holdout}
        aria-invalid={invalid(holdoutProblem)}
        {...register("holdout")}
      />
      <Box className="ulak-fieldset" as="section" aria-label={t("campaigns.rules")}>
        <Text as="p" size={3} fontWeight="bold">
          {t("campaigns.rules")}
        </Text>
        <Text as="p" size={3}>
          {t("campaigns.quietLine", { start: s.quietHoursStart, end: s.quietHoursEnd, timezone: s.timezone })}
        </Text>
        <Text as="p" size={3}>
          {t("campaigns.capsLine", { day: s.marketingCap24h, week: s.marketingCap7d })}
        </Text>
        <Text as="p" size={3}>
          <a href="#/settings">{t("campaigns.changeRules")}</a>
        </Text>
      </Box>
    </Box>
  );
}
