import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { CATALOGUE } from "../plans/plans.test";
import { renderWithApi } from "../test/render";
import { PLAN_USAGE, STORE_SETTINGS } from "../test/settings";
import { ContactsPage } from "./ContactsPage";
import { OnboardingPage } from "./OnboardingPage";
import { SettingsPage } from "./SettingsPage";

const SETTINGS = STORE_SETTINGS;
const USAGE = PLAN_USAGE;

describe("SettingsPage", () => {
  it("shows plan usage and saves the changed settings", async () => {
    const sent: Record<string, unknown>[] = [];
    renderWithApi(<SettingsPage />, (query, variables) => {
      if (query.includes("UlakUpdateSettings")) {
        sent.push(variables);
        const input = variables.input as Record<string, unknown>;
        return { updateStoreSettings: { settings: { ...SETTINGS, ...input }, errors: [] } };
      }
      if (query.includes("UlakPlanCatalogue")) return { planCatalogue: CATALOGUE };
      return { storeSettings: SETTINGS, planUsage: USAGE, staffTestNumbers: [], pickupPoint: null };
    });
    const meter = await screen.findByRole("meter", { name: "Marketing messages this month" });
    expect(meter.getAttribute("aria-valuetext")).toBe("25%");
    expect(screen.getByText(/starts again 1 Feb 2026/)).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull(); // 25 %: no quota warning
    fireEvent.change(screen.getByLabelText("Quiet from"), { target: { value: "22:30" } });
    fireEvent.change(screen.getByLabelText("A reply with one of these words opts the contact out"), { target: { value: "STOP, IPTAL ," } });
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Saved.")).toBeTruthy();
    expect(sent[0]).toMatchObject({ input: { quietHoursStart: "22:30", optoutKeywords: ["STOP", "IPTAL"], marketingCap24h: 1, defaultRegion: "TR" } });
  });

  it("finds the store's time zone by typing part of its name, and will not save without one, in Turkish", async () => {
    // given the settings of a store in Istanbul, in Turkish
    const user = userEvent.setup();
    const sent: Record<string, unknown>[] = [];
    renderWithApi(
      <SettingsPage />,
      (query, variables) => {
        if (query.includes("UlakUpdateSettings")) {
          sent.push(variables);
          return { updateStoreSettings: { settings: { ...SETTINGS, ...(variables.input as object) }, errors: [] } };
        }
        return query.includes("UlakPlanCatalogue") ? { planCatalogue: CATALOGUE } : { storeSettings: SETTINGS, planUsage: USAGE, staffTestNumbers: [], pickupPoint: null };
      },
      "tr",
    );
    // then the picker shows the store's zone
    const zone = (await screen.findByRole("combobox", { name: /^Saat dilimi/ })) as HTMLInputElement;
    expect(zone.value).toBe("Europe/Istanbul");
    // (its arrow, a pointer-only icon carrying toggle-button ARIA, is hidden from screen readers)
    expect(zone.closest("label")!.querySelector('[id$="-toggle-button"]')!.getAttribute("aria-hidden")).toBe("true");

    // when the merchant types part of a name, only the zones that contain it are offered
    await user.clear(zone);
    await user.type(zone, "toky");
    expect(screen.getAllByRole("option").map((o) => o.textContent)).toEqual(["Asia/Tokyo"]);
    await user.type(zone, "xyz");
    expect(screen.queryAllByRole("option")).toEqual([]);
    expect(screen.getByText("Yazdığınızla eşleşen bir seçenek yok.")).toBeTruthy();

    // and an emptied zone is not sent: the field says what is missing
    await user.clear(zone);
    await user.click(screen.getByRole("button", { name: "Kaydet" }));
    expect(await screen.findByText("Mağazanın saat dilimini seçin.")).toBeTruthy();
    expect(zone.getAttribute("aria-invalid")).toBe("true");
    expect(sent).toEqual([]);

    // when a zone is picked from the narrowed list, that zone is saved
    await user.type(zone, "toky");
    await user.click(screen.getByRole("option", { name: "Asia/Tokyo" }));
    expect(zone.value).toBe("Asia/Tokyo");
    await user.click(screen.getByRole("button", { name: "Kaydet" }));
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toMatchObject({ input: { timezone: "Asia/Tokyo" } });
  });

  it("warns at 100 % with the held messages and their date, and clears after an upgrade", async () => {
    const full = { ...USAGE, usedThisMonth: 500, remaining: 0, warningLevel: 100, heldMessages: 12 };
    renderWithApi(<SettingsPage />, (query) =>
      query.includes("UlakChangePlan")
        ? { changePlan: { usage: { ...full, plan: "SILVER", monthlyQuota: 10000, remaining: 9500, warningLevel: 0, heldMessages: 0 }, errors: [] } }
        : query.includes("UlakPlanCatalogue")
          ? { planCatalogue: CATALOGUE }
          : { storeSettings: SETTINGS, planUsage: full, staffTestNumbers: [], pickupPoint: null },
    );
    const banner = await screen.findByRole("alert");
    expect(within(banner).getByText("This month's marketing quota is used up")).toBeTruthy();
    expect(within(banner).getByText(/12 marketing messages are waiting: they go out on 1 Feb 2026/)).toBeTruthy();
    expect(screen.getByRole("meter", { name: "Marketing messages this month" }).className).toContain("ulak-quota-critical");
    // the upgrade goes through the plan comparison, after its confirmation
    await userEvent.click(await screen.findByRole("button", { name: "Switch to Silver" }));
    await screen.findByRole("dialog");
    await userEvent.click(screen.getByRole("button", { name: "Switch plan" }));
    await waitFor(() => expect(screen.queryByText("This month's marketing quota is used up")).toBeNull());
  });

  it("shows a refused field's error in Turkish", async () => {
    renderWithApi(
      <SettingsPage />,
      (query) =>
        query.includes("UlakUpdateSettings")
          ? { updateStoreSettings: { settings: null, errors: [{ field: "marketingCap24h", code: "OUT_OF_RANGE", message: "Too big.", messageTr: "Çok büyük." }] } }
          : query.includes("UlakPlanCatalogue")
            ? { planCatalogue: CATALOGUE }
            : { storeSettings: SETTINGS, planUsage: USAGE, staffTestNumbers: [], pickupPoint: null },
      "tr",
    );
    await userEvent.click(await screen.findByRole("button", { name: "Kaydet" }));
    expect((await screen.findByText("Çok büyük.")).closest("[role=alert]")).toBeTruthy();
    expect(screen.getByLabelText("24 saatte en fazla").getAttribute("aria-invalid")).toBe("true");
  });
});

