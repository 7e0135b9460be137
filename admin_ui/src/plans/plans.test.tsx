import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderWithApi } from "../test/render";
import { PlanComparison } from "./PlanComparison";
import { PlanLock } from "./PlanLock";

const FEATURES = [
  { code: "own_segments", label: "your own segments", labelTr: "kendi segmentleriniz", requiredPlan: "SILVER", included: false },
  { code: "ab_testing", label: "A/B tests", labelTr: "A/B testleri", requiredPlan: "GOLD", included: false },
];
export const CATALOGUE = {
  current: "FREE",
  plans: [
    { plan: "FREE", priceTry: "0", monthlyQuota: 500, campaignMaxRecipients: 250, features: [], current: true },
    { plan: "SILVER", priceTry: "500", monthlyQuota: 10000, campaignMaxRecipients: null, features: ["own_segments"], current: false },
    { plan: "GOLD", priceTry: "1250", monthlyQuota: 50000, campaignMaxRecipients: null, features: ["own_segments", "ab_testing"], current: false },
  ],
  features: FEATURES,
};
const USAGE = { plan: "GOLD", monthlyQuota: 50000, usedThisMonth: 0, remaining: 50000, periodStart: "2026-01-01T00:00:00+00:00", priceTry: "1250" };

describe("PlanComparison", () => {
  it("compares the plans in Turkish and asks before switching", async () => {
    const changed: unknown[] = [];
    renderWithApi(
      <PlanComparison onChanged={() => undefined} />,
      (query, variables) => {
        if (query.includes("UlakChangePlan")) {
          changed.push(variables);
          return { changePlan: { usage: USAGE, errors: [] } };
        }
        return { planCatalogue: CATALOGUE };
      },
      "tr",
    );
    const gold = await screen.findByTestId("plan-GOLD");
    expect(gold.textContent).toContain("Altın");
    expect(gold.textContent).toMatch(/aylık ₺1\.250,00/);
    expect(gold.textContent).toContain("ayda 50.000 mesaj");
    expect(screen.getByTestId("plan-FREE").textContent).toContain("En fazla 250 alıcılı kampanyalar");
    await userEvent.click(screen.getByRole("button", { name: "Altın pakete geç" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("Kazanacaklarınız: kendi segmentleriniz, A/B testleri.");
    expect(changed).toEqual([]);
    await userEvent.click(screen.getByRole("button", { name: "Paketi değiştir" }));
    await waitFor(() => expect(changed).toEqual([{ plan: "GOLD" }]));
    expect(await screen.findByText("Paketiniz artık Altın.")).toBeTruthy();
  });
});

describe("PlanLock", () => {
  it("says a feature needs a higher plan before the merchant builds it", async () => {
    renderWithApi(<PlanLock feature="ab_testing" />, () => ({ planCatalogue: CATALOGUE }));
    const note = await screen.findByTestId("plan-lock-ab_testing");
    expect(note.textContent).toContain("A/B tests needs the Gold plan");
    expect(note.textContent).toContain("Your Free plan does not include A/B tests.");
  });

  it("stays silent when the plan includes it", async () => {
    const gold = { ...CATALOGUE, current: "GOLD", features: FEATURES.map((f) => ({ ...f, included: true })) };
    const { container, fetch } = renderWithApi(<PlanLock feature="ab_testing" />, () => ({ planCatalogue: gold }));
    await waitFor(() => expect(fetch).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 20));
    expect(container.textContent).toBe("");
  });
});
