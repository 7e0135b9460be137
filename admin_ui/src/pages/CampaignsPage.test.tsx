import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { ZERO, campaign } from "../test/campaigns";
import { isoToZoned, zonedToIso } from "../i18n";
import { renderWithApi } from "../test/render";
import { CampaignsPage } from "./CampaignsPage";

/** The next 09:00 on the store's clock (Istanbul; quiet hours 21:00–09:00 end then). */
function nextNine(): string {
  const today = isoToZoned(new Date().toISOString(), "Europe/Istanbul").slice(0, 10);
  const nine = new Date(zonedToIso(`${today}T09:00`, "Europe/Istanbul")!);
  if (nine.getTime() <= Date.now()) nine.setTime(nine.getTime() + 24 * 3600 * 1000);
  return nine.toISOString();
}

const BASE = { createdAt: "2026-12-04T20:00:00+00:00", variants: [{ key: "A", templateName: "yeni_sezon", templateLanguage: "tr", share: 100, bodyFields: ["first_name"], fallbacks: { first_name: "dostum" } }] };

// launched in quiet hours: 25 skipped at once, 46 wait for 09:00 (the campaign)
const QUIET = campaign({ ...BASE, id: "7", name: "Kış indirimi", status: "RUNNING", recipients: 71, startedAt: "2026-12-04T21:30:00+00:00", counts: { ...ZERO, toSend: 71, handled: 25, skipped: 25, queued: 46, quietHours: 46, startsAt: nextNine() } });
const DRAFT = campaign({ ...BASE, id: "8", name: "Yılbaşı", testSentAt: "2026-12-04T19:00:00+00:00" });

const OPTIONS = {
  segments: [{ id: "5", name: "İzinli müşteriler", contactCount: 71 }],
  builtinSegments: [{ key: "all_consented", label: "Everyone with marketing consent", labelTr: "Pazarlama izni olan herkes" }],
  templates: { edges: [{ node: { id: "9", name: "yeni_sezon", language: "tr", category: "MARKETING", components: [{ type: "BODY", text: "Merhaba {{1}}!", example: { body_text: [["Ayşe"]] } }] } }] },
  storeSettings: { timezone: "Europe/Istanbul", quietHoursStart: "21:00", quietHoursEnd: "09:00", marketingCap24h: 1, marketingCap7d: 3 },
  planUsage: { plan: "GOLD" },
};

const PROGRESS = {
  status: "RUNNING", recipients: 71, holdout: 0, queued: 71, snapshotDone: true, fanoutDone: true, waitingForWinner: 0,
  winnerVariant: null, byStatus: { scheduled: 46, suppressed: 25 }, byReason: { quiet_hours: 46, no_consent: 25 }, byVariant: {}, batches: 1,
};

const RESULTS = {
  id: "7", name: "Kış indirimi", status: "RUNNING", holdoutPercent: 10, startedAt: QUIET.startedAt,
  results: { since: QUIET.startedAt, sent: 50, delivered: 48, read: 30, clicked: 6, replied: 4, optedOut: 1, orders: 15, revenue: { TRY: "1234.50" }, cost: "0.5450", costCurrency: "USD" },
  holdoutLift: {
    windowHours: 72, treated: 50, holdout: 50, treatedConversions: 15, holdoutConversions: 5, treatedRate: 0.3, holdoutRate: 0.1,
    absoluteLift: 0.2, intervalLow: 0.0426, intervalHigh: 0.3487, confidence: 0.95, enoughData: true, notEnoughData: null, note: null, noteTr: null,
  },
};

type Calls = Record<string, Record<string, unknown>[]>;

function api(calls: Calls, campaigns: () => unknown[]) {
  return (query: string, variables: Record<string, unknown>) => {
    const op = /(?:query|mutation) (\w+)/.exec(query)?.[1] ?? "";
    (calls[op] ??= []).push(variables);
    switch (op) {
      case "UlakCampaigns":
        return { campaigns: { edges: campaigns().map((node) => ({ node })) } };
      case "UlakStoreTimezone":
        return { storeSettings: { timezone: "Europe/Istanbul" } };
      case "UlakCampaignOptions":
        return OPTIONS;
      case "UlakCampaignProgress":
        return { campaign: { id: "7", name: QUIET.name, status: "RUNNING", recipients: 71, counts: QUIET.counts }, campaignProgress: PROGRESS };
      case "UlakCampaignResults":
        return { campaign: RESULTS };
      case "UlakReasonCodes":
        return { reasonCodes: [] };
      case "UlakSegmentPreview":
        return { segmentPreview: { count: 71, sample: [], errors: [] } };
      case "UlakEstimateCampaign":
        return { estimateCampaign: { estimate: { audience: 71, holdout: 0, consented: 46, messages: 46, cost: "0.50", costCurrency: "USD", byCountry: {}, dailyTier: null, exceedsDailyTier: false, daysNeeded: 1, planLimit: null, withinPlanLimit: true }, errors: [] } };
      case "UlakCampaignMessage":
        return { campaign: { id: "8", messagePreviews: [{ variant: "A", templateName: "yeni_sezon", templateLanguage: "tr", problem: null, problemTr: null, preview: { header: null, body: "Merhaba Ayşe!", footer: null, buttons: [] } }] } };
      case "UlakDeleteCampaign":
        return { deleteCampaign: { campaign: { id: "8", name: DRAFT.name }, errors: [] } };
      default:
        return new Error(`unexpected ${op}`);
    }
  };
}

