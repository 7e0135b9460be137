import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithApi } from "../test/render";
import { PlanQuotaBanner } from "./QuotaBanner";

const USAGE = { plan: "FREE", monthlyQuota: 500, usedThisMonth: 400, remaining: 100, periodStart: "2026-01-01T00:00:00+00:00", priceTry: "0", warningLevel: 80, resetsAt: "2026-01-31T21:00:00+00:00", resetsOn: "2026-02-01", heldMessages: 0 };

describe("PlanQuotaBanner (the dashboard's)", () => {
  it("warns at 80 % in Turkish with the date the count starts again", async () => {
    renderWithApi(<PlanQuotaBanner />, () => ({ planUsage: USAGE }), "tr");
    const banner = await screen.findByRole("status");
    expect(banner.textContent).toContain("Bu ayın pazarlama kotasının %80 kadarı kullanıldı");
    expect(banner.textContent).toContain("500 pazarlama mesajının 400 tanesi gönderildi");
    expect(banner.textContent).toContain("1 Şub 2026");
    expect(banner.textContent).toContain("Ayarlar → Paket ve kullanım");
  });

  it("says nothing below 80 %", async () => {
    const { fetch } = renderWithApi(<PlanQuotaBanner />, () => ({ planUsage: { ...USAGE, usedThisMonth: 399, warningLevel: 0 } }));
    await waitFor(() => expect(fetch).toHaveBeenCalled());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByRole("status")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
