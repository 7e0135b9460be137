/** Shared campaign fixtures for the tests: counts with nothing sent yet, a draft, and the admin API the wizard talks to. */
import { screen } from "@testing-library/react";
import type userEvent from "@testing-library/user-event";
import type { Campaign, CampaignCounts } from "../campaigns/types";

export const ZERO: CampaignCounts = { toSend: 0, handled: 0, queued: 0, held: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0, cancelled: 0, quietHours: 0, startsAt: null };

/** A draft to segment 5 with template yeni_sezon ({{1}} = first name), changed by `patch`. */
export function campaign(patch: Partial<Campaign> = {}): Campaign {
  return {
    id: "77",
    name: "Yeni sezon",
    status: "DRAFT",
    sendMode: "NOW",
    scheduledAt: null,
    localDate: null,
    localTime: null,
    holdoutPercent: 0,
    recipients: 0,
    estimatedCost: null,
    estimatedMessages: null,
    costCurrency: null,
    testSentAt: null,
    launchedAt: null,
    startedAt: null,
    completedAt: null,
    cancelledAt: null,
    createdAt: "2026-01-01T10:00:00+00:00",
    builtinSegment: null,
    segmentId: "5",
    variants: [{ key: "A", templateName: "yeni_sezon", templateLanguage: "tr", share: 100, bodyFields: ["first_name"], fallbacks: {} }],
    counts: ZERO,
    ...patch,
  };
}

export const OPTIONS = {
  segments: [{ id: "5", name: "İzinli müşteriler", contactCount: 1234 }],
  builtinSegments: [{ key: "all_consented", label: "Everyone with marketing consent", labelTr: "Pazarlama izni olan herkes" }],
  templates: {
    edges: [
      {
        node: {
          id: "9",
          name: "yeni_sezon",
          language: "tr",
          category: "MARKETING",
          components: [{ type: "BODY", text: "Merhaba {{1}}, yeni sezon başladı!", example: { body_text: [["Ayşe"]] } }],
        },
      },
    ],
  },
  storeSettings: { timezone: "Europe/Istanbul", quietHoursStart: "21:00", quietHoursEnd: "09:00", marketingCap24h: 1, marketingCap7d: 3 },
  planUsage: { plan: "SILVER" },
};

export const ESTIMATE = {
  audience: 1234,
  holdout: 0,
  consented: 1200,
  messages: 1200,
  cost: "13.0800",
  costCurrency: "USD",
  byCountry: { TR: { audience: 1234, consented: 1200 } },
  dailyTier: 250,
  exceedsDailyTier: true,
  daysNeeded: 5,
  planLimit: null,
  withinPlanLimit: true,
};

export const CAMPAIGN = campaign();

/** What the backend's message builder answers for the draft (campaign.messagePreviews). */
export const MESSAGE = {
  campaign: {
    id: "77",
    messagePreviews: [
      { variant: "A", templateName: "yeni_sezon", templateLanguage: "tr", problem: null, problemTr: null, preview: { header: null, body: "Merhaba Ayşe, yeni sezon başladı!", footer: "Durdurmak için DUR yazın", buttons: [] } },
    ],
  },
};

export type Calls = Record<string, Record<string, unknown>[]>;

export function campaignsApi(calls: Calls, overrides: Record<string, (v: Record<string, unknown>) => unknown> = {}) {
  return (query: string, variables: Record<string, unknown>) => {
    const op = /(?:query|mutation) (\w+)/.exec(query)?.[1] ?? "";
    (calls[op] ??= []).push(variables);
    if (overrides[op]) return overrides[op]!(variables);
    switch (op) {
      case "UlakCampaignOptions":
        return OPTIONS;
      case "UlakSegmentPreview":
        return { segmentPreview: { count: 1234, sample: [], errors: [] } };
      case "UlakSaveCampaign":
        return { saveCampaign: { campaign: CAMPAIGN, errors: [] } };
      case "UlakEstimateCampaign":
        return { estimateCampaign: { estimate: ESTIMATE, errors: [] } };
      case "UlakSendCampaignTest":
        return { sendCampaignTest: { campaign: { id: "77", testSentAt: "2026-01-01T10:01:00+00:00" }, errors: [] } };
      case "UlakLaunchCampaign":
        return { launchCampaign: { campaign: { ...CAMPAIGN, status: "RUNNING" }, errors: [] } };
      case "UlakCampaignMessage":
        return MESSAGE;
      default:
        return new Error(`unexpected ${op}`);
    }
  };
}

/** Picks an option of a macaw-ui Select: open its combobox, click the option. */
export async function pick(user: ReturnType<typeof userEvent.setup>, label: string, option: RegExp) {
  await user.click(screen.getByRole("combobox", { name: label }));
  await user.click(await screen.findByRole("option", { name: option }));
}


/** A draft scheduled for 18:00 UTC (21:00 on the store's Istanbul clock), 10 % held out, with a fallback name. */
export const SCHEDULED_DRAFT = campaign({
  id: "8",
  name: "Yılbaşı",
  sendMode: "AT",
  scheduledAt: "2026-12-31T18:00:00+00:00",
  holdoutPercent: 10,
  variants: [{ key: "A", templateName: "yeni_sezon", templateLanguage: "tr", share: 100, bodyFields: ["first_name"], fallbacks: { first_name: "dostum" } }],
});

/** The saveCampaign input SCHEDULED_DRAFT was saved with. */
export const SCHEDULED_DRAFT_INPUT = {
  name: "Yılbaşı",
  variants: [{ key: "A", templateName: "yeni_sezon", templateLanguage: "tr", share: null, bodyFields: ["first_name"], fallbacks: { first_name: "dostum" } }],
  builtinSegment: null,
  segmentId: "5",
  holdoutPercent: 10,
  sendMode: "AT",
  sendAt: "2026-12-31T18:00:00.000Z",
  localDate: null,
  localTime: null,
};
