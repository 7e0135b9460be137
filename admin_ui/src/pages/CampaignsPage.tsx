/**
 * Campaigns: the list with each one's state (the same counts the live panel shows), a
 * campaign's live view and results, drafts to continue or delete, and the new-campaign wizard.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useEffect, useRef, useState } from "react";
import { CAMPAIGNS, DELETE_CAMPAIGN } from "../api/queries";
import { useAdminMutation, useAdminQuery, usePolling } from "../api/useAdmin";
import { CampaignProgressPanel, POLL_MS } from "../campaigns/CampaignProgress";
import { CampaignResults } from "../campaigns/CampaignResults";
import { CampaignHandled, CampaignStatusBadge, CampaignWhen, useStoreTimezone } from "../campaigns/CampaignState";
import { NewCampaign } from "../campaigns/NewCampaign";
import { LIVE_STATUSES, type Campaign } from "../campaigns/types";
import { AdminErrors, ConfirmDialog, ErrorState, Loading, Section, type AdminError } from "../components/ui";
import { formatDateTime, useLocale, useT } from "../i18n";
import type { Connection, Payload } from "./types";

interface ListProps {
  campaigns: Campaign[];
  selected: string | null;
  onSelect: (id: string) => void;
  onContinue: (draft: Campaign) => void;
  onDelete: (draft: Campaign) => void;
  /** The store's time zone: campaign times are shown on its clock, named. */
  timezone?: string | null;
}

function CampaignList({ campaigns, selected, onSelect, onContinue, onDelete, timezone }: ListProps) {
  const t = useT();
  const locale = useLocale();
  if (campaigns.length === 0) return <Text size={3}>{t("campaigns.none")}</Text>;
  return (
    <ul className="ulak-campaign-list" aria-label={t("campaigns.list")}>
      {campaigns.map((c) => (
        <li key={c.id} data-testid="campaign-row">
          <div className="ulak-campaign-head">
            {c.status === "DRAFT" ? (
              <Text size={4} fontWeight="medium">
                {c.name}
              </Text>
            ) : (
              <button type="button" className="ulak-row-button" aria-pressed={selected === c.id} aria-label={t("campaigns.open", { name: c.name })} onClick={() => onSelect(c.id)}>
                {c.name}
              </button>
            )}
            <CampaignStatusBadge status={c.status} counts={c.counts} />
          </div>
          <CampaignHandled label={t("campaigns.progressOf", { name: c.name })} status={c.status} counts={c.counts} />
          <CampaignWhen status={c.status} counts={c.counts} short timezone={timezone} />
          <Text size={2} color="default2">
            {t("campaigns.created")}: {formatDateTime(locale, c.createdAt)}
          </Text>
          {c.status === "DRAFT" && (
            <Box display="flex" gap={2} flexWrap="wrap" role="group" aria-label={t("campaigns.draftActions", { name: c.name })}>
              <Button variant="secondary" onClick={() => onContinue(c)}>
                {t("campaigns.continue")}
              </Button>
              <Button variant="error" onClick={() => onDelete(c)}>
                {t("campaigns.delete")}
              </Button>
            </Box>
          )}
        </li>
      ))}
    </ul>
  );
}

export function CampaignsPage() {
  const t = useT();
  const { state, reload } = useAdminQuery<{ campaigns: Connection<Campaign> }>(CAMPAIGNS, { first: 50 });
  const timezone = useStoreTimezone();
  const campaigns = state.kind === "loaded" ? state.data.campaigns.edges.map((e) => e.node) : [];
  usePolling(reload, POLL_MS * 2, campaigns.some((c) => LIVE_STATUSES.includes(c.status)));
  const [selected, setSelected] = useState<string | null>(null);
  const [draft, setDraft] = useState<Campaign | null>(null);
  const [wizardKey, setWizardKey] = useState(0);
  const [deleting, setDeleting] = useState<Campaign | null>(null);
  const [notice, setNotice] = useState("");
  const [errors, setErrors] = useState<AdminError[]>([]);
  const remove = useAdminMutation<{ deleteCampaign: Payload & { campaign: { id: string; name: string } | null } }>(DELETE_CAMPAIGN);
  const progressRef = useRef<HTMLDivElement>(null);
  const wizardRef = useRef<HTMLDivElement>(null);
  // After a launch the wizard starts over; focus moves to the campaign's live view.
  useEffect(() => {
    if (selected) progressRef.current?.focus();
  }, [selected]);
  const startWizard = (next: Campaign | null) => {
    setDraft(next);
    setWizardKey((k) => k + 1);
    if (next) setTimeout(() => wizardRef.current?.scrollIntoView?.({ block: "start" }), 0);
  };
  const confirmDelete = async () => {
    const target = deleting;
    setDeleting(null);
    if (!target) return;
    const data = (await remove.run({ id: target.id }))?.deleteCampaign;
    setErrors(data?.errors ?? []);
    if (data && data.errors.length === 0) {
      setNotice(t("campaigns.deleted", { name: target.name }));
      if (draft?.id === target.id) startWizard(null);
    }
    reload();
  };
  const selectedCampaign = campaigns.find((c) => c.id === selected);
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
            <CampaignProgressPanel key={selected} id={selected} onChanged={reload} timezone={timezone} />
          </Section>
        </div>
      )}
      {selected && (
        <Section title={selectedCampaign ? t("results.of", { name: selectedCampaign.name }) : t("results.title")}>
          <CampaignResults key={selected} id={selected} />
        </Section>
      )}
      <Section title={t("campaigns.list")}>
        <span role="status">{notice && <Text size={3}>{notice}</Text>}</span>
        <AdminErrors errors={errors} />
        {state.kind === "loading" && <Loading />}
        {state.kind === "error" && <ErrorState message={state.message} onRetry={reload} />}
        {state.kind === "loaded" && (
          <CampaignList campaigns={campaigns} selected={selected} onSelect={setSelected} onContinue={startWizard} onDelete={setDeleting} timezone={timezone} />
        )}
      </Section>
      <div ref={wizardRef}>
        <Section
          title={draft ? t("campaigns.editing", { name: draft.name }) : t("campaigns.new")}
          actions={
            draft ? (
              <Button variant="secondary" onClick={() => startWizard(null)}>
                {t("campaigns.startOver")}
              </Button>
            ) : undefined
          }
        >
          <NewCampaign
            key={wizardKey}
            draft={draft}
            onLaunched={(campaign) => {
              setSelected(campaign.id);
              startWizard(null);
              reload();
            }}
          />
        </Section>
      </div>
      <ConfirmDialog
        open={deleting !== null}
        danger
        title={t("campaigns.deleteTitle", { name: deleting?.name ?? "" })}
        body={<Text size={3}>{t("campaigns.deleteBody")}</Text>}
        confirmLabel={t("campaigns.delete")}
        onConfirm={confirmDelete}
        onCancel={() => setDeleting(null)}
      />
    </Box>
  );
}
