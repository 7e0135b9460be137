import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ZERO, campaignsApi, pick, type Calls } from "../test/campaigns";
import { renderWithApi } from "../test/render";
import { CampaignProgressPanel } from "./CampaignProgress";
import { NewCampaign } from "./NewCampaign";

async function walkToReview(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByLabelText("Campaign name"), "Yeni sezon");
  expect(await screen.findByText("1,234 contacts in this audience now (before consent and caps).")).toBeTruthy();
  await user.click(screen.getByRole("button", { name: "Next" }));
  await pick(user, "Template (variant A)", /^yeni_sezon/);
  expect(screen.getByRole("figure", { name: "WhatsApp message preview" }).textContent).toContain("Merhaba Ayşe, yeni sezon başladı!");
  await user.click(screen.getByRole("button", { name: "Next" }));
  expect(screen.getByText(/Quiet hours 21:00–09:00 \(Europe\/Istanbul\)/)).toBeTruthy();
  await user.click(screen.getByRole("button", { name: "Next" }));
}

describe("NewCampaign: the review step", () => {
  it("saves and estimates on the way in, and launches only after a test and the tier is accepted", async () => {
    // given a store with a saved segment and an approved template
    const user = userEvent.setup();
    const calls: Calls = {};
    const onLaunched = vi.fn();
    renderWithApi(<NewCampaign onLaunched={onLaunched} />, campaignsApi(calls));

    // when the merchant walks to the review
    await walkToReview(user);

    // then the draft was saved as chosen and the review shows recipients, cost and the tier
    expect(calls.UlakSaveCampaign![0]).toEqual({
      id: null,
      input: {
        name: "Yeni sezon",
        variants: [{ key: "A", templateName: "yeni_sezon", templateLanguage: "tr", share: null, bodyFields: ["first_name"], fallbacks: {} }],
        builtinSegment: null,
        segmentId: "5",
        holdoutPercent: 0,
        sendMode: "NOW",
        sendAt: null,
        localDate: null,
        localTime: null,
      },
    });
    expect(calls.UlakEstimateCampaign).toEqual([{ id: "77" }]);
    // the review shows the message itself, as the backend's message builder filled it
    expect(calls.UlakCampaignMessage).toEqual([{ id: "77" }]);
    const message = await screen.findByTestId("review-message");
    expect(within(message).getByRole("figure", { name: "WhatsApp message preview" }).textContent).toContain("Merhaba Ayşe, yeni sezon başladı!Durdurmak için DUR yazın");
    expect(within(screen.getByTestId("campaign-review")).queryByText("yeni_sezon")).toBeNull();
    expect((await screen.findByTestId("review-recipients")).textContent).toBe("Messages to send: 1,200. 1,200 of the 1,234 contacts in the audience have marketing consent.");
    expect(screen.getByTestId("review-cost").textContent).toBe("$13.08 in Meta's charges");
    expect(screen.getByTestId("review-tier").textContent).toContain("Your number may message 250 people a day, so sending takes 5 days.");
    const launch = screen.getByRole("button", { name: "Launch campaign" }) as HTMLButtonElement;
    expect(launch.disabled).toBe(true);

    // when a test goes to a staff phone, launch still waits for the tier to be accepted
    await user.type(screen.getByLabelText("Staff phone for the test"), "+90 555 000 00 01");
    await user.click(screen.getByRole("button", { name: "Send test" }));
    expect(await screen.findByText("Test queued for the staff phone. Check it, then launch.")).toBeTruthy();
    expect(calls.UlakSendCampaignTest).toEqual([{ id: "77", phone: "+905550000001" }]);
    expect(launch.disabled).toBe(true);
    await user.click(screen.getByRole("checkbox", { name: "Send over 5 days" }));
    expect(launch.disabled).toBe(false);

    // then launching sends the acceptance and hands the running campaign to the page
    await user.click(launch);
    await waitFor(() => expect(onLaunched).toHaveBeenCalledTimes(1));
    expect(calls.UlakLaunchCampaign).toEqual([{ id: "77", acceptDailyTier: true }]);
    expect(onLaunched.mock.calls[0]![0]).toMatchObject({ id: "77", status: "RUNNING" });
  });

  it("stays on the schedule step and explains a refusal in Turkish", async () => {
    // given a plan without scheduling: saveCampaign refuses
    const user = userEvent.setup();
    const calls: Calls = {};
    const refusal = { field: null, code: "PLAN_LIMIT", message: "Upgrade to Silver.", messageTr: "Planınız zamanlanmış kampanyalar içermiyor. Gümüş plana geçin." };
    renderWithApi(<NewCampaign onLaunched={vi.fn()} />, campaignsApi(calls, { UlakSaveCampaign: () => ({ saveCampaign: { campaign: null, errors: [refusal] } }) }), "tr");

    // when the merchant walks to the review with a send time
    await user.type(await screen.findByLabelText("Kampanya adı"), "Yeni sezon");
    await user.click(screen.getByRole("button", { name: "İleri" }));
    await pick(user, "Şablon (varyant A)", /^yeni_sezon/);
    await user.click(screen.getByRole("button", { name: "İleri" }));
    await user.click(screen.getByRole("radio", { name: "Belirli bir zamanda (Gümüş)" }));
    await user.type(screen.getByLabelText("Gönderim zamanı"), "2026-03-01T10:00");
    await user.click(screen.getByRole("button", { name: "İleri" }));

    // then the refusal is shown, nothing is estimated and the step does not change
    expect((await screen.findByText(refusal.messageTr)).closest("[role=alert]")).toBeTruthy();
    expect(calls.UlakEstimateCampaign).toBeUndefined();
    expect(within(screen.getByRole("list", { name: "Kampanya adımları" })).getByText("3. Zamanlama").getAttribute("aria-current")).toBe("step");
    expect((calls.UlakSaveCampaign![0]!.input as { sendMode: string; sendAt: string }).sendMode).toBe("AT");
    // and the time typed was read on the store's clock (Istanbul, UTC+3), as the field's hint says
    expect((calls.UlakSaveCampaign![0]!.input as { sendAt: string }).sendAt).toBe("2026-03-01T07:00:00.000Z");
    expect(screen.getByText("Mağazanın saatiyle (Europe/Istanbul)")).toBeTruthy();
  });
});

