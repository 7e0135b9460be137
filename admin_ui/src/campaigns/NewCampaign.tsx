/**
 * The new-campaign wizard wired to the admin API: an audience (a saved or built-in segment,
 * counted live), one approved template or up to four variants with their personal fields,
 * when to send (now, at a time, or at each contact's local time) with the store's caps and
 * quiet hours shown, then the review: the draft is saved (saveCampaign), estimated
 * (estimateCampaign) and rendered by the backend (campaign.messagePreviews) on the way in, a
 * test goes to a staff phone (sendCampaignTest), and launchCampaign starts it. A saved draft
 * opens again at its review (draftState.ts).
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useEffect, useMemo, useRef, useState } from "react";
import { CAMPAIGN_MESSAGE, CAMPAIGN_OPTIONS, ESTIMATE_CAMPAIGN, LAUNCH_CAMPAIGN, SAVE_CAMPAIGN, SEND_CAMPAIGN_TEST } from "../api/queries";
import { errorMessage, useAdminMutation, useAdminQuery } from "../api/useAdmin";
import { type AdminError, AdminErrors, ErrorState, Loading, RadioField, SelectField, TextField } from "../components/ui";
import { formatCount, formatDateTime, useLocale, useT, zonedToIso, type MessageKey } from "../i18n";
import { useSegmentPreview, type AudienceChoice } from "../pages/SegmentsPage";
import type { Connection, Payload, Plan } from "../pages/types";
import { PlanLock } from "../plans/PlanLock";
import { TemplatePreview } from "../templates/TemplatePreview";
import { examplesAsValues, findComponent, type TemplateComponent, type WhatsAppTemplate } from "../templates/types";
import { variableNumbers } from "../templates/variables";
import { CampaignReview, reviewComplete } from "./CampaignReview";
import { CampaignWizard, type WizardStep } from "./CampaignWizard";
import { fromDraft, type VariantDraft } from "./draftState";
import { PERSONAL_FIELDS, type Campaign, type CampaignEstimate, type CampaignMessagePreview, type PersonalField, type SendMode, type TemplateOption } from "./types";

const VARIANT_KEYS = ["A", "B", "C", "D"] as const;
const MAX_HOLDOUT = 50;

interface Options {
  segments: { id: string; name: string; contactCount: number | null }[];
  builtinSegments: { key: string; label: string; labelTr: string }[];
  templates: Connection<{ id: string; name: string; language: string; category: string; components: unknown }>;
  storeSettings: { timezone: string; quietHoursStart: string; quietHoursEnd: string; marketingCap24h: number; marketingCap7d: number };
  planUsage: { plan: Plan };
}

const FIELD_LABELS: Record<PersonalField, MessageKey> = { first_name: "field.first_name", last_name: "field.last_name" };

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

function bodyVariables(template: WhatsAppTemplate): number[] {
  return variableNumbers(findComponent(template, "BODY")?.component.text ?? "").sort((a, b) => a - b);
}

function emptyVariant(template?: TemplateOption): VariantDraft {
  const count = template ? bodyVariables(template.template).length : 0;
  return { templateId: template?.id ?? "", share: "", bodyFields: Array.from({ length: count }, () => "first_name"), fallbacks: {} };
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

function Wizard({ options, draft, onLaunched }: { options: Options; draft: Campaign | null; onLaunched: (campaign: Campaign) => void }) {
  const t = useT();
  const locale = useLocale();
  const templates: TemplateOption[] = useMemo(
    () => options.templates.edges.map(({ node }) => ({ id: node.id, name: node.name, language: node.language, category: node.category, template: toTemplate(node) })),
    [options.templates],
  );
  const defaults = {
    audienceKind: options.segments.length > 0 ? ("segment" as const) : ("builtin" as const),
    segmentId: options.segments[0]?.id ?? "",
    builtin: options.builtinSegments[0]?.key ?? "",
  };
  // A resumed draft fills every step once, when the wizard opens.
  const [initial] = useState(() =>
    draft ? fromDraft(draft, templates, { segmentIds: options.segments.map((s) => s.id), builtins: options.builtinSegments.map((b) => b.key), defaults, timezone: options.storeSettings.timezone }) : null,
  );
  const [name, setName] = useState(initial?.name ?? "");
  const [audienceKind, setAudienceKind] = useState<"segment" | "builtin">(initial?.audienceKind ?? defaults.audienceKind);
  const [segmentId, setSegmentId] = useState(initial?.segmentId ?? defaults.segmentId);
  const [builtin, setBuiltin] = useState(initial?.builtin ?? defaults.builtin);
  const [variants, setVariants] = useState<VariantDraft[]>(initial?.variants ?? [emptyVariant()]);
  const [sendMode, setSendMode] = useState<SendMode>(initial?.sendMode ?? "NOW");
  const [sendAt, setSendAt] = useState(initial?.sendAt ?? "");
  const [localDate, setLocalDate] = useState(initial?.localDate ?? "");
  const [localTime, setLocalTime] = useState(initial?.localTime ?? "10:00");
  const [holdout, setHoldout] = useState(initial?.holdout ?? "0");
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

  const audience: AudienceChoice | null =
    audienceKind === "segment" ? (segmentId ? { segmentId } : null) : builtin ? { builtin } : null;
  const audienceLabel =
    audienceKind === "segment"
      ? (options.segments.find((s) => s.id === segmentId)?.name ?? "")
      : (() => {
          const b = options.builtinSegments.find((s) => s.key === builtin);
          return b ? (locale === "tr" ? b.labelTr : b.label) : "";
        })();
  const templateOf = (v: VariantDraft) => templates.find((o) => o.id === v.templateId);
  const setVariant = (i: number, patch: Partial<VariantDraft>) => setVariants((vs) => vs.map((v, j) => (j === i ? { ...v, ...patch } : v)));
  const scheduleComplete = sendMode === "NOW" || (sendMode === "AT" ? Boolean(sendAt) : Boolean(localDate && localTime));
  const holdoutNumber = Number(holdout);
  const holdoutValid = Number.isInteger(holdoutNumber) && holdoutNumber >= 0 && holdoutNumber <= MAX_HOLDOUT;

  const canAdvance = (step: WizardStep) => {
    if (step === "segment") return name.trim().length > 0 && audience !== null;
    if (step === "template") return variants.every((v) => templateOf(v) && (variants.length === 1 || Number(v.share) > 0));
    if (step === "schedule") return scheduleComplete && holdoutValid;
    return true;
  };

  const input = () => ({
    name: name.trim(),
    variants: variants.map((v, i) => {
      const option = templateOf(v)!;
      const used = new Set(v.bodyFields);
      const fallbacks = Object.fromEntries(Object.entries(v.fallbacks).filter(([f, text]) => used.has(f as PersonalField) && text?.trim()));
      return {
        key: VARIANT_KEYS[i],
        templateName: option.name,
        templateLanguage: option.language,
        share: variants.length > 1 ? Number(v.share) : null,
        bodyFields: v.bodyFields,
        fallbacks,
      };
    }),
    builtinSegment: audienceKind === "builtin" ? builtin : null,
    segmentId: audienceKind === "segment" ? segmentId : null,
    holdoutPercent: holdoutNumber,
    sendMode,
    // the field is read on the store's clock, as its hint says
    sendAt: sendMode === "AT" ? zonedToIso(sendAt, options.storeSettings.timezone) : null,
    localDate: sendMode === "LOCAL_TIME" ? localDate : null,
    localTime: sendMode === "LOCAL_TIME" ? localTime : null,
  });

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
    const saved = (await save.run({ input: input(), id: campaignId }))?.saveCampaign;
    if (!saved?.campaign) {
      setErrors(saved?.errors ?? []);
      return false;
    }
    setCampaignId(saved.campaign.id);
    return review(saved.campaign.id);
  };

  // A complete draft reopens at its review, figures and message loaded as on the way in.
  const resumed = useRef(false);
  useEffect(() => {
    if (resumed.current || !initial?.complete || !draft) return;
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
    sendMode === "NOW"
      ? t("campaigns.sendNow")
      : sendMode === "AT"
        ? sendAt
          ? `${formatDateTime(locale, zonedToIso(sendAt, options.storeSettings.timezone) ?? sendAt, options.storeSettings.timezone)} (${options.storeSettings.timezone})`
          : "—"
        : t("campaigns.localLine", { date: localDate, time: localTime });
  const failure = [save.state, estimator.state, tester.state, launcher.state, renderer.state].find((s) => s.kind === "error");
  const s = options.storeSettings;

  const templateLabel = (o: TemplateOption) =>
    `${o.name} · ${o.language} · ${["MARKETING", "UTILITY", "AUTHENTICATION"].includes(o.category) ? t(`category.${o.category}` as MessageKey) : o.category}`;
  const segmentStep = (
    <Box display="flex" flexDirection="column" gap={3}>
      <TextField label={t("campaigns.name")} id="campaign-name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
      <RadioField
        name="campaign-audience"
        label={t("campaigns.audience")}
        options={[
          { value: "segment" as const, label: t("campaigns.savedSegment") },
          { value: "builtin" as const, label: t("campaigns.builtinSegment") },
        ]}
        value={audienceKind}
        onChange={setAudienceKind}
      />
      {audienceKind === "segment" && <PlanLock feature="own_segments" />}
      {audienceKind === "segment" ? (
        options.segments.length === 0 ? (
          <Text size={3}>
            {t("campaigns.noSegments")} <a href="#/segments">{t("campaigns.buildSegment")}</a>
          </Text>
        ) : (
          <SelectField label={t("campaigns.segment")} options={options.segments.map((sg) => ({ value: sg.id, label: sg.name }))} value={segmentId} onChange={setSegmentId} testId="campaign-segment" />
        )
      ) : (
        <SelectField
          label={t("campaigns.builtin")}
          options={options.builtinSegments.map((b) => ({ value: b.key, label: locale === "tr" ? b.labelTr : b.label }))}
          value={builtin}
          onChange={setBuiltin}
          testId="campaign-builtin"
        />
      )}
      <AudienceCount audience={audience} />
    </Box>
  );

  const templateStep = (
    <Box display="flex" flexDirection="column" gap={3}>
      <Text as="p" size={3} color="default2">
        {t("campaigns.templateStep")}
      </Text>
      {templates.length === 0 && (
        <Text size={3}>
          {t("campaigns.noTemplates")} <a href="#/templates">{t("page.templates")}</a>
        </Text>
      )}
      {variants.map((v, i) => {
        const key = VARIANT_KEYS[i]!;
        const option = templateOf(v);
        const numbers = option ? bodyVariables(option.template) : [];
        const usedFields = [...new Set(v.bodyFields)];
        return (
          <fieldset key={key} className="ulak-fieldset">
            <legend>{t("campaigns.variant", { variant: key })}</legend>
            <div className="ulak-split">
              <Box display="flex" flexDirection="column" gap={3}>
                <SelectField
                  label={t("campaigns.templateFor", { variant: key })}
                  options={[{ value: "", label: t("campaigns.chooseTemplate") }, ...templates.map((o) => ({ value: o.id, label: templateLabel(o) }))]}
                  value={v.templateId}
                  onChange={(id) => {
                    const chosen = templates.find((o) => o.id === id);
                    setVariant(i, { ...emptyVariant(chosen), share: v.share });
                  }}
                  testId={`variant-${key}-template`}
                />
                {numbers.map((n, j) => (
                  <SelectField
                    key={n}
                    label={t("campaigns.fillVariable", { n, variant: key })}
                    options={PERSONAL_FIELDS.map((f) => ({ value: f, label: t(FIELD_LABELS[f]) }))}
                    value={v.bodyFields[j] ?? "first_name"}
                    onChange={(field) => setVariant(i, { bodyFields: v.bodyFields.map((f, k) => (k === j ? field : f)) })}
                    testId={`variant-${key}-var-${n}`}
                  />
                ))}
                {usedFields.map((f) => (
                  <TextField
                    key={f}
                    label={t("campaigns.fallback", { field: t(FIELD_LABELS[f]), variant: key })}
                    hint={t("campaigns.fallbackHint")}
                    id={`variant-${key}-fallback-${f}`}
                    value={v.fallbacks[f] ?? ""}
                    onChange={(e) => setVariant(i, { fallbacks: { ...v.fallbacks, [f]: e.target.value } })}
                  />
                ))}
                {variants.length > 1 && (
                  <TextField label={t("campaigns.share", { variant: key })} id={`variant-${key}-share`} type="number" min={1} max={100} value={v.share} onChange={(e) => setVariant(i, { share: e.target.value })} />
                )}
                {variants.length > 1 && (
                  <Box>
                    <Button variant="secondary" onClick={() => setVariants((vs) => vs.filter((_, j) => j !== i))}>
                      {t("campaigns.removeVariant", { variant: key })}
                    </Button>
                  </Box>
                )}
              </Box>
              {option && <TemplatePreview template={option.template} values={examplesAsValues(option.template)} />}
            </div>
          </fieldset>
        );
      })}
      <PlanLock feature="ab_testing" />
      {variants.length < VARIANT_KEYS.length && (
        <Box>
          <Button variant="secondary" onClick={() => setVariants((vs) => [...vs, emptyVariant()])}>
            {t("campaigns.addVariant")}
          </Button>
        </Box>
      )}
      {variants.length > 1 && (
        <Text size={3} color="default2">
          {t("campaigns.abHint")}
        </Text>
      )}
    </Box>
  );

  const modes: { mode: SendMode; label: MessageKey }[] = [
    { mode: "NOW", label: "campaigns.modeNow" },
    { mode: "AT", label: "campaigns.modeAt" },
    { mode: "LOCAL_TIME", label: "campaigns.modeLocal" },
  ];
  const scheduleStep = (
    <Box display="flex" flexDirection="column" gap={3}>
      <RadioField name="campaign-send-mode" label={t("campaigns.when")} options={modes.map(({ mode, label }) => ({ value: mode, label: t(label) }))} value={sendMode} onChange={setSendMode} />
      {sendMode === "AT" && <PlanLock feature="scheduling" />}
      {sendMode === "LOCAL_TIME" && <PlanLock feature="local_time" />}
      {sendMode === "AT" && (
        <TextField
          label={t("campaigns.sendAt")}
          hint={t("campaigns.sendAtZone", { timezone: s.timezone })}
          id="campaign-send-at"
          type="datetime-local"
          value={sendAt}
          onChange={(e) => setSendAt(e.target.value)}
        />
      )}
      {sendMode === "LOCAL_TIME" && (
        <div className="ulak-grid">
          <TextField label={t("campaigns.localDate")} id="campaign-local-date" type="date" value={localDate} onChange={(e) => setLocalDate(e.target.value)} />
          <TextField label={t("campaigns.localTime")} id="campaign-local-time" type="time" value={localTime} onChange={(e) => setLocalTime(e.target.value)} />
        </div>
      )}
      <TextField
        label={t("campaigns.holdout")}
        hint={t("campaigns.holdoutHint", { max: MAX_HOLDOUT })}
        id="campaign-holdout"
        type="number"
        min={0}
        max={MAX_HOLDOUT}
        value={holdout}
        aria-invalid={!holdoutValid || undefined}
        onChange={(e) => setHoldout(e.target.value)}
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

  const reviewStep = (
    <CampaignReview
      summary={{
        name: name.trim(),
        audience: audienceLabel,
        when,
      }}
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
    <Box display="flex" flexDirection="column" gap={3}>
      <CampaignWizard
        steps={{ segment: segmentStep, template: templateStep, schedule: scheduleStep, review: reviewStep }}
        initialStep={initial?.complete ? "review" : "segment"}
        canAdvance={canAdvance}
        onAdvance={(step) => (step === "schedule" ? saveAndEstimate() : true)}
        onLaunch={launch}
        launchDisabled={!reviewComplete(estimate, testSent, acceptTier)}
        launching={launcher.state.kind === "running"}
      />
      <AdminErrors errors={errors} />
      {failure && failure.kind === "error" && <ErrorState message={failure.message} />}
    </Box>
  );
}

/** A new campaign, or `draft` resumed (at its review when every step is still complete). */
export function NewCampaign({ draft = null, onLaunched }: { draft?: Campaign | null; onLaunched: (campaign: Campaign) => void }) {
  const { state, reload } = useAdminQuery<Options>(CAMPAIGN_OPTIONS);
  if (state.kind === "loading") return <Loading />;
  if (state.kind === "error") return <ErrorState message={state.message} onRetry={reload} />;
  return <Wizard options={state.data} draft={draft} onLaunched={onLaunched} />;
}
