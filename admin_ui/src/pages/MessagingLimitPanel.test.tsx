import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithApi } from "../test/render";
import { MessagingLimitPanel } from "./MessagingLimitPanel";

const LIMIT = {
  tierName: "TIER_2K",
  tier: 2000,
  used: 1850,
  reserve: 200,
  available: 150,
  marketingAvailable: 0,
  nextFreeAt: "2026-12-05T09:30:00+00:00",
  throughputMps: 80,
  readAt: "2026-12-05T06:00:00+00:00",
};

describe("MessagingLimitPanel", () => {
  it("shows the 24-hour window, the campaigns' share and the order updates' reserve", async () => {
    renderWithApi(<MessagingLimitPanel />, () => ({ messagingLimit: LIMIT }));
    const panel = await screen.findByRole("group", { name: "Meta's messaging limit" });
    expect(panel.textContent).toContain("Up to 2,000 people in any 24 hours");
    expect(panel.textContent).toContain("Reached in the last 24 hours: 1,850");
    expect(panel.textContent).toContain("Campaigns may still reach 0 more");
    expect(panel.textContent).toContain("Order updates may reach 150 more");
    expect(panel.textContent).toContain("200 kept for order updates");
    expect(panel.textContent).toContain("Speed: 80 messages per second");
  });

  it("says it in Turkish, and an unlimited tier has no window", async () => {
    renderWithApi(<MessagingLimitPanel />, () => ({ messagingLimit: { ...LIMIT, tierName: "TIER_UNLIMITED", tier: null, reserve: 0, available: null, marketingAvailable: null, nextFreeAt: null, throughputMps: 1000 } }), "tr");
    const panel = await screen.findByRole("group", { name: "Meta mesajlaşma sınırı" });
    expect(panel.textContent).toContain("Mesaj gönderebileceğiniz kişi sayısında sınır yok");
    expect(panel.textContent).toContain("Hız: saniyede 1.000 mesaj");
    expect(panel.textContent).not.toContain("Kampanyalar");
  });
});
