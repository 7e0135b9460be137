import { describe, expect, it } from "vitest";
import { campaign } from "../test/campaigns";
import { fromDraft, toLocalInput } from "./draftState";
import type { TemplateOption } from "./types";

const TEMPLATE: TemplateOption = {
  id: "9",
  name: "yeni_sezon",
  language: "tr",
  category: "MARKETING",
  template: { name: "yeni_sezon", language: "tr", category: "MARKETING", components: [{ type: "BODY", text: "Merhaba {{1}}!" }] },
};

const DRAFT = campaign({
  id: "8",
  name: "Yılbaşı",
  sendMode: "AT",
  scheduledAt: "2026-12-31T18:00:00+00:00",
  holdoutPercent: 10,
  variants: [{ key: "A", templateName: "yeni_sezon", templateLanguage: "tr", share: 100, bodyFields: ["first_name"], fallbacks: { first_name: "dostum", other: "x" } }],
});

const CHOICES = { segmentIds: ["5"], builtins: ["new"], defaults: { audienceKind: "segment" as const, segmentId: "5", builtin: "new" } };

describe("fromDraft", () => {
  it("fills every step from the draft and opens at the review when all are complete", () => {
    const state = fromDraft(DRAFT, [TEMPLATE], CHOICES);
    expect(state).toEqual({
      name: "Yılbaşı",
      audienceKind: "segment",
      segmentId: "5",
      builtin: "new",
      variants: [{ templateId: "9", share: "", bodyFields: ["first_name"], fallbacks: { first_name: "dostum" } }],
      sendMode: "AT",
      sendAt: toLocalInput("2026-12-31T18:00:00+00:00"),
      localDate: "",
      localTime: "10:00",
      holdout: "10",
      complete: true,
    });
    expect(new Date(state.sendAt).toISOString()).toBe("2026-12-31T18:00:00.000Z");
  });

  it("opens at the first step when a template or the audience is gone", () => {
    expect(fromDraft(DRAFT, [], CHOICES).complete).toBe(false);
    const ruleDraft = { ...DRAFT, segmentId: null };
    const state = fromDraft(ruleDraft, [TEMPLATE], CHOICES);
    expect([state.audienceKind, state.segmentId, state.complete]).toEqual(["segment", "5", false]);
  });
});
