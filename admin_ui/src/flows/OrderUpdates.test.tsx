/** The order-updates screen as a merchant uses it: one switch for all, each event named, alerts with the fix. */
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { FlowsPage } from "../pages/FlowsPage";
import { OnboardingPage } from "../pages/OnboardingPage";
import { renderWithApi, type Answer } from "../test/render";

const ORDER_KEYS = ["order_created", "order_paid", "order_fulfilled", "order_cancelled", "order_refunded"];
const ALERT = {
  flowKey: "order_fulfilled",
  reason: { code: "template_missing", text: "The template does not exist", textTr: "Şablon yok", fix: "Install the starter templates.", fixTr: "Hazır şablonları yükleyin.", alerts: true },
  firstSeenAt: "2026-01-02T10:00:00+00:00",
  lastSeenAt: "2026-01-02T11:00:00+00:00",
  templateName: "ulak_order_fulfilled",
  orderId: "T3JkZXI6MQ==",
  checkoutId: null,
};

function api(enabled: Record<string, boolean>, calls: string[]): Answer {
  const flow = (key: string) => ({
    id: key,
    key,
    enabled: enabled[key] ?? false,
    orderUpdate: ORDER_KEYS.includes(key),
    channels: [],
    templateNames: [`ulak_${key}`],
    options: key === "order_fulfilled" ? { carrier: null } : {},
    steps: key === "cart_recovery" ? [{ position: 1, delayMinutes: 60, templateName: "ulak_cart_recovery_1", discountCode: null }, { position: 2, delayMinutes: 1440, templateName: "ulak_cart_recovery_2", discountCode: null }] : [],
    funnel: null,
    alerts: key === "order_fulfilled" && enabled[key] ? [ALERT] : [],
  });
  return (query, variables) => {
    if (query.includes("UlakSetFlowEnabled")) {
      calls.push(`${String(variables.id)}=${String(variables.enabled)}`);
      enabled[variables.id as string] = variables.enabled as boolean;
      return { setFlowEnabled: { flow: { id: variables.id, enabled: variables.enabled, alerts: [] }, errors: [] } };
    }
    if (query.includes("UlakFlowExtras")) {
      return { carriers: [{ key: "yurtici", name: "Yurtiçi Kargo", trackingUrl: "https://y.example/{tracking_number}", confirmed: true }], templates: { edges: [] } };
    }
    if (query.includes("UlakOnboarding")) return { store: { name: "Demo", domain: "d", status: "ACTIVE", plan: "FREE" }, whatsappAccounts: [], storeSettings: { storefrontUrl: null, checkoutUrlTemplate: null } };
    return { flows: [...ORDER_KEYS, "cart_recovery"].map(flow) };
  };
}

describe("Order updates", () => {
  it("groups the five order updates under one switch that turns them all on", async () => {
    const calls: string[] = [];
    renderWithApi(<FlowsPage />, api({}, calls));
    const group = await screen.findByRole("region", { name: "Order updates" });
    for (const name of ["Order confirmation", "Payment received", "Shipping update", "Order cancelled", "Refund issued"]) {
      expect(within(group).getByRole("switch", { name })).toBeTruthy();
    }
    await userEvent.click(within(group).getByRole("switch", { name: "Send order updates" }));
    await waitFor(() => expect(calls).toEqual(ORDER_KEYS.map((k) => `${k}=true`)));
    expect(within(group).getByText("Tracking link carrier")).toBeTruthy();
    // the on-but-skipping shipping update shows why and the fix
    const alert = await within(group).findByRole("alert");
    expect(alert.textContent).toContain("The template does not exist");
    expect(alert.textContent).toContain("Install the starter templates.");
  });

  it("reads in Turkish with delays in hours and days, and no raw codes", async () => {
    renderWithApi(<FlowsPage />, api({ order_fulfilled: true }, []), "tr");
    const group = await screen.findByRole("region", { name: "Sipariş bildirimleri" });
    expect(within(group).getByRole("alert").textContent).toContain("Hazır şablonları yükleyin.");
    const steps = screen.getByRole("list", { name: "Mesajlar ve gecikmeler" });
    expect(steps.textContent).toContain("Sepet bırakıldıktan 1 saat sonra");
    expect(steps.textContent).toContain("Sepet bırakıldıktan 1 gün sonra");
    expect(document.body.textContent).not.toMatch(/template_missing|(?<!ulak_)order_created|Akış\b/);
  });

  it("makes turning order updates on the first onboarding step", async () => {
    const calls: string[] = [];
    renderWithApi(<OnboardingPage />, api({}, calls));
    const steps = await screen.findByRole("list", { name: "Setup steps" });
    const first = within(steps).getAllByRole("listitem")[0]!;
    expect(first.textContent).toContain("Turn on order updates");
    await userEvent.click(await within(first).findByRole("switch", { name: "Send order updates" }));
    await waitFor(() => expect(calls).toHaveLength(5));
  });
});
