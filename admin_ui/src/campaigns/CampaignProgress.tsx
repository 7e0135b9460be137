/**
 * One campaign's live progress (campaign + campaignProgress, polled while it can still
 * change): its counts as the list shows them (CampaignState), when sending starts, recipients,
 * messages by outcome, why some were skipped, and pause / resume / cancel. Cancel asks first:
 * it cannot be undone.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { CAMPAIGN_PROGRESS, CANCEL_CAMPAIGN, PAUSE_CAMPAIGN, RESUME_CAMPAIGN } from "../api/queries";
import { useAdminMutation, useAdminQuery, usePolling } from "../api/useAdmin";
import { AdminErrors, ConfirmDialog, ErrorState, Loading, type AdminError } from "../components/ui";
import { formatCount, useLocale, useT, type MessageKey } from "../i18n";
import { useReasons } from "../messages/reasons";
import type { Payload } from "../pages/types";
import { CampaignHandled, CampaignStatusBadge, CampaignWhen } from "./CampaignState";
import { LIVE_STATUSES, type Campaign, type CampaignProgress as Progress } from "./types";

export { CAMPAIGN_TONES, CampaignStatusBadge } from "./CampaignState";

export const POLL_MS = 1500;

type ProgressAnswer = { campaign: Pick<Campaign, "id" | "name" | "status" | "recipients" | "counts"> | null; campaignProgress: Progress | null };
type Action = "pause" | "resume" | "cancel";

export function CampaignProgressPanel({ id, onChanged, timezone }: { id: string; onChanged?: () => void; timezone?: string | null }) {
  const t = useT();
  const reasonText = useReasons();
  const locale = useLocale();
  const { state, reload } = useAdminQuery<ProgressAnswer>(CAMPAIGN_PROGRESS, { id });
  const status = state.kind === "loaded" ? state.data.campaignProgress?.status : undefined;
  usePolling(reload, POLL_MS, status === undefined || LIVE_STATUSES.includes(status));
  const pause = useAdminMutation<{ pauseCampaign: Payload }>(PAUSE_CAMPAIGN);
  const resume = useAdminMutation<{ resumeCampaign: Payload }>(RESUME_CAMPAIGN);
  const cancel = useAdminMutation<{ cancelCampaign: Payload }>(CANCEL_CAMPAIGN);
  const [errors, setErrors] = useState<AdminError[]>([]);
  const [confirmCancel, setConfirmCancel] = useState(false);

  if (state.kind === "loading") return <Loading />;
  if (state.kind === "error") return <ErrorState message={state.message} onRetry={reload} />;
  const { campaign, campaignProgress: progress } = state.data;
  if (!campaign || !progress) return <Text size={3}>{t("page.empty")}</Text>;

  const act = async (action: Action) => {
    setConfirmCancel(false);
    const data =
      action === "pause"
        ? (await pause.run({ id }))?.pauseCampaign
        : action === "resume"
          ? (await resume.run({ id }))?.resumeCampaign
          : (await cancel.run({ id }))?.cancelCampaign;
    setErrors(data?.errors ?? []);
    reload();
    onChanged?.();
  };
  const running = [pause.state, resume.state, cancel.state].some((s) => s.kind === "running");
  const failure = [pause.state, resume.state, cancel.state].find((s) => s.kind === "error");
  const c = campaign.counts;
  const outcomes: [MessageKey, number][] = [
    ["progress.queued", c.queued],
    ["progress.quietHours", c.quietHours],
    ["metric.sent", c.sent],
    ["metric.delivered", c.delivered],
    ["metric.read", c.read],
    ["progress.failed", c.failed],
    ["progress.skipped", c.skipped],
  ];
  const reasons = Object.entries(progress.byReason).sort((a, b) => b[1] - a[1]);
  const n = (x: number) => formatCount(locale, x);
  const canPause = progress.status === "RUNNING" || progress.status === "SCHEDULED";
  const canCancel = progress.status !== "COMPLETED" && progress.status !== "CANCELLED";

  return (
    <Box display="flex" flexDirection="column" gap={3} data-testid="campaign-progress" aria-busy={running}>
      <Box display="flex" gap={2} alignItems="center" flexWrap="wrap">
        <Text size={4} fontWeight="bold">
          {campaign.name}
        </Text>
        <span aria-live="polite" data-testid="campaign-status">
          <CampaignStatusBadge status={progress.status} counts={c} />
        </span>
      </Box>
      <CampaignHandled label={t("campaigns.progress")} status={progress.status} counts={c} />
      <CampaignWhen status={progress.status} counts={c} timezone={timezone} />
      <Text size={3} color="default2">
        {t("progress.recipients", { recipients: n(progress.recipients), holdout: n(progress.holdout) })}
        {progress.waitingForWinner > 0 && ` · ${t("progress.waiting", { count: n(progress.waitingForWinner) })}`}
        {progress.winnerVariant && ` · ${t("progress.winner", { variant: progress.winnerVariant })}`}
      </Text>
      <dl className="ulak-figures" aria-label={t("progress.outcomes")} data-testid="campaign-outcomes">
        {outcomes.map(([key, value]) => (
          <div key={key}>
            <dt>{t(key)}</dt>
            <dd>{n(value)}</dd>
          </div>
        ))}
      </dl>
      {reasons.length > 0 && (
        <Box>
          <Text as="h5" size={3} fontWeight="bold">
            {t("progress.reasons")}
          </Text>
          <ul aria-label={t("progress.reasons")}>
            {reasons.map(([reason, count]) => (
              <li key={reason}>
                <Text size={3}>
                  {reasonText(reason).text}: {n(count)}
                </Text>
              </li>
            ))}
          </ul>
        </Box>
      )}
      <Box display="flex" gap={2} role="group" aria-label={t("progress.controls")}>
        {canPause && (
          <Button variant="secondary" disabled={running} onClick={() => act("pause")}>
            {t("progress.pause")}
          </Button>
        )}
        {progress.status === "PAUSED" && (
          <Button variant="secondary" disabled={running} onClick={() => act("resume")}>
            {t("progress.resume")}
          </Button>
        )}
        {canCancel && (
          <Button variant="error" disabled={running} onClick={() => setConfirmCancel(true)}>
            {t("progress.cancel")}
          </Button>
        )}
      </Box>
      <AdminErrors errors={errors} />
      {failure && failure.kind === "error" && <ErrorState message={failure.message} />}
      <ConfirmDialog
        open={confirmCancel}
        danger
        title={t("progress.cancelTitle", { name: campaign.name })}
        body={<Text size={3}>{t("progress.cancelBody")}</Text>}
        confirmLabel={t("progress.cancel")}
        onConfirm={() => act("cancel")}
        onCancel={() => setConfirmCancel(false)}
      />
    </Box>
  );
}
