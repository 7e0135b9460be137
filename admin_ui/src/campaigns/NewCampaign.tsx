/**
 * The new-campaign wizard wired to the admin API: an audience (a saved or built-in segment,
 * counted live), one approved template or up to four variants with their personal fields,
 * when to send (now, at a time, or at each contact's local time) with the store's caps and
 * quiet hours shown, then the review: the draft is saved (saveCampaign), estimated
 * (estimateCampaign) and rendered by the backend (campaign.messagePreviews) on the way in, a
 * test goes to a staff phone (sendCampaignTest), and launchCampaign starts it. The steps'
 * fields are one react-hook-form form (wizardForm.ts); a saved draft fills it again and opens
 * at its review when every step still holds.
 */
import { Box } from "@saleor/macaw-ui";
import { useEffect, useMemo, useRef, useState } from "react";
import { FormProvider, useForm } from "react-hook-form";
import { CAMPAIGN_MESSAGE, CAMPAIGN_OPTIONS, ESTIMATE_CAMPAIGN, LAUNCH_CAMPAIGN, SAVE_CAMPAIGN, SEND_CAMPAIGN_TEST } from "../api/queries";
import { useAdminMutation, useAdminQuery } from "../api/useAdmin";
import { type AdminError, AdminErrors, ErrorState, Loading } from "../components/ui";
import { formatDateTime, useLocale, useT, zonedToIso } from "../i18n";
import type { Payload } from "../pages/types";
import type { TemplateComponent, WhatsAppTemplate } from "../templates/types";
import { AudienceStep } from "./AudienceStep";
import { CampaignReview, reviewComplete } from "./CampaignReview";
import { CampaignWizard, type WizardStep } from "./CampaignWizard";
import { ScheduleStep } from "./ScheduleStep";
import { TemplateStep } from "./TemplateStep";
import type { Campaign, CampaignEstimate, CampaignMessagePreview, CampaignOptions, TemplateOption } from "./types";
import { fromDraft, newValues, STEP_FIELDS, toCampaignInput, wizardResolver, type WizardChoices, type WizardValues } from "./wizardForm";

/** Meta's components as stored (any casing) → the structure the preview reads. */
export function toTemplate(row: { name: string; language: string; category: string; components: unknown }): WhatsAppTemplate {
  const list = Array.isArray(row.components) ? (row.components as Record<string, unknown>[]) : [];
  const components = list.map((c) => {
    const out: Record<string, unknown> = { ...c, type: String(c.type ?? "").toUpperCase() };
    if (typeof c.format === "string") out.format = c.format.toUpperCase();
    return out as unknown as TemplateComponent;
  });
  const category = ["MARKETING", "UTILITY", "AUTHENTICATION"].includes(row.category) ? (row.category as WhatsAppTemplate["category"]) : "MARKETING";
  return { name: row.name, language: row.language, category, components };
}

