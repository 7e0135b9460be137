/**
 * The campaign wizard's form: its values as react-hook-form keeps them, how a saved draft fills
 * them again, what each step checks before Next (the messages are message keys, shown in the
 * dashboard's language), and the saveCampaign input they become. The backend checks the same
 * campaign again (plugin/campaigns/config.py); these checks only say early what is missing.
 */
import type { FieldErrors, Resolver } from "react-hook-form";
import { isoToZoned, zonedToIso, type MessageKey } from "../i18n";
import { findComponent, type WhatsAppTemplate } from "../templates/types";
import { variableNumbers } from "../templates/variables";
import { PERSONAL_FIELDS, type Campaign, type PersonalField, type SendMode, type TemplateOption } from "./types";
import type { WizardStep } from "./CampaignWizard";

export const VARIANT_KEYS = ["A", "B", "C", "D"] as const;
export const MAX_HOLDOUT = 50;

export interface VariantValues {
  templateId: string;
  share: string;
  /** One contact field per body variable, in {{1}}, {{2}}… order. */
  bodyFields: PersonalField[];
  /** What replaces an empty field, by field. */
  fallbacks: Partial<Record<PersonalField, string>>;
}

export interface WizardValues {
  name: string;
  audienceKind: "segment" | "builtin";
  segmentId: string;
  builtin: string;
  variants: VariantValues[];
  sendMode: SendMode;
  /** A `datetime-local` value on the store's clock. */
  sendAt: string;
  localDate: string;
  localTime: string;
  holdout: string;
}

/** What the store offers the wizard: its segments, built-ins and approved templates. */
export interface WizardChoices {
  segmentIds: string[];
  builtins: string[];
  templates: TemplateOption[];
  /** The store's time zone: a send time is typed and shown on its clock. */
  timezone: string;
}

export function bodyVariables(template: WhatsAppTemplate): number[] {
  return variableNumbers(findComponent(template, "BODY")?.component.text ?? "").sort((a, b) => a - b);
}

/** A variant with `template` chosen (or none yet): each body variable starts as the first name. */
export function emptyVariant(template?: TemplateOption): VariantValues {
  const count = template ? bodyVariables(template.template).length : 0;
  return { templateId: template?.id ?? "", share: "", bodyFields: Array.from({ length: count }, () => "first_name"), fallbacks: {} };
}

/** A new campaign: the first saved segment (else the first built-in), sent now, no holdout. */
export function newValues(choices: WizardChoices): WizardValues {
  return {
    name: "",
    audienceKind: choices.segmentIds.length > 0 ? "segment" : "builtin",
    segmentId: choices.segmentIds[0] ?? "",
    builtin: choices.builtins[0] ?? "",
    variants: [emptyVariant()],
    sendMode: "NOW",
    sendAt: "",
    localDate: "",
    localTime: "10:00",
    holdout: "0",
  };
}

/** An instant as a `datetime-local` input's value on the store's clock (`timezone`), else the browser's. */
export function toLocalInput(iso: string | null, timezone?: string | null): string {
  return iso ? isoToZoned(iso, timezone) : "";
}

const isField = (f: string): f is PersonalField => (PERSONAL_FIELDS as readonly string[]).includes(f);

type Problem = { key: MessageKey };
type Problems = { [K in keyof WizardValues]?: K extends "variants" ? ({ templateId?: Problem; share?: Problem } | undefined)[] : Problem };

const wholeIn = (text: string, low: number, high: number) => /^\d+$/.test(text.trim()) && Number(text) >= low && Number(text) <= high;

/** What is missing or wrong, by field (empty when the campaign may be saved). */
export function wizardProblems(v: WizardValues): Problems {
  const out: Problems = {};
  if (!v.name.trim()) out.name = { key: "wizardForm.nameRequired" };
  if (v.audienceKind === "segment" && !v.segmentId) out.segmentId = { key: "wizardForm.segmentRequired" };
  if (v.audienceKind === "builtin" && !v.builtin) out.builtin = { key: "wizardForm.segmentRequired" };
  const variants = v.variants.map((variant) => {
    const p: { templateId?: Problem; share?: Problem } = {};
    if (!variant.templateId) p.templateId = { key: "wizardForm.templateRequired" };
    // the backend's rule: each share a whole percentage from 1 to 100
    if (v.variants.length > 1 && !wholeIn(variant.share, 1, 100)) p.share = { key: "wizardForm.shareRange" };
    return Object.keys(p).length > 0 ? p : undefined;
  });
  if (variants.some(Boolean)) out.variants = variants;
  if (v.sendMode === "AT" && !v.sendAt) out.sendAt = { key: "wizardForm.sendAtRequired" };
  if (v.sendMode === "LOCAL_TIME" && !v.localDate) out.localDate = { key: "wizardForm.localDateRequired" };
  if (v.sendMode === "LOCAL_TIME" && !v.localTime) out.localTime = { key: "wizardForm.localTimeRequired" };
  if (!wholeIn(v.holdout, 0, MAX_HOLDOUT)) out.holdout = { key: "wizardForm.holdoutRange" };
  return out;
}