describe("OnboardingPage", () => {
  it("shows the sandbox number as connected and the missing flows API honestly", async () => {
    renderWithApi(<OnboardingPage />, (query) => {
      if (query.includes("UlakFlows")) return new Error("Cannot query field 'flows' on type 'Query'.");
      return {
        store: { name: "Demo", domain: "d", status: "active", plan: "FREE" },
        whatsappAccounts: [
          { id: "1", phoneNumberId: "sandbox-1", wabaId: "w", displayPhone: "+90 555 000 00 01", isSandbox: true, isDefault: true, status: "active", statusReason: null, qualityRating: "GREEN", messagingLimitTier: null, sentThisMonth: 0, createdAt: "2026-01-01T00:00:00+00:00" },
        ],
        storeSettings: { storefrontUrl: null, checkoutUrlTemplate: null },
      };
    });
    expect((await screen.findByTestId("whatsapp-account")).textContent).toContain("+90 555 000 00 01");
    expect(screen.getByText("1 of 4 steps done")).toBeTruthy();
    expect((await screen.findByRole("alert")).textContent).toContain("Cannot query field 'flows'");
  });

  it("connects a number with the ids, token and sandbox choice typed into macaw-ui's fields", async () => {
    const sent: Record<string, unknown>[] = [];
    renderWithApi(<OnboardingPage />, (query, variables) => {
      if (query.includes("UlakConnectWhatsApp")) {
        sent.push(variables);
        return { connectWhatsApp: { account: null, errors: [{ field: "accessToken", code: "invalid", message: "The token was refused.", messageTr: "Anahtar reddedildi." }] } };
      }
      if (query.includes("UlakFlows")) return { flows: [] };
      return { store: { name: "Demo", domain: "d", status: "active", plan: "FREE" }, whatsappAccounts: [], storeSettings: { storefrontUrl: null, checkoutUrlTemplate: null } };
    });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Phone number ID"), "999000111");
    await user.type(screen.getByLabelText("WhatsApp Business Account ID"), "waba-1");
    await user.type(screen.getByLabelText("Access token"), "secret");
    await user.click(screen.getByRole("checkbox", { name: /sandbox/i }));
    await user.click(screen.getByRole("button", { name: "Check and connect" }));
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({ input: { phoneNumberId: "999000111", wabaId: "waba-1", accessToken: "secret", sandbox: true } });
    expect((await screen.findByRole("alert")).textContent).toContain("The token was refused.");
    expect(screen.getByLabelText("Access token").getAttribute("aria-invalid")).toBe("true");
  });
});

const REASONS = [
  { code: "pair_rate", text: "Spacing messages to the same customer", textTr: "Aynı müşteriye mesajlar aralıklı", fix: null, fixTr: null, alerts: false },
  { code: "no_consent", text: "No consent for this kind of message", textTr: "Bu tür mesaj için izin yok", fix: null, fixTr: null, alerts: false },
];

