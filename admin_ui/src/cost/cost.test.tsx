/**
 * What the merchant reads beside a cost and in Settings (issue 18 point 3): Meta's billing
 * currency and the rate card's date, the upper-bound note on a stale figure, Meta's volume
 * tier, the amount in the store's currency only at the merchant's own dated rate, and the
 * Marketing Messages API onboarding status — in English and Turkish, from the API's answers.
 */
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { CampaignReview } from "../campaigns/CampaignReview";
import type { CampaignEstimate } from "../campaigns/types";
import { Headline, type HeadlineData } from "../insights/Headline";
import { renderWithApi } from "../test/render";
import { ExchangeRateSection, decimalText } from "./ExchangeRateSection";
import { MmApiStatusSection } from "./MmApiStatusSection";
import type { CostBasis, CostSettings, MmApiAccount } from "./types";

const RATE = { rate: "34.12", rateDate: "2026-12-01", base: "USD", quote: "TRY" };
const BASIS: CostBasis = {
  billingCurrency: "USD",
  rateCardDate: "2026-04-01",
  staleSince: "2026-04-01",
  staleFigures: [
    { country: "TR", category: "authentication", since: "2026-04-01", upperBound: true },
    { country: "TR", category: "authentication_international", since: "2026-04-01", upperBound: true },
    { country: "TR", category: "utility", since: "2026-04-01", upperBound: true },
  ],
  costInStoreCurrency: { amount: "1234.56", currency: "TRY", exchangeRate: RATE },
  volumeTiers: [{ category: "UTILITY", region: "TURKEY", effectiveMonth: "2026-12", tier: "25000001:50000000", aboveFirstTier: true }],
};
const HEADLINE: HeadlineData = {
  sent: 10,
  delivered: 9,
  read: 5,
  clicked: 1,
  replied: 1,
  optedOut: 0,
  failed: 0,
  orders: 1,
  deliveredRate: "0.9",
  readRate: "0.55",
  revenue: [],
  revenueCurrency: "TRY",
  cost: "36.1829",
  costCurrency: "USD",
  returnOnSpend: null,
  ...BASIS,
};

describe("the dashboard's cost", () => {
  it("says Meta's currency, the rate card's date, the upper bound, the tier and the amount at the merchant's rate", () => {
    renderWithApi(<Headline data={HEADLINE} />, () => ({}));
    const note = screen.getByTestId("cost-basis");
    expect(note.textContent).toContain("Meta bills you in USD; priced with the rate card of 1 Apr 2026.");
    expect(screen.getByTestId("cost-basis-converted").textContent).toMatch(/^≈ (TRY|₺)\s?1,234\.56 at 34\.12 on 1 Dec 2026$/);
    const [stale] = screen.getAllByTestId("cost-basis-stale");
    expect(stale!.textContent).toMatch(/^T(urkey|ürkiye): Meta changed the authentication and utility rates on 1 Apr 2026 .* upper bound: Meta may bill less\.$/);
    expect(screen.getByTestId("cost-basis-tiers").textContent).toBe(
      "Meta's volume tier this month: utility in TURKEY, 25,000,001–50,000,000 messages. Above the first tier Meta bills less than the list price Ulak uses, so this figure is an upper bound.",
    );
  });

  it("says it in Turkish, with Turkish numbers", () => {
    renderWithApi(<Headline data={HEADLINE} />, () => ({}), "tr");
    expect(screen.getByTestId("cost-basis-converted").textContent).toMatch(/^≈ (₺1\.234,56|1\.234,56 ₺), 1 Ara 2026 tarihli 34,12 kuruyla$/);
    expect(screen.getByTestId("cost-basis-stale").textContent).toMatch(/Meta kimlik doğrulama ve bilgilendirme ücretlerini 1 Nis 2026 tarihinde değiştirdi.*üst sınırdır/);
  });

  it("converts nothing and notes nothing when the API says so", () => {
    renderWithApi(<Headline data={{ ...HEADLINE, staleSince: null, staleFigures: [], costInStoreCurrency: null, volumeTiers: [] }} />, () => ({}));
    expect(screen.queryByTestId("cost-basis-converted")).toBeNull();
    expect(screen.queryByTestId("cost-basis-stale")).toBeNull();
    expect(screen.queryByTestId("cost-basis-tiers")).toBeNull();
  });
});

describe("the campaign estimate", () => {
  it("shows the basis under the estimated cost", () => {
    const estimate: CampaignEstimate = {
      audience: 2,
      holdout: 0,
      consented: 2,
      messages: 2,
      cost: "0.0218",
      costCurrency: "USD",
      byCountry: {},
      dailyTier: null,
      exceedsDailyTier: false,
      daysNeeded: 1,
      planLimit: null,
      withinPlanLimit: true,
      ...BASIS,
      staleSince: null,
      staleFigures: [],
      costInStoreCurrency: { amount: "0.74", currency: "TRY", exchangeRate: RATE },
    };
    renderWithApi(
      <CampaignReview
        summary={{ name: "Sale", audience: "All", when: "Now" }}
        previews={[]}
        estimate={estimate}
        testPhone=""
        onTestPhoneChange={() => undefined}
        onSendTest={() => undefined}
        testSent={false}
        acceptTier={false}
        onAcceptTierChange={() => undefined}
      />,
      () => ({}),
    );
    const cost = screen.getByTestId("review-cost");
    expect(cost.textContent).toContain("Meta bills you in USD; priced with the rate card of 1 Apr 2026.");
    expect(within(cost).getByTestId("review-cost-basis-converted").textContent).toMatch(/0\.74 at 34\.12 on 1 Dec 2026/);
  });
});