describe("CampaignsPage", () => {
  it("shows a campaign waiting for quiet hours with the same figures in the list and the live panel", async () => {
    // given a campaign launched in quiet hours: 25 handled, 46 waiting for 09:00
    const user = userEvent.setup();
    renderWithApi(<CampaignsPage />, api({}, () => [QUIET]));

    // then the list says it waits for quiet hours, when it starts on the store's clock, and 25 of 71 handled
    const row = (await screen.findAllByTestId("campaign-row"))[0]!;
    expect(within(row).getByText("Waiting for quiet hours")).toBeTruthy();
    expect(within(row).getByTestId("campaign-when").textContent).toBe("Starts at 09:00 (Europe/Istanbul)");
    expect(within(row).getByText("25 of 71 handled")).toBeTruthy();

    // when it is opened, the live panel shows the same figures and the whole sentence
    await user.click(within(row).getByRole("button", { name: "Open Kış indirimi" }));
    const panel = await screen.findByTestId("campaign-progress");
    expect(within(panel).getByText("25 of 71 handled")).toBeTruthy();
    expect(within(panel).getByTestId("campaign-when").textContent).toBe("46 messages wait for quiet hours to end; sending starts at 09:00 (Europe/Istanbul).");
    expect(within(panel).getByTestId("campaign-status").textContent).toBe("Waiting for quiet hours");
  });

  it("opens a campaign's results: outcomes, money and the holdout lift with its interval, in Turkish", async () => {
    const user = userEvent.setup();
    renderWithApi(<CampaignsPage />, api({}, () => [QUIET]), "tr");
    await user.click(await screen.findByRole("button", { name: "Kış indirimi kampanyasını aç" }));

    const figures = await screen.findByTestId("campaign-results");
    const value = (label: string) => within(figures).getByText(label).parentElement!.querySelector("dd")!.textContent;
    expect(value("Teslim edilen")).toBe("48");
    expect(value("Tıklama")).toBe("6");
    expect(value("Yanıt")).toBe("4");
    expect(value("İzin geri alma")).toBe("1");
    expect(value("Sipariş")).toBe("15");
    expect(value("Gelir")).toBe(new Intl.NumberFormat("tr-TR", { style: "currency", currency: "TRY" }).format(1234.5));
    expect(value("Maliyet (Meta)")).toBe(new Intl.NumberFormat("tr-TR", { style: "currency", currency: "USD" }).format(0.545));
    const lift = screen.getByTestId("campaign-lift");
    expect(lift.textContent).toContain("mesajı alan 50 kişinin %30 kadarı (15), kontrol grubundaki 50 kişinin %10 kadarı (5)");
    expect(lift.textContent).toContain("Etki: +20 puan");
    expect(lift.textContent).toContain("%95 güven aralığı: +4,3 ile +34,9 puan arası");
  });

  it("resumes a draft at its review with the rendered message, and deletes a draft only when confirmed", async () => {
    // given a saved draft whose test was sent
    const user = userEvent.setup();
    const calls: Calls = {};
    let listed: unknown[] = [DRAFT];
    renderWithApi(<CampaignsPage />, api(calls, () => listed));
    const row = (await screen.findAllByTestId("campaign-row"))[0]!;

    // when the merchant continues it, the wizard opens at the review, filled from the draft
    await user.click(within(row).getByRole("button", { name: "Continue editing" }));
    expect(await screen.findByRole("heading", { name: "Editing the draft “Yılbaşı”" })).toBeTruthy();
    expect(within(screen.getByRole("list", { name: "Campaign steps" })).getByText("4. Review").getAttribute("aria-current")).toBe("step");
    expect((await screen.findByTestId("review-message")).textContent).toContain("Merhaba Ayşe!");
    await waitFor(() => expect(calls.UlakEstimateCampaign).toEqual([{ id: "8" }]));
    expect(calls.UlakSaveCampaign).toBeUndefined();
    await waitFor(() => expect((screen.getByRole("button", { name: "Launch campaign" }) as HTMLButtonElement).disabled).toBe(false));

    // when delete is pressed and then dismissed, nothing is deleted
    await user.click(within(row).getByRole("button", { name: "Delete draft" }));
    const dialog = screen.getByRole("dialog", { name: "Delete the draft Yılbaşı?" });
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(calls.UlakDeleteCampaign).toBeUndefined();

    // when confirmed, the draft is deleted, the list reloads and the wizard starts over
    listed = [];
    await user.click(within(row).getByRole("button", { name: "Delete draft" }));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Delete draft" }));
    expect(await screen.findByText("Draft “Yılbaşı” deleted.")).toBeTruthy();
    expect(calls.UlakDeleteCampaign).toEqual([{ id: "8" }]);
    expect(await screen.findByText("No campaigns yet. Create one below.")).toBeTruthy();
    expect(screen.getByRole("heading", { name: "New campaign" })).toBeTruthy();
  });
});
