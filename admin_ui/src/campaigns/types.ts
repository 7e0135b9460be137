/** Shapes of the campaigns admin API (graphql/admin.graphql) as the pages read them. */
import type { WhatsAppTemplate } from "../templates/types";

export type CampaignStatus = "DRAFT" | "SCHEDULED" | "RUNNING" | "PAUSED" | "COMPLETED" | "CANCELLED";
export type SendMode = "NOW" | "AT" | "LOCAL_TIME";

export interface CampaignCounts {
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  skipped: number;
}

export interface Campaign {
  id: string;
  name: string;
  status: CampaignStatus;
  sendMode: SendMode;
  scheduledAt: string | null;
  localDate: string | null;
  localTime: string | null;
  holdoutPercent: number;
  recipients: number;
  estimatedCost: string | null;
  estimatedMessages: number | null;
  costCurrency: string | null;
  testSentAt: string | null;
  launchedAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  cancelledAt: string | null;
  createdAt: string;
  variants: { key: string; templateName: string; templateLanguage: string; share: number; bodyFields: string[] }[];
  counts: CampaignCounts;
}

export interface CampaignEstimate {
  audience: number;
  holdout: number;
  consented: number;
  messages: number;
  cost: string;
  costCurrency: string;
  byCountry: Record<string, { audience: number; consented: number }>;
  dailyTier: number | null;
  exceedsDailyTier: boolean;
  daysNeeded: number;
  planLimit: number | null;
  withinPlanLimit: boolean;
}

export interface CampaignProgress {
  status: CampaignStatus;
  recipients: number;
  holdout: number;
  queued: number;
  snapshotDone: boolean;
  fanoutDone: boolean;
  waitingForWinner: number;
  winnerVariant: string | null;
  byStatus: Record<string, number>;
  byReason: Record<string, number>;
  byVariant: Record<string, Record<string, number>>;
  batches: number;
}

/** An approved template the wizard offers, with its components read as Meta's structure. */
export interface TemplateOption {
  id: string;
  name: string;
  language: string;
  category: string;
  template: WhatsAppTemplate;
}

/** Contact fields a campaign may put into a template's body variables (plugin/campaigns/personalise.py). */
export const PERSONAL_FIELDS = ["first_name", "last_name"] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];

/** Statuses in which the campaign still changes on its own (worth polling). */
export const LIVE_STATUSES: readonly CampaignStatus[] = ["SCHEDULED", "RUNNING", "PAUSED"];