function rateApi(sent: Record<string, unknown>[], refuse = false) {
  let settings: CostSettings = { billingCurrency: "USD", storeCurrency: "TRY", exchangeRate: null };
  return (query: string, variables: Record<string, unknown>) => {
    if (query.includes("UlakSetExchangeRate")) {
      sent.push(variables);
      if (refuse)
        return { setExchangeRate: { costSettings: null, errors: [{ field: "rateDate", code: "FUTURE_DATE", message: "The rate's date cannot be in the future: use a rate you already know.", messageTr: "Kurun tarihi gelecekte olamaz: bilinen bir kuru girin." }] } };
      settings = { ...settings, exchangeRate: variables.rate ? { ...RATE, rate: String(variables.rate), rateDate: String(variables.rateDate) } : null };
      return { setExchangeRate: { costSettings: settings, errors: [] } };
    }
    return { costSettings: settings };
  };
}

describe("Settings: the exchange rate", () => {
  it("reads a Turkish decimal comma and sends the rate with its date", async () => {
    const sent: Record<string, unknown>[] = [];
    renderWithApi(<ExchangeRateSection />, rateApi(sent));
    const section = await screen.findByRole("region", { name: "Costs in your store's currency" });
    expect(within(section).getByTestId("exchange-rate-current").textContent).toBe("No rate set: costs are shown in USD only.");
    await userEvent.type(within(section).getByLabelText("1 USD in TRY"), "34,12");
    await userEvent.type(within(section).getByLabelText("Date of the rate"), "2026-12-01");
    await userEvent.click(within(section).getByRole("button", { name: "Save rate" }));
    await waitFor(() => expect(sent).toEqual([{ rate: "34.12", rateDate: "2026-12-01" }]));
    expect(within(section).getByTestId("exchange-rate-current").textContent).toBe("Your rate: 1 USD = 34.12 TRY on 1 Dec 2026.");
  });

  it("shows the API's refusal in Turkish", async () => {
    renderWithApi(<ExchangeRateSection />, rateApi([], true), "tr");
    const section = await screen.findByRole("region", { name: "Mağazanızın para biriminde maliyetler" });
    await userEvent.type(within(section).getByLabelText("1 USD kaç TRY"), "34,12");
    await userEvent.click(within(section).getByRole("button", { name: "Kuru kaydet" }));
    expect(await within(section).findByText(/Kurun tarihi gelecekte olamaz/)).toBeTruthy();
  });

  it("turns typed decimals into the API's text", () => {
    expect(["34,12", "34.12", "1.234,5", " 0,5 "].map(decimalText)).toEqual(["34.12", "34.12", "1234.5", "0.5"]);
  });
});

const ACCOUNT: MmApiAccount = { id: "1", displayPhone: "+90 555 000 00 01", isDefault: true, status: "active", mmApiStatus: "ONBOARDED", mmApiStatusReadAt: "2026-12-05T06:00:00+00:00", marketingViaMmApi: true };

describe("Settings: the Marketing Messages API", () => {
  it("says the business is onboarded, when Meta was read and the road marketing takes", async () => {
    renderWithApi(<MmApiStatusSection />, () => ({ whatsappAccounts: [ACCOUNT] }));
    const status = await screen.findByTestId("mm-api-status");
    expect(status.textContent).toContain("Onboarded: your business may send marketing through the Marketing Messages API.");
    expect(status.textContent).toContain("Read from Meta at 5 Dec 2026");
    expect(status.textContent).toContain("Marketing messages now go through the Marketing Messages API.");
  });

  it("says not onboarded and unknown in Turkish", async () => {
    const accounts = [
      { ...ACCOUNT, mmApiStatus: "ELIGIBLE", marketingViaMmApi: false },
      { ...ACCOUNT, id: "2", mmApiStatus: null, mmApiStatusReadAt: null, marketingViaMmApi: false },
    ];
    renderWithApi(<MmApiStatusSection />, () => ({ whatsappAccounts: accounts }), "tr");
    const [eligible, unknown] = await screen.findAllByTestId("mm-api-status");
    expect(eligible!.textContent).toContain("Kayıtlı değil: işletmeniz uygun");
    expect(eligible!.textContent).toContain("Cloud API üzerinden gidiyor");
    expect(unknown!.textContent).toContain("Bilinmiyor: Meta'ya henüz sorulmadı ya da yanıt vermedi.");
    expect(unknown!.textContent).toContain("Henüz Meta'dan okunmadı.");
  });
});
