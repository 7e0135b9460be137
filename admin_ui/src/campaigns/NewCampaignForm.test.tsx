/** The wizard's fields as the merchant fills them: what Next says is missing, in both languages, and a resumed draft's fields. */
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { SCHEDULED_DRAFT, SCHEDULED_DRAFT_INPUT, campaignsApi, pick, type Calls } from "../test/campaigns";
import { renderWithApi } from "../test/render";
import { NewCampaign } from "./NewCampaign";

const currentStep = () => screen.getByRole("list", { name: /Campaign steps|Kampanya adımları/ }).querySelector('[aria-current="step"]')?.textContent;

describe("NewCampaign: what Next says is missing", () => {
  it("names each missing field in English and lets the merchant on once it is filled", async () => {
    // given a new campaign
    const user = userEvent.setup();
    const calls: Calls = {};
    renderWithApi(<NewCampaign onLaunched={vi.fn()} />, campaignsApi(calls));
    const name = (await screen.findByLabelText("Campaign name")) as HTMLInputElement;

    // when Next is pressed without a name, the step stays and says why, beside the field
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByText("Give the campaign a name.")).toBeTruthy();
    expect(name.getAttribute("aria-invalid")).toBe("true");
    expect(name.getAttribute("aria-describedby")).toBe("campaign-name-hint");
    expect(document.activeElement).toBe(name);
    expect(currentStep()).toBe("1. Segment");

    // when the name is typed, the problem goes away as it is typed and Next moves on
    await user.type(name, "Yeni sezon");
    expect(screen.queryByText("Give the campaign a name.")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(currentStep()).toBe("2. Template");

    // when Next is pressed with no template, the variant says it needs one
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByText("Choose an approved template for this variant.")).toBeTruthy();
    await pick(user, "Template (variant A)", /^yeni_sezon/);
    expect(screen.queryByText("Choose an approved template for this variant.")).toBeNull();

    // and two variants each need a share
    await user.click(screen.getByRole("button", { name: "Add a variant (A/B test, Gold)" }));
    await pick(user, "Template (variant B)", /^yeni_sezon/);
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findAllByText("Give a whole percentage from 1 to 100.")).toHaveLength(2);
    await user.type(screen.getByLabelText("Share of the audience in % (variant A)"), "50");
    await user.type(screen.getByLabelText("Share of the audience in % (variant B)"), "50");
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(currentStep()).toBe("3. Schedule");

    // when a time is to be chosen but is not, and the holdout is too large, nothing is saved
    await user.click(screen.getByRole("radio", { name: "At a set time (Silver)" }));
    const holdout = screen.getByLabelText("Holdout group (%)");
    await user.clear(holdout);
    await user.type(holdout, "80");
    expect(await screen.findByText("Give a whole number from 0 to 50.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByText("Choose when to send.")).toBeTruthy();
    expect(calls.UlakSaveCampaign).toBeUndefined();
    expect(currentStep()).toBe("3. Schedule");
  });

  it("says the same in Turkish", async () => {
    // given the dashboard in Turkish and a local-time send with no date
    const user = userEvent.setup();
    renderWithApi(<NewCampaign onLaunched={vi.fn()} />, campaignsApi({}), "tr");
    await user.click(await screen.findByRole("button", { name: "İleri" }));
    expect(await screen.findByText("Kampanyaya bir ad verin.")).toBeTruthy();
    await user.type(screen.getByLabelText("Kampanya adı"), "Yeni sezon");
    await user.click(screen.getByRole("button", { name: "İleri" }));
    await user.click(screen.getByRole("button", { name: "İleri" }));
    expect(await screen.findByText("Bu varyant için onaylı bir şablon seçin.")).toBeTruthy();
    await pick(user, "Şablon (varyant A)", /^yeni_sezon/);
    await user.click(screen.getByRole("button", { name: "İleri" }));
    await user.click(screen.getByRole("radio", { name: /kendi saat diliminde/ }));
    await user.clear(screen.getByLabelText("Yerel saat"));
    await user.click(screen.getByRole("button", { name: "İleri" }));

    // then each missing field says so in Turkish
    expect(await screen.findByText("Tarihi seçin.")).toBeTruthy();
    expect(screen.getByText("Saati seçin.")).toBeTruthy();
    expect(currentStep()).toBe("3. Zamanlama");
  });
});

describe("NewCampaign: a resumed draft", () => {
  it("opens at its review, and going back shows every field as the draft had it", async () => {
    // given a draft to segment 5, scheduled on the store's clock, with a holdout and a fallback
    const user = userEvent.setup();
    const calls: Calls = {};
    renderWithApi(<NewCampaign draft={SCHEDULED_DRAFT} onLaunched={vi.fn()} />, campaignsApi(calls));

    // then the review shows the draft and the rendered message, without saving it again
    const review = await screen.findByTestId("campaign-review");
    expect(currentStep()).toBe("4. Review");
    expect(within(review).getByText("Yılbaşı")).toBeTruthy();
    expect(within(review).getByText("İzinli müşteriler")).toBeTruthy();
    expect(within(review).getByText(/\(Europe\/Istanbul\)$/).textContent).toContain("21:00");
    expect((await screen.findByTestId("review-message")).textContent).toContain("Merhaba Ayşe, yeni sezon başladı!");
    expect(calls.UlakSaveCampaign).toBeUndefined();

    // when the merchant goes back, each step holds the draft's choices
    await user.click(screen.getByRole("button", { name: "Back" }));
    expect((screen.getByLabelText("Send at") as HTMLInputElement).value).toBe("2026-12-31T21:00");
    expect((screen.getByLabelText("Holdout group (%)") as HTMLInputElement).value).toBe("10");
    expect((screen.getByRole("radio", { name: "At a set time (Silver)" }) as HTMLElement).getAttribute("aria-checked")).toBe("true");
    await user.click(screen.getByRole("button", { name: "Back" }));
    expect(screen.getByRole("combobox", { name: "Template (variant A)" }).textContent).toContain("yeni_sezon");
    expect((screen.getByLabelText("Fallback for First name (variant A)") as HTMLInputElement).value).toBe("dostum");
    await user.click(screen.getByRole("button", { name: "Back" }));
    expect((screen.getByLabelText("Campaign name") as HTMLInputElement).value).toBe("Yılbaşı");

    // and walking forward again saves the same draft with the same input
    for (let i = 0; i < 3; i++) await user.click(screen.getByRole("button", { name: "Next" }));
    await screen.findByTestId("review-message");
    expect(calls.UlakSaveCampaign).toEqual([{ id: "8", input: SCHEDULED_DRAFT_INPUT }]);
  });
});