/** The fields each step checks before Next. */
export const STEP_FIELDS: Record<WizardStep, (keyof WizardValues)[]> = {
  segment: ["name", "segmentId", "builtin"],
  template: ["variants"],
  schedule: ["sendAt", "localDate", "localTime", "holdout"],
  review: [],
};

/** react-hook-form's errors carry the message key as their message (translated where shown). */
function asErrors(problems: Problems): FieldErrors<WizardValues> {
  const error = (p: Problem) => ({ type: "validate", message: p.key });
  const out: Record<string, unknown> = {};
  for (const [field, p] of Object.entries(problems)) {
    out[field] = Array.isArray(p) ? p.map((row) => row && Object.fromEntries(Object.entries(row).map(([k, q]) => [k, error(q as Problem)]))) : error(p as Problem);
  }
  return out as FieldErrors<WizardValues>;
}

export const wizardResolver: Resolver<WizardValues> = (values) => {
  const problems = wizardProblems(values);
  return Object.keys(problems).length > 0 ? { values: {}, errors: asErrors(problems) } : { values, errors: {} };
};

/**
 * A saved draft as the wizard's values: what no longer exists (a deleted segment or template)
 * falls back to a new campaign's choice. `complete`: every step still holds, so the wizard may
 * open at the review, where drafts are saved.
 */
export function fromDraft(draft: Campaign, choices: WizardChoices): { values: WizardValues; complete: boolean } {
  const start = newValues(choices);
  const segment = draft.segmentId && choices.segmentIds.includes(draft.segmentId) ? draft.segmentId : null;
  const builtin = draft.builtinSegment && choices.builtins.includes(draft.builtinSegment) ? draft.builtinSegment : null;
  const audience = segment
    ? { audienceKind: "segment" as const, segmentId: segment, builtin: start.builtin }
    : builtin
      ? { audienceKind: "builtin" as const, segmentId: start.segmentId, builtin }
      : { audienceKind: start.audienceKind, segmentId: start.segmentId, builtin: start.builtin };
  const variants = draft.variants.map((v): VariantValues => {
    const template = choices.templates.find((o) => o.name === v.templateName && o.language === v.templateLanguage);
    const fallbacks: Partial<Record<PersonalField, string>> = {};
    for (const [field, text] of Object.entries(v.fallbacks ?? {})) if (isField(field)) fallbacks[field] = text;
    return { templateId: template?.id ?? "", share: draft.variants.length > 1 ? String(v.share) : "", bodyFields: v.bodyFields.filter(isField), fallbacks };
  });
  const values: WizardValues = {
    name: draft.name,
    ...audience,
    variants: variants.length > 0 ? variants : [emptyVariant()],
    sendMode: draft.sendMode,
    sendAt: toLocalInput(draft.scheduledAt, choices.timezone),
    localDate: draft.localDate ?? "",
    localTime: draft.localTime ?? "10:00",
    holdout: String(draft.holdoutPercent),
  };
  const complete = Boolean((segment || builtin) && variants.length > 0 && Object.keys(wizardProblems(values)).length === 0);
  return { values, complete };
}

/** The saveCampaign input for the values (checked by wizardProblems first). */
export function toCampaignInput(v: WizardValues, choices: Pick<WizardChoices, "templates" | "timezone">) {
  return {
    name: v.name.trim(),
    variants: v.variants.map((variant, i) => {
      const option = choices.templates.find((o) => o.id === variant.templateId);
      const used = new Set(variant.bodyFields);
      const fallbacks = Object.fromEntries(Object.entries(variant.fallbacks).filter(([f, text]) => used.has(f as PersonalField) && text?.trim()));
      return {
        key: VARIANT_KEYS[i],
        templateName: option?.name ?? "",
        templateLanguage: option?.language ?? "",
        share: v.variants.length > 1 ? Number(variant.share) : null,
        bodyFields: variant.bodyFields,
        fallbacks,
      };
    }),
    builtinSegment: v.audienceKind === "builtin" ? v.builtin : null,
    segmentId: v.audienceKind === "segment" ? v.segmentId : null,
    holdoutPercent: Number(v.holdout),
    sendMode: v.sendMode,
    // the field is read on the store's clock, as its hint says
    sendAt: v.sendMode === "AT" ? zonedToIso(v.sendAt, choices.timezone) : null,
    localDate: v.sendMode === "LOCAL_TIME" ? v.localDate : null,
    localTime: v.sendMode === "LOCAL_TIME" ? v.localTime : null,
  };
}
