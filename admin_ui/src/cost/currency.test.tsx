/**
 * The currency a cost is in (issue 18 point 3): Ulak prices with Meta's USD rate cards while
 * Meta bills the account in its own currency. A business billed in EUR sees its figure in USD
 * with a note saying so (never a USD figure labelled as euros), a billing currency not yet read
 * from Meta is marked as the store's setting, and the campaign's results after launch carry the
 * same note as the dashboard and the estimate — in English and Turkish.
 */
import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { CampaignResults } from "../campaigns/CampaignResults";
import { renderWithApi } from "../test/render";
import { CostBasisNote } from "./CostBasisNote";
import type { CostBasis } from "./types";

const EUR_BILLED: CostBasis = {
  billingCurrency: "EUR",
  billingCurrencySource: "META",
  rateCardCurrency: "USD",
  rateCardDate: "2026-04-01",
  staleSince: null,
  staleFigures: [],
  costInStoreCurrency: null,
  volumeTiers: [],
};

const LIFT = {
  windowHours: 72, treated: 0, treatedConversions: 0, treatedRate: 0, holdout: 0, holdoutConversions: 0, holdoutRate: 0,
  absoluteLift: 0, intervalLow: null, intervalHigh: null, confidence: 0.95, enoughData: false, notEnoughData: null, note: null, noteTr: null,
};

describe("a cost's currency", () => {
  it("says Meta bills in EUR and the figure is the USD card's, in English", () => {
    renderWithApi(<CostBasisNote basis={EUR_BILLED} />, () => ({}));
    expect(screen.getByTestId("cost-basis").textContent).toContain("Meta bills you in EUR; priced with the rate card of 1 Apr 2026.");
    expect(screen.getByTestId("cost-basis-currency").textContent).toBe(
      "Meta bills you in EUR, but the rate card is in USD: this figure is in USD, not the amount Meta bills in EUR. Set an exchange rate in Settings to see it in your store's currency.",
    );
  });

  it("says the same in Turkish", () => {
    renderWithApi(<CostBasisNote basis={EUR_BILLED} />, () => ({}), "tr");
    expect(screen.getByTestId("cost-basis-currency").textContent).toBe(
      "Meta sizi EUR ile faturalandırıyor, ancak fiyat tablosu USD cinsinden: bu tutar USD olarak gösterilir, Meta'nın EUR ile kestiği tutar değildir. Mağazanızın para biriminde görmek için Ayarlar'da bir kur girin.",
    );
  });

  it("marks a billing currency not yet read from Meta, and says nothing more when Meta bills in the card's USD", () => {
    const { unmount } = renderWithApi(<CostBasisNote basis={{ ...EUR_BILLED, billingCurrency: "USD", billingCurrencySource: "SETTING" }} />, () => ({}));
    expect(screen.getAllByTestId("cost-basis-currency").map((n) => n.textContent)).toEqual([
      "Your billing currency has not been read from Meta yet: USD is the store's setting.",
    ]);
    unmount();
    renderWithApi(<CostBasisNote basis={{ ...EUR_BILLED, billingCurrency: "USD" }} />, () => ({}));
    expect(screen.queryByTestId("cost-basis-currency")).toBeNull();
  });

  it("is on the campaign's results after launch, beside its cost", async () => {
    const results = { since: "2026-12-01T09:00:00Z", sent: 3, delivered: 3, read: 1, clicked: 0, replied: 0, optedOut: 0, orders: 0, revenue: {}, cost: "0.0327", costCurrency: "USD", ...EUR_BILLED };
    const campaign = { id: "7", name: "Kış", status: "COMPLETED", holdoutPercent: 0, startedAt: results.since, results, holdoutLift: LIFT };
    renderWithApi(<CampaignResults id="7" />, (query) => (query.includes("UlakCampaignResults") && query.includes("rateCardCurrency") ? { campaign } : new Error("unexpected")));
    const note = await screen.findByTestId("campaign-results-cost-basis-currency");
    expect(note.textContent).toContain("Meta bills you in EUR, but the rate card is in USD");
    expect(screen.getByTestId("campaign-results").textContent).toMatch(/\$0\.03|USD\s?0\.03/);
  });
});
