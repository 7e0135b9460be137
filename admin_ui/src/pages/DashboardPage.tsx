/** Numbers over time and the top reasons messages were skipped or failed (dashboardMetrics),
 * under the plan quota's warning when 80 % or more of it is used. */
import { Box, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { DASHBOARD } from "../api/queries";
import { useAdminQuery } from "../api/useAdmin";
import { BarChart, LineChart } from "../components/Chart";
import { ErrorState, Field, Loading, Section } from "../components/ui";
import { formatCount, formatDay, useLocale, useT } from "../i18n";
import { useReasons } from "../messages/reasons";
import { PlanQuotaBanner } from "../plan/QuotaBanner";

interface Daily {
  date: string;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  replied: number;
  optedOut: number;
  /** Decimal text (money is never a float on the wire). */
  revenue: string;
  cost: string;
}
interface Reason {
  reason: string;
  count: number;
}
interface Metrics {
  daily: Daily[];
  topSkipReasons: Reason[];
  topFailureReasons: Reason[];
}

export function DashboardPage() {
  const t = useT();
  const locale = useLocale();
  const [days, setDays] = useState(30);
  const { state, reload } = useAdminQuery<{ dashboardMetrics: Metrics }>(DASHBOARD, { days });
  const count = (n: number) => formatCount(locale, n);
  const reasonText = useReasons();
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <PlanQuotaBanner />
      <Box __maxWidth="220px">
        <Field label={t("dashboard.range")} htmlFor="range">
          <select id="range" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {[7, 30, 90].map((d) => (
              <option key={d} value={d}>
                {t("dashboard.lastDays", { days: d })}
              </option>
            ))}
          </select>
        </Field>
      </Box>
      {state.kind === "loading" && <Loading />}
      {state.kind === "error" && <ErrorState message={state.message} onRetry={reload} />}
      {state.kind === "loaded" && (() => {
        const m = state.data.dashboardMetrics;
        const labels = m.daily.map((d) => formatDay(locale, d.date));
        const pick = (k: keyof Omit<Daily, "date">) => m.daily.map((d) => Number(d[k]));
        return (
          <>
            <Section title={t("dashboard.messages")}>
              <LineChart
                title={t("dashboard.messages")}
                labels={labels}
                format={count}
                series={[
                  { label: t("metric.sent"), values: pick("sent") },
                  { label: t("metric.delivered"), values: pick("delivered") },
                  { label: t("metric.read"), values: pick("read") },
                  { label: t("metric.clicked"), values: pick("clicked") },
                  { label: t("metric.replied"), values: pick("replied") },
                  { label: t("metric.optedOut"), values: pick("optedOut") },
                ]}
              />
            </Section>
            <Section title={t("dashboard.money")}>
              <BarChart title={t("dashboard.money")} labels={labels} series={[{ label: t("metric.revenue"), values: pick("revenue") }, { label: t("metric.cost"), values: pick("cost") }]} />
            </Section>
            <div className="ulak-grid">
              <Section title={t("dashboard.skipReasons")}>
                {m.topSkipReasons.length === 0 ? <Text size={3}>{t("page.empty")}</Text> : <BarChart title={t("dashboard.skipReasons")} labels={m.topSkipReasons.map((r) => reasonText(r.reason).text)} series={[{ label: t("dashboard.count"), values: m.topSkipReasons.map((r) => r.count) }]} format={count} />}
              </Section>
              <Section title={t("dashboard.failureReasons")}>
                {m.topFailureReasons.length === 0 ? <Text size={3}>{t("page.empty")}</Text> : <BarChart title={t("dashboard.failureReasons")} labels={m.topFailureReasons.map((r) => reasonText(r.reason).text)} series={[{ label: t("dashboard.count"), values: m.topFailureReasons.map((r) => r.count) }]} format={count} />}
              </Section>
            </div>
          </>
        );
      })()}
    </Box>
  );
}
