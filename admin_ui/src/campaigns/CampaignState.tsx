/**
 * What a campaign is doing now, drawn from its `counts` alone (plugin/campaigns/progress.py):
 * the list and the live panel both use these pieces, so they always show the same figures —
 * "25 of 46 handled", and "waiting for quiet hours, starts at 09:00 (Europe/Istanbul)" when
 * nothing can go out before the night ends.
 */
import { Text } from "@saleor/macaw-ui";
import { STORE_TIMEZONE } from "../api/queries";
import { useAdminQuery } from "../api/useAdmin";
import { QuotaBar, StatusBadge, type Tone } from "../components/ui";
import { formatCount, formatStoreTime, useLocale, useT, type MessageKey } from "../i18n";
import type { CampaignCounts, CampaignStatus } from "./types";

export const CAMPAIGN_TONES: Record<CampaignStatus, Tone> = {
  DRAFT: "neutral",
  SCHEDULED: "info",
  RUNNING: "info",
  PAUSED: "warning",
  COMPLETED: "success",
  CANCELLED: "critical",
};

/** The store's time zone (null while it loads, or for a user who may not read the settings). */
export function useStoreTimezone(): string | null {
  const { state } = useAdminQuery(STORE_TIMEZONE);
  return state.kind === "loaded" ? state.data.storeSettings.timezone : null;
}

/** A running campaign whose every waiting message waits for quiet hours to end. */
export function waitsForQuietHours(status: CampaignStatus, counts: CampaignCounts): boolean {
  return status === "RUNNING" && counts.startsAt !== null && counts.quietHours > 0;
}

export function CampaignStatusBadge({ status, counts }: { status: CampaignStatus; counts?: CampaignCounts }) {
  const t = useT();
  if (counts && waitsForQuietHours(status, counts)) return <StatusBadge tone="info">{t("campaignState.quietHours")}</StatusBadge>;
  return <StatusBadge tone={CAMPAIGN_TONES[status] ?? "neutral"}>{t(`campaignStatus.${status}` as MessageKey)}</StatusBadge>;
}

/** "25 of 46 handled" as a bar; nothing before the audience is fixed (a draft or a scheduled campaign). */
export function CampaignHandled({ label, status, counts }: { label: string; status: CampaignStatus; counts: CampaignCounts }) {
  const t = useT();
  const locale = useLocale();
  if ((status === "DRAFT" || status === "SCHEDULED") && counts.toSend === 0) return null;
  const n = (x: number) => formatCount(locale, x);
  return <QuotaBar progress label={label} used={counts.handled} total={counts.toSend} detail={t("progress.detail", { done: n(counts.handled), total: n(counts.toSend) })} />;
}

/** When sending (re)starts and what holds it, on the store's clock with its zone ("Starts at
 * 09:00 (Europe/Istanbul)"); `short` for the list. */
export function CampaignWhen({ status, counts, short = false, timezone }: { status: CampaignStatus; counts: CampaignCounts; short?: boolean; timezone?: string | null }) {
  const t = useT();
  const locale = useLocale();
  const n = (x: number) => formatCount(locale, x);
  const time = counts.startsAt ? formatStoreTime(locale, counts.startsAt, timezone) : "";
  const lines: string[] = [];
  if (counts.startsAt && (status === "SCHEDULED" || waitsForQuietHours(status, counts))) {
    if (short) lines.push(t("campaignState.startsAt", { time }));
    else if (status === "SCHEDULED") lines.push(t("campaignState.scheduledLine", { time }));
    else lines.push(t("campaignState.quietLine", { count: n(counts.quietHours), time }));
  } else if (counts.quietHours > 0 && (status === "RUNNING" || status === "PAUSED")) {
    lines.push(t("campaignState.quietSome", { count: n(counts.quietHours) }));
  }
  if (counts.held > 0 && !short) lines.push(t("campaignState.held", { count: n(counts.held) }));
  if (lines.length === 0) return null;
  return (
    <Text as="p" size={3} color="default2" data-testid="campaign-when">
      {lines.join(" · ")}
    </Text>
  );
}
