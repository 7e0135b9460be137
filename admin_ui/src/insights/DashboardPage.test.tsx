import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { DashboardPage } from "../pages/DashboardPage";
import { renderWithApi } from "../test/render";

const day = (date: string, sent: number, delivered: number) => ({ date, sent, delivered, read: 1, clicked: 0, replied: 1, optedOut: 0, orders: 1, revenue: "300.00", cost: "0.0500" });
const HEADLINE = { sent: 40, delivered: 30, read: 12, clicked: 5, replied: 4, optedOut: 1, failed: 2, orders: 3, deliveredRate: "0.75", readRate: "0.4", revenue: [{ currency: "TRY", amount: "900.00" }], revenueCurrency: "TRY", cost: "1.5000", costCurrency: "USD", returnOnSpend: "600.0000" };
const SETUP = { whatsappConnected: true, orderUpdatesOn: false, cartRecoveryOn: true, campaigns: 0 };
const METRICS = {
  daily: [day("2026-03-01", 20, 15), day("2026-03-02", 20, 15)],
  headline: HEADLINE,
  setup: SETUP,
  topSkipReasons: [{ reason: "quiet_hours", count: 4 }],
  topReachedReasons: [{ reason: "ordered", count: 7 }],
  topFailureReasons: [],
};
// 25 % of the quota used: no warning banner
const USAGE = { plan: "FREE", monthlyQuota: 500, usedThisMonth: 125, remaining: 375, periodStart: "2026-01-01T00:00:00+00:00", priceTry: "0", warningLevel: 0, resetsAt: "2026-01-31T21:00:00+00:00", resetsOn: "2026-02-01", heldMessages: 0 };
const REASONS = [
  { code: "quiet_hours", text: "Quiet hours", textTr: "Sessiz saatler", fix: null, fixTr: null, alerts: false },
  { code: "ordered", text: "The customer placed the order", textTr: "Müşteri siparişi verdi", fix: null, fixTr: null, alerts: false },
];
const ALERT = { reason: { code: "number_quality_red", text: "The number's quality is red", textTr: "Numaranın kalitesi kırmızı", fix: "Pause campaigns.", fixTr: "Kampanyaları durdurun.", alerts: true, reached: false }, subject: "account:1", detail: { phone: "+90 555 000 00 00" }, openedAt: "2026-03-02T10:00:00+00:00" };

function answer(metrics: unknown, alerts: unknown[] = []) {
  return (query: string) => {
    if (query.includes("UlakReasonCodes") || query.includes("reasonCodes")) return { reasonCodes: REASONS };
    if (query.includes("UlakSendingAlerts")) return { sendingAlerts: alerts };
    if (query.includes("UlakPlanUsage")) return { planUsage: USAGE };
    return { dashboardMetrics: metrics };
  };
}

describe("DashboardPage", () => {
  it("shows the headline with rates, cost in Meta's currency and the return on spend", async () => {
    renderWithApi(<DashboardPage />, answer(METRICS));
    const delivered = await screen.findByTestId("card-delivered");
    expect(delivered.textContent).toContain("30");
    expect(delivered.textContent).toContain("75% of sent");
    expect(screen.getByTestId("card-read").textContent).toContain("40% of delivered");
    const cost = screen.getByTestId("card-cost");
    expect(cost.textContent).toContain("Cost (USD)");
    expect(cost.textContent).toContain("$1.50");
    expect(cost.textContent).not.toContain("TRY");
    expect(screen.getByTestId("card-return").textContent).toContain("per $1.00 spent");
    expect(screen.getByTestId("card-revenue").textContent).toContain("900.00");
  });

  it("keeps an ordered cart among good outcomes, apart from problems, and charts sent beside delivered", async () => {
    renderWithApi(<DashboardPage />, answer(METRICS));
    const good = await screen.findByTestId("reached-reasons");
    expect(await within(good).findByText("The customer placed the order")).toBeTruthy();
    const problems = screen.getByTestId("skip-reasons");
    expect(within(problems).queryByText("The customer placed the order")).toBeNull();
    const bars = document.querySelectorAll('rect[data-series="Sent"]');
    expect(bars.length).toBe(2);
    expect(document.querySelectorAll('rect[data-series="Delivered"]').length).toBe(2);
    expect(document.querySelector('polyline[data-series="Sent"]')).toBeNull();
  });

  it("offers the next step when nothing was sent, in Turkish", async () => {
    const empty = { ...METRICS, headline: { ...HEADLINE, sent: 0, delivered: 0, orders: 0, deliveredRate: null, readRate: null, revenue: [], returnOnSpend: null } };
    renderWithApi(<DashboardPage />, answer(empty), "tr");
    const steps = await screen.findByTestId("next-steps");
    expect(within(steps).getAllByText("Sipariş bildirimlerini açın").length).toBeGreaterThan(0);
    expect(within(steps).getAllByText("Bir kampanya oluşturun").length).toBeGreaterThan(0);
    expect(within(steps).queryByText("Bir WhatsApp numarası bağlayın")).toBeNull();
  });

  it("shows an open sending-health alert with its fix in Turkish", async () => {
    renderWithApi(<DashboardPage />, answer(METRICS, [ALERT]), "tr");
    const alert = await screen.findByTestId("sending-alert");
    expect(alert.textContent).toContain("Numaranın kalitesi kırmızı");
    expect(alert.textContent).toContain("Ne yapmalı: Kampanyaları durdurun.");
  });
});