function Wizard({ options, draft, onLaunched }: { options: CampaignOptions; draft: Campaign | null; onLaunched: (campaign: Campaign) => void }) {
  const t = useT();
  const locale = useLocale();
  const templates: TemplateOption[] = useMemo(
    () => options.templates.edges.map(({ node }) => ({ id: node.id, name: node.name, language: node.language, category: node.category, template: toTemplate(node) })),
    [options.templates],
  );
  const s = options.storeSettings;
  // A resumed draft fills every step once, when the wizard opens.
  const [initial] = useState(() => {
    const choices: WizardChoices = { segmentIds: options.segments.map((sg) => sg.id), builtins: options.builtinSegments.map((b) => b.key), templates, timezone: s.timezone };
    return draft ? fromDraft(draft, choices) : { values: newValues(choices), complete: false };
  });
  // Checked as the merchant edits a field, and a whole step when Next is pressed.
  const form = useForm<WizardValues>({ defaultValues: initial.values, resolver: wizardResolver, mode: "onChange" });
  const values = form.watch();
  const [campaignId, setCampaignId] = useState<string | null>(draft?.id ?? null);
  const [estimate, setEstimate] = useState<CampaignEstimate | null>(null);
  const [previews, setPreviews] = useState<CampaignMessagePreview[] | null>(null);
  const [testPhone, setTestPhone] = useState("");
  const [testSent, setTestSent] = useState(Boolean(draft?.testSentAt));
  const [acceptTier, setAcceptTier] = useState(false);
  const [errors, setErrors] = useState<AdminError[]>([]);
  const save = useAdminMutation<{ saveCampaign: Payload & { campaign: Campaign | null } }>(SAVE_CAMPAIGN);
  const estimator = useAdminMutation<{ estimateCampaign: Payload & { estimate: CampaignEstimate | null } }>(ESTIMATE_CAMPAIGN);
  const tester = useAdminMutation<{ sendCampaignTest: Payload }>(SEND_CAMPAIGN_TEST);
  const launcher = useAdminMutation<{ launchCampaign: Payload & { campaign: Campaign | null } }>(LAUNCH_CAMPAIGN);
  const renderer = useAdminMutation<{ campaign: { messagePreviews: CampaignMessagePreview[] } | null }>(CAMPAIGN_MESSAGE);

  const builtin = options.builtinSegments.find((b) => b.key === values.builtin);
  const audienceLabel =
    values.audienceKind === "segment" ? (options.segments.find((sg) => sg.id === values.segmentId)?.name ?? "") : builtin ? (locale === "tr" ? builtin.labelTr : builtin.label) : "";

  /** The review's figures and message for a saved draft (the message as the backend renders it). */
  const review = async (id: string): Promise<boolean> => {
    setPreviews(null);
    void renderer.run({ id }).then((data) => setPreviews(data?.campaign?.messagePreviews ?? []));
    const estimated = (await estimator.run({ id }))?.estimateCampaign;
    if (!estimated?.estimate) {
      setErrors(estimated?.errors ?? []);
      return false;
    }
    setEstimate(estimated.estimate);
    return true;
  };

  /** Saving the draft resets the test send (the backend asks for a new one after a change). */
  const saveAndEstimate = async (): Promise<boolean> => {
    setErrors([]);
    setEstimate(null);
    setTestSent(false);
    setAcceptTier(false);
    const input = toCampaignInput(form.getValues(), { templates, timezone: s.timezone });
    const saved = (await save.run({ input, id: campaignId }))?.saveCampaign;
    if (!saved?.campaign) {
      setErrors(saved?.errors ?? []);
      return false;
    }
    setCampaignId(saved.campaign.id);
    return review(saved.campaign.id);
  };

  /** Next checks the step's fields (their problems appear beside them); the schedule's saves the draft. */
  const advance = async (step: WizardStep): Promise<boolean> => {
    if (!(await form.trigger(STEP_FIELDS[step], { shouldFocus: true }))) return false;
    return step === "schedule" ? saveAndEstimate() : true;
  };

  // A complete draft reopens at its review, figures and message loaded as on the way in.
  const resumed = useRef(false);
  useEffect(() => {
    if (resumed.current || !initial.complete || !draft) return;
    resumed.current = true;
    void review(draft.id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const sendTest = async () => {
    if (!campaignId) return;
    setTestSent(false);
    const data = (await tester.run({ id: campaignId, phone: testPhone.replace(/[\s()-]/g, "") }))?.sendCampaignTest;
    setErrors(data?.errors ?? []);
    setTestSent(Boolean(data && data.errors.length === 0));
  };

  const launch = async () => {
    if (!campaignId) return;
    const data = (await launcher.run({ id: campaignId, acceptDailyTier: acceptTier }))?.launchCampaign;
    setErrors(data?.errors ?? []);
    if (data?.campaign && data.errors.length === 0) onLaunched(data.campaign);
  };

  const when =
    values.sendMode === "NOW"
      ? t("campaigns.sendNow")
      : values.sendMode === "AT"
        ? values.sendAt
          ? `${formatDateTime(locale, zonedToIso(values.sendAt, s.timezone) ?? values.sendAt, s.timezone)} (${s.timezone})`
          : "—"
        : t("campaigns.localLine", { date: values.localDate, time: values.localTime });
  const failure = [save.state, estimator.state, tester.state, launcher.state, renderer.state].find((st) => st.kind === "error");

  const reviewStep = (
    <CampaignReview
      summary={{ name: values.name.trim(), audience: audienceLabel, when }}
      previews={previews}
      estimate={estimate}
      testPhone={testPhone}
      onTestPhoneChange={(p) => {
        setTestPhone(p);
        setTestSent(false);
      }}
      onSendTest={sendTest}
      sendingTest={tester.state.kind === "running"}
      testSent={testSent}
      acceptTier={acceptTier}
      onAcceptTierChange={setAcceptTier}
    />
  );

  return (
    <FormProvider {...form}>
      <Box display="flex" flexDirection="column" gap={3}>
        <CampaignWizard
          steps={{ segment: <AudienceStep options={options} />, template: <TemplateStep templates={templates} />, schedule: <ScheduleStep rules={s} />, review: reviewStep }}
          initialStep={initial.complete ? "review" : "segment"}
          onAdvance={advance}
          onLaunch={launch}
          launchDisabled={!reviewComplete(estimate, testSent, acceptTier)}
          launching={launcher.state.kind === "running"}
        />
        <AdminErrors errors={errors} />
        {failure && failure.kind === "error" && <ErrorState message={failure.message} />}
      </Box>
    </FormProvider>
  );
}

/** A new campaign, or `draft` resumed (at its review when every step is still complete). */
export function NewCampaign({ draft = null, onLaunched }: { draft?: Campaign | null; onLaunched: (campaign: Campaign) => void }) {
  const { state, reload } = useAdminQuery<CampaignOptions>(CAMPAIGN_OPTIONS);
  if (state.kind === "loading") return <Loading />;
  if (state.kind === "error") return <ErrorState message={state.message} onRetry={reload} />;
  return <Wizard options={state.data} draft={draft} onLaunched={onLaunched} />;
}
