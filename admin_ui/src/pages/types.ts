/** Shapes of the admin API answers the pages read (see src/api/queries.ts). */
import type { AdminError } from "../components/ui";
import type { ReasonText } from "../messages/reasons";

export interface WhatsAppAccount {
  id: string;
  phoneNumberId: string;
  wabaId: string;
  displayPhone: string;
  isSandbox: boolean;
  isDefault: boolean;
  status: string;
  statusReason: string | null;
  qualityRating: string | null;
  messagingLimitTier: string | null;
  sentThisMonth: number;
  createdAt: string;
}

export interface Payload {
  errors: AdminError[];
}

export interface StoreSettings {
  timezone: string;
  defaultRegion: string;
  defaultLocale: string;
  quietHoursStart: string;
  quietHoursEnd: string;
  quietHoursTransactional: boolean;
  marketingCap24h: number;
  marketingCap7d: number;
  recoveryPauseAfterOrderHours: number;
  optoutKeywords: string[];
  optinKeywords: string[];
  resumeKeywords: string[];
  tierReservePercent?: number;
  /** The shop's address; cart recovery links open its /checkout/?checkout=<token> page. */
  storefrontUrl: string | null;
  /** Where a cart reminder's button leads, with `{checkout_token}` (before storefrontUrl). */
  checkoutUrlTemplate: string | null;
  /** Sites whose browsers may call the storefront opt-in; [] = server calls only. */
  storefrontOrigins: string[];
  /** Storefront opt-in requests accepted per UTC day (0–100000, default 500). */
  optinDailyLimit: number;
  updatedAt: string;
}

/** Where a LOCATION header mapped to the store's pickup point points (admin API `pickupPoint`). */
export interface PickupPoint {
  latitude: number;
  longitude: number;
  name: string;
  address: string;
}

/** Meta's messaging limit and its moving 24-hour window (admin API `messagingLimit`). */
export interface MessagingLimit {
  tierName: string | null;
  tier: number | null;
  used: number;
  reserve: number;
  available: number | null;
  marketingAvailable: number | null;
  nextFreeAt: string | null;
  throughputMps: number | null;
  readAt: string | null;
}

export type Plan = "FREE" | "SILVER" | "GOLD";

export interface PlanUsage {
  plan: Plan;
  monthlyQuota: number;
  usedThisMonth: number;
  remaining: number;
  periodStart: string;
  priceTry: string;
  /** 0, 80 or 100: the admin warns from 80 % of the quota on. */
  warningLevel: number;
  /** The next plan month's first instant: held marketing goes out then (or on an upgrade). */
  resetsAt: string;
  /** resetsAt's date on the store's calendar ("2026-02-01"). */
  resetsOn: string;
  /** Marketing messages waiting for the quota. */
  heldMessages: number;
}

export interface Connection<T> {
  edges: { node: T }[];
}

export interface FlowAlert {
  flowKey: string;
  reason: ReasonText;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  templateName: string | null;
  orderId: string | null;
  checkoutId: string | null;
}

export interface Flow {
  id: string;
  key: string;
  enabled: boolean;
  /** One of the order updates: shown as one group with a main switch. */
  orderUpdate?: boolean;
  channels: string[];
  templateNames?: string[];
  options?: Record<string, unknown>;
  alerts?: FlowAlert[];
  steps: { position: number; delayMinutes: number; templateName: string | null; discountCode?: string | null }[];
  funnel: { entered: number; sent: number; delivered: number; read: number; clicked: number; converted: number } | null;
}
