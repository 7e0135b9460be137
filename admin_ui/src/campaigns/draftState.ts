/**
 * The wizard's state, and how a saved draft fills it again: a draft is resumed where it was
 * left (the review, where drafts are saved) when every step is still complete, else at the
 * first step with whatever still applies.
 */
import { isoToZoned } from "../i18n";
import { PERSONAL_FIELDS, type Campaign, type PersonalField, type SendMode, type TemplateOption } from "./types";

export interface VariantDraft {
  templateId: string;
  share: string;
  /** One contact field per body variable, in {{1}}, {{2}}… order. */
  bodyFields: PersonalField[];
  /** What replaces an empty field, by field. */
  fallbacks: Partial<Record<PersonalField, string>>;
}

export interface WizardState {
  name: string;
  audienceKind: "segment" | "builtin";
  segmentId: string;
  builtin: string;
  variants: VariantDraft[];
  sendMode: SendMode;
  sendAt: string;
  localDate: string;
  localTime: string;
  holdout: string;
  /** Every step complete: the wizard may open at the review. */
  complete: boolean;
}

/** An instant as a `datetime-local` input's value on the store's clock (`timezone`), else the browser's. */
export function toLocalInput(iso: string | null, timezone?: string | null): string {
  return iso ? isoToZoned(iso, timezone) : "";
}

const isField = (f: string): f is PersonalField => (PERSONAL_FIELDS as readonly string[]).includes(f);

export function fromDraft(
  draft: Campaign,
  templates: TemplateOption[],
  choices: { segmentIds: string[]; builtins: string[]; defaults: Pick<WizardState, "audienceKind" | "segmentId" | "builtin">; timezone?: string | null },
): WizardState {
  const segment = draft.segmentId && choices.segmentIds.includes(draft.segmentId) ? draft.segmentId : null;
  const builtin = draft.builtinSegment && choices.builtins.includes(draft.builtinSegment) ? draft.builtinSegment : null;
  const audience = segment
    ? { audienceKind: "segment" as const, segmentId: segment, builtin: choices.defaults.builtin }
    : builtin
      ? { audienceKind: "builtin" as const, segmentId: choices.defaults.segmentId, builtin }
      : choices.defaults;
  const variants = draft.variants.map((v) => {
    const template = templates.find((o) => o.name === v.templateName && o.language === v.templateLanguage);
    const fallbacks: Partial<Record<PersonalField, string>> = {};
    for (const [field, text] of Object.entries(v.fallbacks ?? {})) if (isField(field)) fallbacks[field] = text;
    return {
      templateId: template?.id ?? "",
      share: draft.variants.length > 1 ? String(v.share) : "",
      bodyFields: v.bodyFields.filter(isField),
      fallbacks,
    };
  });
  const state = {
    name: draft.name,
    ...audience,
    variants: variants.length > 0 ? variants : [{ templateId: "", share: "", bodyFields: [], fallbacks: {} }],
    sendMode: draft.sendMode,
    sendAt: toLocalInput(draft.scheduledAt, choices.timezone),
    localDate: draft.localDate ?? "",
    localTime: draft.localTime ?? "10:00",
    holdout: String(draft.holdoutPercent),
  };
  const scheduled = state.sendMode === "NOW" || (state.sendMode === "AT" ? Boolean(state.sendAt) : Boolean(state.localDate && state.localTime));
  const complete = Boolean(state.name && (segment || builtin) && variants.length > 0 && variants.every((v) => v.templateId) && scheduled);
  return { ...state, complete };
}
