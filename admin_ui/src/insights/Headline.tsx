/**
 * The dashboard's cards: "is it working" (sent, delivered %, read %, replies, clicks, opt-outs)
 * and "is it paying" (attributed orders and revenue, Meta's cost in its own billing currency,
 * return on spend). Every figure is the API's `headline` (analytics' totals); nothing is
 * recomputed here, only formatted.
 */
import { Box, Text } from "@saleor/macaw-ui";
import { CostBasisNote } from "../cost/CostBasisNote";
import type { CostBasis } from "../cost/types";
import { formatCount, formatMoney, formatPercent, useLocale, useT } from "../i18n";
import "./insights.css";

export interface Money {
  currency: string;
  amount: string;
}

export interface HeadlineData extends Partial<CostBasis> {
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  replied: number;
  optedOut: number;
  failed: number;
  orders: number;
  deliveredRate: string | null;
  readRate: string | null;
  revenue: Money[];
  revenueCurrency: string;
  cost: string;
  costCurrency: string;
  returnOnSpend: string | null;
}

function Card({ label, value, note, testId }: { label: string; value: string; note?: string; testId: string }) {
  return (
    <div className="ulak-card" data-testid={testId}>
      <dt>{label}</dt>
      <dd className="ulak-card-value">{value}</dd>
      {note && <dd className="ulak-card-note">{note}</dd>}
    </div>
  );
}

export function Headline({ data }: { data: HeadlineData }) {
  const t = useT();
  const locale = useLocale();
  const n = (v: number) => formatCount(locale, v);
  const rate = (r: string | null, key: "card.ofSent" | "card.ofDelivered") => (r === null ? t("card.noRate") : t(key, { rate: formatPercent(locale, r) }));
  const revenue = data.revenue.length === 0 ? formatMoney(locale, 0, data.revenueCurrency) : data.revenue.map((m) => formatMoney(locale, m.amount, m.currency)).join(" + ");
  const sameCurrency = data.revenueCurrency === data.costCurrency;
  const ros =
    data.returnOnSpend === null
      ? "—"
      : sameCurrency
        ? `${new Intl.NumberFormat(locale === "tr" ? "tr-TR" : "en-US", { maximumFractionDigits: 1 }).format(Number(data.returnOnSpend))}×`
        : formatMoney(locale, data.returnOnSpend, data.revenueCurrency);
  const rosNote =
    data.returnOnSpend === null
      ? t("card.returnNone")
      : t("card.returnLine", { revenue: formatMoney(locale, data.returnOnSpend, data.revenueCurrency), cost: formatMoney(locale, 1, data.costCurrency) });
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <Box display="flex" flexDirection="column" gap={2}>
        <Text as="h3" size={5} fontWeight="bold">
          {t("dashboard.working")}
        </Text>
        <dl className="ulak-cards">
          <Card testId="card-sent" label={t("card.sent")} value={n(data.sent)} />
          <Card testId="card-delivered" label={t("card.delivered")} value={n(data.delivered)} note={rate(data.deliveredRate, "card.ofSent")} />
          <Card testId="card-read" label={t("card.read")} value={n(data.read)} note={rate(data.readRate, "card.ofDelivered")} />
          <Card testId="card-replies" label={t("card.replies")} value={n(data.replied)} />
          <Card testId="card-clicks" label={t("card.clicks")} value={n(data.clicked)} />
          <Card testId="card-optouts" label={t("card.optOuts")} value={n(data.optedOut)} />
        </dl>
      </Box>
      <Box display="flex" flexDirection="column" gap={2}>
        <Text as="h3" size={5} fontWeight="bold">
          {t("dashboard.paying")}
        </Text>
        <dl className="ulak-cards">
          <Card testId="card-orders" label={t("card.orders")} value={n(data.orders)} />
          <Card testId="card-revenue" label={t("card.revenue")} value={revenue} />
          <Card testId="card-cost" label={t("card.cost", { currency: data.costCurrency })} value={formatMoney(locale, data.cost, data.costCurrency)} note={sameCurrency ? undefined : t("card.costNote", { currency: data.costCurrency })} />
          <Card testId="card-return" label={t("card.return")} value={ros} note={rosNote} />
        </dl>
        {data.billingCurrency && <CostBasisNote basis={data as CostBasis} testId="cost-basis" />}
      </Box>
    </Box>
  );
}
