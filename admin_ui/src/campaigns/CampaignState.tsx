/**
 * What a campaign is doing now, drawn from its `counts` alone (plugin/campaigns/progress.py):
 * the list and the live panel both use these pieces, so they always show the same figures —
 * "25 of 46 handled", and "waiting for quiet hours, starts at 09:00" when nothing can go out
 * before the night ends.
 */
import { Text } from "@saleor/macaw-ui";
import { QuotaBar, StatusBadge, type Tone } from "../components/ui";
import { formatCount, formatTime, useLocale, useT, type MessageKey } from "../i18n";
import type { CampaignCounts, CampaignStatus } from "./types";

export const CAMPAIGN_TONES: Record<CampaignStatus, Tone> = {
  DRAFT: "neutral",
  SCHEDULED: "info",
  RUNNING: "info",
  PAUSED: "warning",
  COMPLETED: "success",
  CANCELLED: "critical",
};

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

/** When sending (re)starts and what holds it; `short` for the list ("Starts at 09:00"). */
export function CampaignWhen({ status, counts, short = false }: { status: CampaignStatus; counts: CampaignCounts; short?: boolean }) {
  const t = useT();
  const locale = useLocale();
  const n = (x: number) => formatCount(locale, x);
  const time = counts.startsAt ? formatTime(locale, counts.startsAt) : "";
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
