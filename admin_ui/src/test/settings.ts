/** The store settings and plan usage the settings tests start from, as the admin API answers them. */
import type { PlanUsage, StoreSettings } from "../pages/types";

export const STORE_SETTINGS: StoreSettings = {
  timezone: "Europe/Istanbul",
  defaultRegion: "TR",
  defaultLocale: "tr",
  quietHoursStart: "21:00",
  quietHoursEnd: "09:00",
  quietHoursTransactional: false,
  marketingCap24h: 1,
  marketingCap7d: 3,
  recoveryPauseAfterOrderHours: 24,
  optoutKeywords: ["STOP", "DUR"],
  optinKeywords: [],
  resumeKeywords: [],
  tierReservePercent: 10,
  storefrontUrl: null,
  checkoutUrlTemplate: null,
  storefrontOrigins: [],
  optinDailyLimit: 500,
  updatedAt: "2026-01-01T00:00:00+00:00",
};

/** A quarter of the free plan's month used. */
export const PLAN_USAGE: PlanUsage = { plan: "FREE", monthlyQuota: 500, usedThisMonth: 125, remaining: 375, periodStart: "2026-01-01T00:00:00+00:00", priceTry: "0", warningLevel: 0, resetsAt: "2026-01-31T21:00:00+00:00", resetsOn: "2026-02-01", heldMessages: 0 };