/** A Free plan's catalogue: none of the wizard's paid features included. */
const FREE_CATALOGUE = {
  planCatalogue: {
    current: "FREE",
    plans: [],
    features: [
      { code: "own_segments", label: "your own segments", labelTr: "kendi segmentleriniz", requiredPlan: "SILVER", included: false },
      { code: "scheduling", label: "scheduled campaigns", labelTr: "zamanlanmış kampanyalar", requiredPlan: "SILVER", included: false },
      { code: "ab_testing", label: "A/B tests", labelTr: "A/B testleri", requiredPlan: "GOLD", included: false },
      { code: "local_time", label: "sending at each contact's local time", labelTr: "kişinin yerel saatinde gönderim", requiredPlan: "GOLD", included: false },
    ],
  },
};

describe("NewCampaign: features the plan lacks", () => {
  it("says so on the step where the merchant would build them, in Turkish", async () => {
    // given a store on the Free plan
    const user = userEvent.setup();
    renderWithApi(<NewCampaign onLaunched={vi.fn()} />, campaignsApi({}, { UlakPlanCatalogue: () => FREE_CATALOGUE }), "tr");

    // then the audience step says own segments need Silver before one is picked
    const segments = await screen.findByTestId("plan-lock-own_segments");
    expect(segments.textContent).toContain("Kendi segmentleriniz için Gümüş paket gerekir");
    // and the built-in segments need no lock
    await user.click(screen.getByRole("radio", { name: "Hazır bir segment" }));
    expect(screen.queryByTestId("plan-lock-own_segments")).toBeNull();

    // and the template step says A/B tests need Gold before a variant is added
    await user.type(screen.getByLabelText("Kampanya adı"), "Yeni sezon");
    await user.click(screen.getByRole("button", { name: "İleri" }));
    expect((await screen.findByTestId("plan-lock-ab_testing")).textContent).toContain("Altın");

    // and the schedule step says so as a paid way of sending is chosen
    await pick(user, "Şablon (varyant A)", /^yeni_sezon/);
    await user.click(screen.getByRole("button", { name: "İleri" }));
    expect(screen.queryByTestId("plan-lock-scheduling")).toBeNull();
    await user.click(screen.getByRole("radio", { name: "Belirli bir zamanda (Gümüş)" }));
    expect((await screen.findByTestId("plan-lock-scheduling")).textContent).toContain("Ücretsiz paketiniz zamanlanmış kampanyalar içermiyor");
    await user.click(screen.getByRole("radio", { name: /kendi saat diliminde/ }));
    expect((await screen.findByTestId("plan-lock-local_time")).textContent).toContain("Altın");
  });
});

