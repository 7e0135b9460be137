import { describe, expect, it } from "vitest";
import { SCHEDULED_DRAFT, SCHEDULED_DRAFT_INPUT } from "../test/campaigns";
import type { TemplateOption } from "./types";
import { fromDraft, newValues, toCampaignInput, toLocalInput, wizardProblems } from "./wizardForm";

const TEMPLATE: TemplateOption = {
  id: "9",
  name: "yeni_sezon",
  language: "tr",
  category: "MARKETING",
  template: { name: "yeni_sezon", language: "tr", category: "MARKETING", components: [{ type: "BODY", text: "Merhaba {{1}}!" }] },
};

const DRAFT = { ...SCHEDULED_DRAFT, variants: [{ ...SCHEDULED_DRAFT.variants[0]!, fallbacks: { first_name: "dostum", other: "x" } }] };

const CHOICES = { segmentIds: ["5"], builtins: ["new"], templates: [TEMPLATE], timezone: "Europe/Istanbul" };

describe("fromDraft", () => {
  it("fills every step from the draft and opens at the review when all are complete", () => {
    const { values, complete } = fromDraft(DRAFT, CHOICES);
    expect(values).toEqual({
      name: "Yılbaşı",
      audienceKind: "segment",
      segmentId: "5",
      builtin: "new",
      variants: [{ templateId: "9", share: "", bodyFields: ["first_name"], fallbacks: { first_name: "dostum" } }],
      sendMode: "AT",
      // 18:00 UTC on the store's clock (Istanbul, UTC+3)
      sendAt: "2026-12-31T21:00",
      localDate: "",
      localTime: "10:00",
      holdout: "10",
    });
    expect(complete).toBe(true);
    expect(toLocalInput(null)).toBe("");
  });

  it("opens at the first step when a template or the audience is gone", () => {
    expect(fromDraft(DRAFT, { ...CHOICES, templates: [] }).complete).toBe(false);
    const { values, complete } = fromDraft({ ...DRAFT, segmentId: null }, CHOICES);
    expect([values.audienceKind, values.segmentId, complete]).toEqual(["segment", "5", false]);
  });

  it("gives back the same saveCampaign input the draft was saved with", () => {
    const input = toCampaignInput(fromDraft(DRAFT, CHOICES).values, CHOICES);
    expect(input).toEqual(SCHEDULED_DRAFT_INPUT);
  });
});

describe("wizardProblems", () => {
  it("names each missing or out-of-range field by its message", () => {
    // given a new campaign with two variants, a local-time send and too large a holdout
    const values = { ...newValues(CHOICES), sendMode: "LOCAL_TIME" as const, localTime: "", holdout: "60" };
    values.variants = [
      { templateId: "9", share: "0", bodyFields: [], fallbacks: {} },
      { templateId: "", share: "50", bodyFields: [], fallbacks: {} },
    ];
    // then each problem is the field's own
    expect(wizardProblems(values)).toEqual({
      name: { key: "wizardForm.nameRequired" },
      variants: [{ share: { key: "wizardForm.shareRange" } }, { templateId: { key: "wizardForm.templateRequired" } }],
      localDate: { key: "wizardForm.localDateRequired" },
      localTime: { key: "wizardForm.localTimeRequired" },
      holdout: { key: "wizardForm.holdoutRange" },
    });
    // and a complete campaign has none
    expect(wizardProblems(fromDraft(DRAFT, CHOICES).values)).toEqual({});
  });
});
