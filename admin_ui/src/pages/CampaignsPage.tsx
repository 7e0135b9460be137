/** Campaigns: the list with each one's progress, a campaign's live view, and the new-campaign wizard. */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useEffect, useRef, useState } from "react";
import { CAMPAIGNS } from "../api/queries";
import { useAdminQuery, usePolling } from "../api/useAdmin";
import { CampaignProgressPanel, CampaignStatusBadge, POLL_MS } from "../campaigns/CampaignProgress";
import { NewCampaign } from "../campaigns/NewCampaign";
import { LIVE_STATUSES, type Campaign } from "../campaigns/types";
import { ErrorState, Loading, QuotaBar, Section } from "../components/ui";
import { formatCount, formatDateTime, useLocale, useT } from "../i18n";
import type { Connection } from "./types";

function CampaignList({ campaigns, selected, onSelect }: { campaigns: Campaign[]; selected: string | null; onSelect: (id: string) => void }) {
  const t = useT();
  const locale = useLocale();
  if (campaigns.length === 0) return <Text size={3}>{t("campaigns.none")}</Text>;
  return (
    <table className="ulak-table">
      <caption className="ulak-visually-hidden">{t("campaigns.list")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("campaigns.name")}</th>
          <th scope="col">{t("campaigns.status")}</th>
          <th scope="col">{t("campaigns.progress")}</th>
          <th scope="col">{t("campaigns.created")}</th>
        </tr>
      </thead>
      <tbody>
        {campaigns.map((c) => {
          const done = c.counts.sent + c.counts.failed + c.counts.skipped;
          return (
            <tr key={c.id}>
              <td>
                <button type="button" className="ulak-row-button" aria-pressed={selected === c.id} onClick={() => onSelect(c.id)}>
                  {c.name}
                </button>
              </td>
              <td>
                <CampaignStatusBadge status={c.status} />
              </td>
              <td>
                <QuotaBar progress label={t("campaigns.progressOf", { name: c.name })} used={done} total={c.recipients} detail={`${formatCount(locale, done)} / ${formatCount(locale, c.recipients)}`} />
              </td>
              <td>{formatDateTime(locale, c.createdAt)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function CampaignsPage() {
  const t = useT();
  const { state, reload } = useAdminQuery<{ campaigns: Connection<Campaign> }>(CAMPAIGNS, { first: 50 });
  const campaigns = state.kind === "loaded" ? state.data.campaigns.edges.map((e) => e.node) : [];
  usePolling(reload, POLL_MS * 2, campaigns.some((c) => LIVE_STATUSES.includes(c.status)));
  const [selected, setSelected] = useState<string | null>(null);
  const [wizardKey, setWizardKey] = useState(0);
  const progressRef = useRef<HTMLDivElement>(null);
  // After a launch the wizard starts over; focus moves to the campaign's live view.
  useEffect(() => {
    if (selected) progressRef.current?.focus();
  }, [selected]);
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      {selected && (
        <div ref={progressRef} tabIndex={-1} aria-label={t("campaigns.live")}>
          <Section
            title={t("campaigns.live")}
            actions={
              <Button variant="secondary" onClick={() => setSelected(null)}>
                {t("campaigns.closeLive")}
              </Button>
            }
          >
            <CampaignProgressPanel key={selected} id={selected} onChanged={reload} />
          </Section>
        </div>
      )}
      <Section title={t("campaigns.list")}>
        {state.kind === "loading" && <Loading />}
        {state.kind === "error" && <ErrorState message={state.message} onRetry={reload} />}
        {state.kind === "loaded" && <CampaignList campaigns={campaigns} selected={selected} onSelect={setSelected} />}
      </Section>
      <Section title={t("campaigns.new")}>
        <NewCampaign
          key={wizardKey}
          onLaunched={(campaign) => {
            setSelected(campaign.id);
            setWizardKey((k) => k + 1);
            reload();
          }}
        />
      </Section>
    </Box>
  );
}
