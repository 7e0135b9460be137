/**
 * What a cost figure rests on, under the figure: the currency Meta bills in and the rate card's
 * date, the amount in the store's currency when the merchant set a dated rate ("≈ 1.234,56 ₺ at
 * 34,12 on 1 Dec 2026"), a note where a figure is only an upper bound (a rate Meta changed
 * without a known new figure), and Meta's volume tiers of the month. Everything comes from the
 * admin API's cost basis; nothing is computed here but the wording.
 */
import { Box, Text } from "@saleor/macaw-ui";
import { formatCount, formatMoney, useLocale, useT, type Locale, type MessageKey, type Translate } from "../i18n";
import { currencyNotes } from "./currencyNotes";
import type { CostBasis, StaleFigure, VolumeTier } from "./types";

const tag = (locale: Locale) => (locale === "tr" ? "tr-TR" : "en-US");

/** A date of the API ("2026-04-01") in the locale's words ("1 Apr 2026" / "1 Nis 2026"). */
export function formatIsoDate(locale: Locale, iso: string): string {
  const d = new Date(`${iso.slice(0, 10)}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale === "tr" ? "tr-TR" : "en-GB", { dateStyle: "medium", timeZone: "UTC" }).format(d);
}

/** An exchange rate as decimal text ("34.12") in the locale's style ("34,12"), every digit kept. */
export function formatRate(locale: Locale, rate: string): string {
  const n = Number(rate);
  if (!Number.isFinite(n)) return rate;
  return new Intl.NumberFormat(tag(locale), { maximumFractionDigits: 6 }).format(n);
}

function countryName(locale: Locale, code: string): string {
  try {
    return new Intl.DisplayNames([tag(locale)], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

function category(t: Translate, name: string): string {
  const key = `cost.category.${name.toLowerCase()}` as MessageKey;
  return (t(key) as string | undefined) ?? name.toLowerCase();
}

/** One sentence per country and date: "Türkiye: ... utility and authentication rates ...". */
function staleNotes(t: Translate, locale: Locale, figures: StaleFigure[]): string[] {
  const groups = new Map<string, StaleFigure[]>();
  for (const f of figures) {
    const key = `${f.country}|${f.since}|${f.upperBound}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const names = [...new Set(group.filter((f) => !f.category.endsWith("_international")).map((f) => category(t, f.category)))];
    const params = { country: countryName(locale, first.country), categories: names.join(t("cost.and")), date: formatIsoDate(locale, first.since) };
    return t(first.upperBound ? "cost.stale" : "cost.staleUnknown", params);
  });
}

function band(locale: Locale, tier: string): string {
  const [low, high] = tier.split(":").map((x) => x.trim());
  const n = (x: string | undefined) => (x && /^\d+$/.test(x) ? formatCount(locale, Number(x)) : (x ?? ""));
  return high ? `${n(low)}–${n(high)}` : `${n(low)}+`;
}

function tierLine(t: Translate, locale: Locale, tiers: VolumeTier[]): string {
  const parts = tiers.map((v) => t("cost.tier", { category: category(t, v.category), region: v.region, band: band(locale, v.tier) }));
  return t("cost.tiers", { tiers: parts.join("; ") });
}

export function CostBasisNote({ basis, testId = "cost-basis" }: { basis: CostBasis; testId?: string }) {
  const t = useT();
  const locale = useLocale();
  const converted = basis.costInStoreCurrency;
  const stale = staleNotes(t, locale, basis.staleFigures);
  const aboveFirst = basis.volumeTiers.some((v) => v.aboveFirstTier);
  return (
    <Box as="div" display="flex" flexDirection="column" gap={1} data-testid={testId}>
      {converted && (
        <Text as="p" size={4} fontWeight="bold" data-testid={`${testId}-converted`} title={t("cost.convertedHelp", { currency: basis.billingCurrency })}>
          {t("cost.converted", {
            amount: formatMoney(locale, converted.amount, converted.currency),
            rate: formatRate(locale, converted.exchangeRate.rate),
            date: formatIsoDate(locale, converted.exchangeRate.rateDate),
          })}
        </Text>
      )}
      <Text as="p" size={2} color="default2">
        {basis.rateCardDate ? t("cost.basis", { currency: basis.billingCurrency, date: formatIsoDate(locale, basis.rateCardDate) }) : t("cost.basisNoCard", { currency: basis.billingCurrency })}
      </Text>
      {currencyNotes(t, basis).map((note) => (
        <Text as="p" size={2} color="warning1" key={note} data-testid={`${testId}-currency`}>
          {note}
        </Text>
      ))}
      {stale.map((note) => (
        <Text as="p" size={2} color="warning1" key={note} data-testid={`${testId}-stale`}>
          {note}
        </Text>
      ))}
      {basis.volumeTiers.length > 0 && (
        <Text as="p" size={2} color="default2" data-testid={`${testId}-tiers`}>
          {tierLine(t, locale, basis.volumeTiers)} {aboveFirst ? t("cost.tierNote") : ""}
        </Text>
      )}
    </Box>
  );
}
