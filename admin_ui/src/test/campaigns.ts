/** Shared campaign fixtures for the tests: counts with nothing sent yet, and a draft. */
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
