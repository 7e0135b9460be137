/**
 * Is it working and is it paying: open sending-health alerts, the headline cards, charts that
 * never hide each other (grouped bars; revenue and cost each on their own axis and currency),
 * good outcomes apart from problems, and — when nothing was sent — the next step to take.
 * Every figure is the API's (`dashboardMetrics`: analytics' rollups, attribution and cost).
 */
import { Box, Select } from "@saleor/macaw-ui";
import { useState } from "react";
import { DASHBOARD } from "../api/queries";
import { useAdminQuery } from "../api/useAdmin";
import { BarChart } from "../components/Chart";
import { ErrorState, Loading, Section } from "../components/ui";
import { formatCount, formatDay, formatMoney, useLocale, useT } from "../i18n";
import { Headline, type HeadlineData } from "../insights/Headline";
import { NextSteps, type Setup } from "../insights/NextSteps";
import { ReasonList, type ReasonCount } from "../insights/Reasons";
import { SendingAlerts } from "../insights/SendingAlerts";
import { PlanQuotaBanner } from "../plan/QuotaBanner";

interface Daily {
  date: string;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  replied: number;
  optedOut: number;
  orders: number;
  /** Decimal text (money is never a float on the wire). */
  revenue: string;
  cost: string;
}
interface Metrics {
  daily: Daily[];
  headline: HeadlineData;
  setup: Setup;
  topSkipReasons: ReasonCount[];
  topReachedReasons: ReasonCount[];
  topFailureReasons: ReasonCount[];
}

const RANGES = [7, 30, 90];

export function DashboardPage() {
  const t = useT();
  const locale = useLocale();
  const [days, setDays] = useState(30);
  const { state, reload } = useAdminQuery<{ dashboardMetrics: Metrics }>(DASHBOARD, { days });
  const count = (n: number) => formatCount(locale, n);
  const options = RANGES.map((d) => ({ value: String(d), label: t("dashboard.lastDays", { days: d }) }));
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <PlanQuotaBanner />
      <SendingAlerts />
      <Box __maxWidth="240px">
        <Select label={t("dashboard.range")} options={options} value={options.find((o) => o.value === String(days)) ?? options[1]!} onChange={(o: { value: string }) => setDays(Number(o.value))} data-testid="dashboard-range" />
      </Box>
      {state.kind === "loading" && <Loading />}
      {state.kind === "error" && <ErrorState message={state.message} onRetry={reload} />}
      {state.kind === "loaded" &&
        (() => {
          const m = state.data.dashboardMetrics;
          const h = m.headline;
          const labels = m.daily.map((d) => formatDay(locale, d.date));
          const pick = (k: keyof Omit<Daily, "date">) => m.daily.map((d) => Number(d[k]));
          const money = (currency: string) => (n: number) => formatMoney(locale, n, currency);
          if (h.sent === 0 && h.orders === 0) {
            return (
              <Section title={t("dashboard.working")}>
                <NextSteps setup={m.setup} />
              </Section>
            );
          }
          return (
            <>
              <Box padding={5} borderRadius={4} borderWidth={1} borderStyle="solid" borderColor="default1">
                <Headline data={h} />
              </Box>
              <div className="ulak-grid ulak-grid-wide">
                <Section title={t("dashboard.messages")}>
                  <BarChart title={t("dashboard.messages")} labels={labels} format={count} series={[{ label: t("metric.sent"), values: pick("sent") }, { label: t("metric.delivered"), values: pick("delivered") }]} />
                </Section>
                <Section title={t("dashboard.engagement")}>
                  <BarChart title={t("dashboard.engagement")} labels={labels} format={count} series={[{ label: t("metric.read"), values: pick("read") }, { label: t("metric.clicked"), values: pick("clicked") }, { label: t("metric.replied"), values: pick("replied") }]} />
                </Section>
                <Section title={t("dashboard.money", { currency: h.revenueCurrency })}>
                  <BarChart title={t("dashboard.money", { currency: h.revenueCurrency })} labels={labels} format={money(h.revenueCurrency)} series={[{ label: t("metric.revenue"), values: pick("revenue") }]} />
                </Section>
                <Section title={t("dashboard.costChart", { currency: h.costCurrency })}>
                  <BarChart title={t("dashboard.costChart", { currency: h.costCurrency })} labels={labels} format={money(h.costCurrency)} series={[{ label: t("metric.cost"), values: pick("cost") }]} />
                </Section>
              </div>
              <div className="ulak-grid ulak-grid-wide">
                <ReasonList testId="reached-reasons" good title={t("dashboard.reachedReasons")} help={t("dashboard.reachedHelp")} empty={t("dashboard.noOutcomes")} reasons={m.topReachedReasons} />
                <ReasonList testId="skip-reasons" good={false} title={t("dashboard.skipReasons")} empty={t("dashboard.noProblems")} reasons={m.topSkipReasons} />
                <ReasonList testId="failure-reasons" good={false} title={t("dashboard.failureReasons")} empty={t("dashboard.noProblems")} reasons={m.topFailureReasons} />
              </div>
            </>
          );
        })()}
    </Box>
  );
}
