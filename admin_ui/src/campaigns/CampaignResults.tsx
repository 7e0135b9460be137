/**
 * A campaign's results: what its messages did (delivered, read, clicks, replies, opt-outs),
 * what they earned (orders, revenue) and cost, from the dashboard's own reports
 * (campaign.results), and the holdout lift with its confidence interval and group sizes
 * (campaign.holdoutLift). Every figure goes through the locale's formatters.
 */
import { Box, Text } from "@saleor/macaw-ui";
import { CAMPAIGN_RESULTS } from "../api/queries";
import { useAdminQuery } from "../api/useAdmin";
import { ErrorState, Loading } from "../components/ui";
import { formatCount, formatDate, formatDecimal, formatMoney, formatPercent, useLocale, useT, type Locale, type MessageKey, type Translate } from "../i18n";
import { CostBasisNote } from "../cost/CostBasisNote";
import type { CostBasis } from "../cost/types";
import type { CampaignResultFigures, CampaignStatus, HoldoutLift } from "./types";

interface ResultsAnswer {
  campaign: {
    id: string;
    name: string;
    status: CampaignStatus;
    holdoutPercent: number;
    startedAt: string | null;
    results: CampaignResultFigures | null;
    holdoutLift: HoldoutLift;
  } | null;
}

function Figures({ results }: { results: CampaignResultFigures }) {
  const t = useT();
  const locale = useLocale();
  const n = (x: number) => formatCount(locale, x);
  const share = (x: number) => (results.sent > 0 ? t("results.rate", { rate: formatPercent(locale, x / results.sent) }) : null);
  const revenue = Object.entries(results.revenue);
  const rows: [MessageKey, string, string | null][] = [
    ["results.sent", n(results.sent), null],
    ["results.delivered", n(results.delivered), share(results.delivered)],
    ["results.read", n(results.read), share(results.read)],
    ["results.clicked", n(results.clicked), share(results.clicked)],
    ["results.replied", n(results.replied), share(results.replied)],
    ["results.optedOut", n(results.optedOut), share(results.optedOut)],
    ["results.orders", n(results.orders), null],
    ["results.revenue", revenue.length ? revenue.map(([currency, amount]) => formatMoney(locale, amount, currency)).join(" + ") : formatCount(locale, 0), null],
    ["results.cost", formatMoney(locale, results.cost, results.costCurrency), null],
  ];
  return (
    <dl className="ulak-figures" aria-label={t("results.figures")} data-testid="campaign-results">
      {rows.map(([key, value, detail]) => (
        <div key={key}>
          <dt>{t(key)}</dt>
          <dd>{value}</dd>
          {detail && <dd className="ulak-figure-detail">{detail}</dd>}
        </div>
      ))}
    </dl>
  );
}

/** Lift in percentage points of the order rate ("+20 points", 95 % interval "+4.3 to +34.9"). */
function liftLines(lift: HoldoutLift, locale: Locale, t: Translate): string[] {
  const n = (x: number) => formatCount(locale, x);
  const points = (x: number) => formatDecimal(locale, x * 100, 1, true);
  const lines = [
    t("results.liftGroups", {
      hours: n(lift.windowHours),
      treated: n(lift.treated),
      treatedRate: formatPercent(locale, lift.treatedRate),
      treatedConversions: n(lift.treatedConversions),
      holdout: n(lift.holdout),
      holdoutRate: formatPercent(locale, lift.holdoutRate),
      holdoutConversions: n(lift.holdoutConversions),
    }),
  ];
  if (lift.enoughData) lines.push(t("results.liftValue", { lift: points(lift.absoluteLift) }));
  if (lift.intervalLow !== null && lift.intervalHigh !== null) {
    lines.push(t("results.liftInterval", { confidence: formatPercent(locale, lift.confidence), low: points(lift.intervalLow), high: points(lift.intervalHigh) }));
  }
  const note = locale === "tr" ? lift.noteTr : lift.note;
  if (!lift.enoughData && note) lines.push(note);
  return lines;
}

export function CampaignResults({ id }: { id: string }) {
  const t = useT();
  const locale = useLocale();
  const { state, reload } = useAdminQuery<ResultsAnswer>(CAMPAIGN_RESULTS, { id });
  if (state.kind === "loading") return <Loading />;
  if (state.kind === "error") return <ErrorState message={state.message} onRetry={reload} />;
  const campaign = state.data.campaign;
  if (!campaign) return <Text size={3}>{t("page.empty")}</Text>;
  if (!campaign.results) return <Text size={3}>{t("results.notStarted")}</Text>;
  const lift = campaign.holdoutLift;
  return (
    <Box display="flex" flexDirection="column" gap={3}>
      <Text as="p" size={3} color="default2">
        {t("results.since", { date: formatDate(locale, campaign.results.since) })}
      </Text>
      <Figures results={campaign.results} />
      {campaign.results.billingCurrency && <CostBasisNote basis={campaign.results as CostBasis} testId="campaign-results-cost-basis" />}
      <Box as="section" aria-label={t("results.lift")} display="flex" flexDirection="column" gap={1} data-testid="campaign-lift">
        <Text as="h5" size={4} fontWeight="bold">
          {t("results.lift")}
        </Text>
        {campaign.holdoutPercent === 0 && lift.holdout === 0 ? (
          <Text as="p" size={3}>
            {t("results.liftNoHoldout")}
          </Text>
        ) : (
          liftLines(lift, locale, t).map((line) => (
            <Text as="p" size={3} key={line}>
              {line}
            </Text>
          ))
        )}
      </Box>
    </Box>
  );
}