describe("ContactsPage", () => {
  it("searches, opens a contact and shows its consent timeline and conversation", async () => {
    const consents = [
      { purpose: "MARKETING", granted: false, action: "REVOKED", at: "2026-01-02T10:00:00+00:00", source: "WHATSAPP_KEYWORD" },
      { purpose: "TRANSACTIONAL", granted: true, action: "GRANTED", at: "2026-01-01T10:00:00+00:00", source: "ORDER" },
    ];
    window.location.hash = "#/contacts";
    const person = { id: "7", phone: "+905551112233", firstName: "Ayşe", lastName: "Y", email: null, country: "TR", lastInboundAt: "2026-01-02T10:00:00+00:00", consents };
    renderWithApi(<ContactsPage />, (query, variables) => {
      if (query.includes("UlakContactList")) {
        const filter = variables.filter as Record<string, string>;
        const hit = filter.search === "2233" && filter.consent === undefined;
        return { contactList: { totalCount: hit ? 1 : 0, edges: hit ? [{ node: person }] : [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } }, segments: [] };
      }
      if (query.includes("UlakContactActivity")) return { contactActivity: { orders: [{ orderId: "o1", createdAt: "2026-01-01T10:00:00+00:00", total: "1234.50", currency: "TRY", status: "fulfilled", cancelled: false }], clicks: 3, lastClickAt: null } };
      if (query.includes("UlakIys")) return { iysAlerts: [], iysBatches: [] };
      if (query.includes("UlakReasonCodes")) return { reasonCodes: REASONS };
      const message = { templateName: null, kind: null, status: null, statusReason: null, errorCode: null, errorMessage: null };
      return {
        contact: {
          ...person,
          serviceWindowOpen: false,
          ordersCount: 1,
          totalSpent: [{ currency: "TRY", amount: "1234.50" }],
          lastOrderAt: "2026-01-01T10:00:00+00:00",
          serviceWindowOpenUntil: null,
          consentTimeline: [
            { id: "1", purpose: "MARKETING", action: "GRANTED", source: "CHECKOUT", occurredAt: "2026-01-01T10:00:00+00:00", textVersion: "v1" },
            { id: "2", purpose: "MARKETING", action: "REVOKED", source: "WHATSAPP_KEYWORD", occurredAt: "2026-01-02T10:00:00+00:00", textVersion: null },
          ],
        },
        conversation: {
          edges: [
            // newest first, as the API lists them
            { node: { ...message, id: "outbound:3", direction: "OUTBOUND", at: "2026-01-02T11:00:00+00:00", text: null, templateName: "promo", status: "SUPPRESSED", statusReason: "no_consent" } },
            { node: { ...message, id: "outbound:4", direction: "OUTBOUND", at: "2026-01-02T10:00:01+00:00", text: "Çıkarıldınız.", kind: "SERVICE_REPLY", status: "SCHEDULED", statusReason: "pair_rate" } },
            { node: { ...message, id: "inbound:2", direction: "INBOUND", at: "2026-01-02T10:00:00+00:00", text: "STOP" } },
            { node: { ...message, id: "outbound:1", direction: "OUTBOUND", at: "2026-01-01T11:00:00+00:00", text: "Sepetiniz bekliyor", kind: "CART_RECOVERY", status: "READ" } },
          ],
        },
      };
    });
    expect(await screen.findByText("No contacts match.")).toBeTruthy();
    await userEvent.type(screen.getByLabelText("Search by phone, name or email"), "2233");
    await userEvent.click(screen.getByRole("button", { name: "Search" }));
    expect((await screen.findByTestId("contacts-total")).textContent).toBe("1–1 of 1 contacts");
    const row = screen.getByRole("link", { name: /Ayşe Y/ });
    expect(row.getAttribute("href")).toBe("#/contacts/7");
    window.location.hash = "#/contacts/7";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    const figures = await screen.findByTestId("contact-figures");
    expect(figures.textContent).toMatch(/TRY\s1,234\.50/);
    await waitFor(() => expect(figures.textContent).toContain("Link clicks3"));
    expect(screen.getByRole("link", { name: "← All contacts" })).toBeTruthy();
    const timeline = await screen.findByRole("list", { name: "Consent timeline" });
    const facts = within(timeline).getAllByRole("listitem").map((li) => li.textContent ?? "");
    expect(facts[0]).toContain("Consented · Marketing");
    expect(facts[0]).toContain("at checkout");
    expect(facts[1]).toContain("Opted out · Marketing");
    expect(facts[1]).toContain("WhatsApp keyword");
    expect(screen.getAllByText("Opted out").length).toBeGreaterThan(0);
    const chat = screen.getByRole("list", { name: "Conversation" });
    const bubbles = within(chat).getAllByRole("listitem").map((li) => li.textContent ?? "");
    expect(bubbles[0]).toContain("Store: Sepetiniz bekliyor");
    expect(bubbles[1]).toContain("Customer: STOP");
    await waitFor(() => expect(within(chat).getAllByRole("listitem")[2]?.textContent).toContain("waiting: Spacing messages"));
    expect(bubbles[0]).toContain("Read");
    expect(bubbles[3]).toContain("Template message “promo”");
    expect(within(chat).getAllByRole("listitem")[3]?.textContent).toContain("Not sent · skipped: No consent");
    expect(document.body.textContent).not.toMatch(/GRANTED|REVOKED|SUPPRESSED|no_consent|pair_rate/);
    expect(screen.getByText(/service window is closed/)).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Erase contact" }));
    expect(screen.getByRole("dialog", { name: "Erase this contact for good?" })).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });
});
