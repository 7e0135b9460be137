/**
 * The wizard's first step: the campaign's name and its audience (a saved segment or a built-in
 * one), counted live. Its fields are the wizard form's (react-hook-form, read from its context).
 */
import { Box, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";
import { Controller, useFormContext } from "react-hook-form";
import { errorMessage } from "../api/useAdmin";
import { FormSelectField, useProblem } from "../components/formFields";
import { RadioField, TextField } from "../components/ui";
import { formatCount, useLocale, useT } from "../i18n";
import { useSegmentPreview, type AudienceChoice } from "../pages/SegmentsPage";
import { PlanLock } from "../plans/PlanLock";
import type { CampaignOptions } from "./types";
import type { WizardValues } from "./wizardForm";

/** The audience the values choose, if one is chosen. */
export function audienceOf(v: Pick<WizardValues, "audienceKind" | "segmentId" | "builtin">): AudienceChoice | null {
  return v.audienceKind === "segment" ? (v.segmentId ? { segmentId: v.segmentId } : null) : v.builtin ? { builtin: v.builtin } : null;
}

function AudienceCount({ audience }: { audience: AudienceChoice | null }) {
  const t = useT();
  const locale = useLocale();
  const preview = useSegmentPreview();
  const [text, setText] = useState<string>("");
  const key = JSON.stringify(audience);
  useEffect(() => {
    if (!audience) {
      setText("");
      return;
    }
    let live = true;
    setText(t("rule.preview.loading"));
    preview(audience).then(
      ({ count }) => live && setText(t(count === 1 ? "campaigns.audienceOne" : "campaigns.audienceCount", { count: formatCount(locale, count) })),
      (err: unknown) => live && setText(t("rule.preview.error", { message: errorMessage(err) })),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, preview, t, locale]);
  return (
    <Text as="p" size={3} aria-live="polite" data-testid="campaign-audience-count">
      {text}
    </Text>
  );
}

export function AudienceStep({ options }: { options: Pick<CampaignOptions, "segments" | "builtinSegments"> }) {
  const t = useT();
  const locale = useLocale();
  const { control, register, watch } = useFormContext<WizardValues>();
  const problem = useProblem<WizardValues>();
  const [name, audienceKind, segmentId, builtin] = watch(["name", "audienceKind", "segmentId", "builtin"]);
  const nameProblem = problem("name");
  return (
    <Box display="flex" flexDirection="column" gap={3}>
      <TextField label={t("campaigns.name")} id="campaign-name" value={name} maxLength={200} aria-invalid={Boolean(nameProblem) || undefined} hint={nameProblem} {...register("name")} />
      <Controller
        control={control}
        name="audienceKind"
        render={({ field }) => (
          <RadioField
            name="campaign-audience"
            label={t("campaigns.audience")}
            options={[
              { value: "segment" as const, label: t("campaigns.savedSegment") },
              { value: "builtin" as const, label: t("campaigns.builtinSegment") },
            ]}
            value={field.value}
            onChange={field.onChange}
          />
        )}
      />
      {audienceKind === "segment" && <PlanLock feature="own_segments" />}
      {audienceKind === "segment" ? (
        options.segments.length === 0 ? (
          <Text size={3} role={problem("segmentId") ? "alert" : undefined}>
            {t("campaigns.noSegments")} <a href="#/segments">{t("campaigns.buildSegment")}</a>
          </Text>
        ) : (
          <FormSelectField
            control={control}
            name="segmentId"
            label={t("campaigns.segment")}
            options={options.segments.map((sg) => ({ value: sg.id, label: sg.name }))}
            invalid={Boolean(problem("segmentId"))}
            hint={problem("segmentId")}
            testId="campaign-segment"
          />
        )
      ) : (
        <FormSelectField
          control={control}
          name="builtin"
          label={t("campaigns.builtin")}
          options={options.builtinSegments.map((b) => ({ value: b.key, label: locale === "tr" ? b.labelTr : b.label }))}
          invalid={Boolean(problem("builtin"))}
          hint={problem("builtin")}
          testId="campaign-builtin"
        />
      )}
      <AudienceCount audience={audienceOf({ audienceKind, segmentId, builtin })} />
    </Box>
  );
}
