/** Shapes of the campaigns admin API (graphql/admin.graphql) as the pages read them. */
import type { CampaignCounts as SchemaCampaignCounts, CampaignSendMode, CampaignStatus as SchemaCampaignStatus } from "../api/generated";
import type { CostBasis } from "../cost/types";
import type { Connection, Plan } from "../pages/types";
import type { WhatsAppTemplate } from "../templates/types";

export type CampaignStatus = SchemaCampaignStatus;
export type SendMode = CampaignSendMode;

/** A campaign's messages by outcome: the list and the live panel both show these
 * (plugin/campaigns/progress.py); startsAt: when the next message goes out if none can go
 * before (a scheduled start, the end of quiet hours). Generated from the schema. */
export type CampaignCounts = Omit<SchemaCampaignCounts, "__typename">;

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
  builtinSegment: string | null;
  segmentId: string | null;
  variants: { key: string; templateName: string; templateLanguage: string; share: number; bodyFields: string[]; fallbacks: Record<string, string> }[];
  counts: CampaignCounts;
}

/** One variant's message as the backend's message builder fills it (campaign.messagePreviews). */
export interface CampaignMessagePreview {
  variant: string;
  templateName: string;
  templateLanguage: string;
  preview: {
    header: { format: string; text: string | null; link: string | null } | null;
    body: string;
    footer: string | null;
    buttons: { type: string; text: string; url: string | null; phoneNumber: string | null; payload: string | null; code: string | null }[];
  } | null;
  problem: string | null;
  problemTr: string | null;
}

export interface CampaignResultFigures extends Partial<CostBasis> {
  since: string;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  replied: number;
  optedOut: number;
  orders: number;
  revenue: Record<string, string>;
  cost: string;
  costCurrency: string;
}

export interface HoldoutLift {
  windowHours: number;
  treated: number;
  holdout: number;
  treatedConversions: number;
  holdoutConversions: number;
  treatedRate: number;
  holdoutRate: number;
  absoluteLift: number;
  intervalLow: number | null;
  intervalHigh: number | null;
  confidence: number;
  enoughData: boolean;
  notEnoughData: string | null;
  note: string | null;
  noteTr: string | null;
}

export interface CampaignEstimate extends Partial<CostBasis> {
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

/** What the wizard offers (UlakCampaignOptions): segments, built-ins, approved templates, the store's rules. */
export interface CampaignOptions {
  segments: { id: string; name: string; contactCount: number | null }[];
  builtinSegments: { key: string; label: string; labelTr: string }[];
  templates: Connection<{ id: string; name: string; language: string; category: string; components: unknown }>;
  storeSettings: { timezone: string; quietHoursStart: string; quietHoursEnd: string; marketingCap24h: number; marketingCap7d: number };
  planUsage: { plan: Plan };
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
