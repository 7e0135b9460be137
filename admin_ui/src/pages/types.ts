/**
 * Shapes of the admin API answers the pages read (see src/api/queries.ts): where a document
 * selects exactly the shape, the type is its generated result (src/api/generated.ts, from
 * graphql/admin.graphql), so a schema change shows up here at `tsc`.
 */
import type { Plan as SchemaPlan, UlakOnboardingQuery, UlakPickupPointQuery, UlakSettingsQuery } from "../api/generated";
import type { AdminError } from "../components/ui";
import type { ReasonText } from "../messages/reasons";

export type WhatsAppAccount = UlakOnboardingQuery["whatsappAccounts"][number];

export interface Payload {
  errors: AdminError[];
}

/** The store's settings (storefrontUrl: recovery links open its /checkout/?checkout=<token>;
 * checkoutUrlTemplate, with `{checkout_token}`, wins over it; storefrontOrigins [] = server
 * calls only; optinDailyLimit: storefront opt-ins per UTC day). */
export type StoreSettings = UlakSettingsQuery["storeSettings"];

/** Where a LOCATION header mapped to the store's pickup point points (admin API `pickupPoint`). */
export type PickupPoint = NonNullable<UlakPickupPointQuery["pickupPoint"]>;

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

export type Plan = SchemaPlan;

/** The plan's month (warningLevel 0, 80 or 100; held marketing goes out at resetsAt, or on an
 * upgrade; resetsOn is that date on the store's calendar). */
export type PlanUsage = UlakSettingsQuery["planUsage"];

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
