/** Campaigns: the list with live progress, and the wizard (segment → template → schedule → review). */
import { Box, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { CAMPAIGNS } from "../api/queries";
import { useAdminQuery } from "../api/useAdmin";
import { CampaignWizard } from "../campaigns/CampaignWizard";
import { ErrorState, Field, Loading, QuotaBar, Section, StatusBadge } from "../components/ui";
import { formatCount, useLocale, useT } from "../i18n";
import { RuleBuilder } from "../segments/RuleBuilder";
import type { Rule } from "../segments/ruleLanguage";
import { STARTING_RULE, useSegmentPreview } from "./SegmentsPage";

interface CampaignRow {
  id: string;
  name: string;
  status: string;
  scheduledAt: string | null;
  recipients: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
}

export function CampaignsPage() {
  const t = useT();
  const locale = useLocale();
  const { state, reload } = useAdminQuery<{ campaigns: { edges: { node: CampaignRow }[] } }>(CAMPAIGNS, { first: 50 });
  const campaigns = state.kind === "loaded" ? state.data.campaigns.edges.map((e) => e.node) : [];
  const preview = useSegmentPreview();
  const [rule, setRule] = useState<Rule>(STARTING_RULE);
  const [name, setName] = useState("");
  const [when, setWhen] = useState("");
  const [localTime, setLocalTime] = useState(true);
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <Section title={t("campaigns.list")}>
        {state.kind === "loading" && <Loading />}
        {state.kind === "error" && <ErrorState message={state.message} onRetry={reload} />}
        {state.kind === "loaded" &&
          (campaigns.length === 0 ? (
            <Text size={3}>{t("page.empty")}</Text>
          ) : (
            campaigns.map((c) => (
              <Box key={c.id} display="flex" flexDirection="column" gap={2}>
                <Box display="flex" gap={2} alignItems="center">
                  <Text size={4} fontWeight="bold">
                    {c.name}
                  </Text>
                  <StatusBadge tone="info">{c.status}</StatusBadge>
                </Box>
                <QuotaBar label={t("campaigns.progress")} used={c.sent} total={c.recipients} detail={`${formatCount(locale, c.sent)} / ${formatCount(locale, c.recipients)}`} />
              </Box>
            ))
          ))}
      </Section>
      <Section title={t("campaigns.new")}>
        <CampaignWizard
          canAdvance={(step) => step !== "segment" || name.trim().length > 0}
          onLaunch={() => undefined}
          steps={{
            segment: (
              <Box display="flex" flexDirection="column" gap={3}>
                <Field label={t("campaigns.name")} htmlFor="campaign-name">
                  <input id="campaign-name" value={name} onChange={(e) => setName(e.target.value)} />
                </Field>
                <RuleBuilder value={rule} onChange={setRule} onPreview={preview} currency="TRY" />
              </Box>
            ),
            template: <Text size={3}>{t("campaigns.templateStep")}</Text>,
            schedule: (
              <Box display="flex" flexDirection="column" gap={3}>
                <Field label={t("campaigns.when")} htmlFor="campaign-when">
                  <input id="campaign-when" type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} />
                </Field>
                <label className="ulak-check">
                  <input type="checkbox" checked={localTime} onChange={(e) => setLocalTime(e.target.checked)} /> {t("campaigns.localTime")}
                </label>
              </Box>
            ),
            review: <Text size={3}>{t("campaigns.reviewPending")}</Text>,
          }}
        />
      </Section>
    </Box>
  );
}
