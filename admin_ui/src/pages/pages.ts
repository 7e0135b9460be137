import type { MessageKey } from "../i18n";

export const PAGES = [
  "onboarding",
  "dashboard",
  "inbox",
  "templates",
  "flows",
  "segments",
  "campaigns",
  "contacts",
  "settings",
] as const;
export type PageId = (typeof PAGES)[number];

export const PAGE_TITLES: Record<PageId, MessageKey> = {
  onboarding: "page.onboarding",
  dashboard: "page.dashboard",
  inbox: "page.inbox",
  templates: "page.templates",
  flows: "page.flows",
  segments: "page.segments",
  campaigns: "page.campaigns",
  contacts: "page.contacts",
  settings: "page.settings",
};

/** Hash routes ("#/templates") keep navigation inside the dashboard's iframe. */
export function pageFromHash(hash: string): PageId {
  const id = hash.replace(/^#\/?/, "").split(/[/?]/)[0] ?? "";
  return (PAGES as readonly string[]).includes(id) ? (id as PageId) : "dashboard";
}