describe("CampaignProgressPanel", () => {
  it("shows the outcomes and pauses, then resumes, a running campaign", async () => {
    // given a running campaign
    const user = userEvent.setup();
    let status = "RUNNING";
    const calls: Calls = {};
    const progress = () => ({
      campaign: { id: "77", name: "Yeni sezon", status, recipients: 3, counts: { ...ZERO, toSend: 3, handled: 2, queued: 1, sent: 1, delivered: 1, skipped: 1 } },
      campaignProgress: {
        status,
        recipients: 3,
        holdout: 0,
        queued: 3,
        snapshotDone: true,
        fanoutDone: true,
        waitingForWinner: 0,
        winnerVariant: null,
        byStatus: { scheduled: 1, delivered: 1, suppressed: 1 },
        byReason: { cap_24h: 1 },
        byVariant: {},
        batches: 1,
      },
    });
    renderWithApi(
      <CampaignProgressPanel id="77" />,
      campaignsApi(calls, {
        UlakCampaignProgress: progress,
        UlakReasonCodes: () => ({ reasonCodes: [{ code: "cap_24h", text: "Daily marketing limit for this customer", textTr: "Müşterinin günlük kampanya sınırı", fix: null, fixTr: null, alerts: false }] }),
        UlakPauseCampaign: () => ((status = "PAUSED"), { pauseCampaign: { campaign: { id: "77", status }, errors: [] } }),
        UlakResumeCampaign: () => ((status = "RUNNING"), { resumeCampaign: { campaign: { id: "77", status }, errors: [] } }),
      }),
    );

    // then it shows the outcomes and why one was skipped
    expect((await screen.findByTestId("campaign-outcomes")).textContent).toBe("Waiting1Waiting for quiet hours0Sent1Delivered1Read0Failed0Skipped1");
    expect(screen.getByRole("meter", { name: "Progress" }).getAttribute("aria-valuenow")).toBe("2");
    await waitFor(() => expect(screen.getByRole("list", { name: "Why messages were not sent" }).textContent).toBe("Daily marketing limit for this customer: 1"));

    // when paused, it says so and offers resume; when resumed, pause again
    await user.click(screen.getByRole("button", { name: "Pause" }));
    expect(await screen.findByRole("button", { name: "Resume" })).toBeTruthy();
    expect(screen.getByTestId("campaign-status").textContent).toBe("Paused");
    await user.click(screen.getByRole("button", { name: "Resume" }));
    expect(await screen.findByRole("button", { name: "Pause" })).toBeTruthy();
    expect(calls.UlakPauseCampaign).toEqual([{ id: "77" }]);
    expect(calls.UlakResumeCampaign).toEqual([{ id: "77" }]);
  });

  it("asks before cancelling, and cancels only when confirmed", async () => {
    const user = userEvent.setup();
    const calls: Calls = {};
    let status = "RUNNING";
    const zero = ZERO;
    renderWithApi(
      <CampaignProgressPanel id="77" />,
      campaignsApi(calls, {
        UlakCampaignProgress: () => ({
          campaign: { id: "77", name: "Yeni sezon", status, recipients: 1, counts: zero },
          campaignProgress: { status, recipients: 1, holdout: 0, queued: 0, snapshotDone: true, fanoutDone: false, waitingForWinner: 0, winnerVariant: null, byStatus: {}, byReason: {}, byVariant: {}, batches: 0 },
        }),
        UlakCancelCampaign: () => ((status = "CANCELLED"), { cancelCampaign: { campaign: { id: "77", status }, errors: [] } }),
      }),
    );
    await user.click(await screen.findByRole("button", { name: "Cancel campaign" }));
    const dialog = screen.getByRole("dialog", { name: "Cancel Yeni sezon for good?" });
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(calls.UlakCancelCampaign).toBeUndefined();
    await user.click(screen.getByRole("button", { name: "Cancel campaign" }));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Cancel campaign" }));
    await waitFor(() => expect(screen.getByTestId("campaign-status").textContent).toBe("Cancelled"));
    expect(calls.UlakCancelCampaign).toEqual([{ id: "77" }]);
    expect(screen.queryByRole("button", { name: "Cancel campaign" })).toBeNull();
  });
});
