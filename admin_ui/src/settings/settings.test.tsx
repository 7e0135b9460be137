/**
 * The settings a merchant needs for cart recovery and staff tests, as they see them and as the
 * admin API receives them: the storefront section, the staff test numbers, the pickup point and
 * the onboarding's storefront step, in English and Turkish, with the API's refusals beside them.
 */
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { OnboardingPage } from "../pages/OnboardingPage";
import { SettingsPage } from "../pages/SettingsPage";
import type { AdminError } from "../components/ui";
import type { StoreSettings } from "../pages/types";
import { renderWithApi } from "../test/render";
import { PLAN_USAGE, STORE_SETTINGS } from "../test/settings";

const SETTINGS = STORE_SETTINGS;
const CATALOGUE = { current: "FREE", plans: [], features: [] };
const err = (field: string, code: string, message: string, messageTr: string): AdminError => ({ field, code, message, messageTr });

interface Refusals {
  settings?: AdminError[];
  staff?: AdminError[];
  pickup?: AdminError[];
}

/** A settings API that keeps what it is sent (unless told to refuse) and records every call. */
function settingsApi(sent: Record<string, Record<string, unknown>[]>, refuse: Refusals = {}, numbers: string[] = []) {
  let settings: StoreSettings = { ...SETTINGS };
  let staff = numbers;
  let pickup: Record<string, unknown> | null = null;
  const record = (name: string, variables: Record<string, unknown>) => (sent[name] ??= []).push(variables);
  return (query: string, variables: Record<string, unknown>) => {
    if (query.includes("UlakUpdateSettings")) {
      record("settings", variables);
      if (refuse.settings) return { updateStoreSettings: { settings: null, errors: refuse.settings } };
      settings = { ...settings, ...(variables.input as object) };
      return { updateStoreSettings: { settings, errors: [] } };
    }
    if (query.includes("UlakSetStaffTestNumbers")) {
      record("staff", variables);
      if (refuse.staff) return { setStaffTestNumbers: { numbers: null, errors: refuse.staff } };
      staff = (variables.numbers as string[]).map((n) => (n.startsWith("+") ? n : `+90${n.replace(/\D/g, "").replace(/^0/, "")}`));
      return { setStaffTestNumbers: { numbers: staff, errors: [] } };
    }
    if (query.includes("UlakSetPickupPoint")) {
      record("pickup", variables);
      if (refuse.pickup) return { setPickupPoint: { pickupPoint: null, errors: refuse.pickup } };
      pickup = variables;
      return { setPickupPoint: { pickupPoint: pickup, errors: [] } };
    }
    if (query.includes("UlakStaffTestNumbers")) return { staffTestNumbers: staff };
    if (query.includes("UlakPickupPoint")) return { pickupPoint: pickup };
    if (query.includes("UlakClearPickupPoint")) {
      record("clearPickup", variables);
      pickup = null;
      return { clearPickupPoint: { errors: [] } };
    }
    if (query.includes("UlakPlanCatalogue")) return { planCatalogue: CATALOGUE };
    return { storeSettings: settings, planUsage: PLAN_USAGE };
  };
}

const region = (name: string) => screen.findByRole("region", { name });

describe("Settings: storefront", () => {
  it("sends the storefront URL, checkout URL, allowed sites and daily sign-up limit, and shows the link cart recovery opens", async () => {
    const sent: Record<string, Record<string, unknown>[]> = {};
    renderWithApi(<SettingsPage />, settingsApi(sent));
    const section = await region("Storefront");
    expect(within(section).getByTestId("checkout-link").textContent).toBe("No storefront URL yet: cart recovery cannot start, as its messages would have nowhere to send shoppers.");
    expect(within(section).getByLabelText("Storefront sign-ups accepted per day")).toHaveProperty("value", "500");
    expect(within(section).getByText(/a WhatsApp message that Meta bills to your store/)).toBeTruthy();
    expect(within(section).getByText(/Empty: only your server may send them/)).toBeTruthy();
    await userEvent.type(within(section).getByLabelText("Storefront URL"), "https://shop.example.com/");
    expect(within(section).getByTestId("checkout-link").textContent).toBe("Cart recovery links open: https://shop.example.com/checkout/?checkout={checkout_token}");
    // a checkout URL without the token warns that every reminder would open the same page
    fireEvent.change(within(section).getByLabelText("Checkout URL"), { target: { value: "https://shop.example.com/sepet" } });
    expect(within(section).getByText(/has no \{checkout_token\}/)).toBeTruthy();
    fireEvent.change(within(section).getByLabelText("Checkout URL"), { target: { value: "https://shop.example.com/sepet?t={checkout_token}" } });
    expect(within(section).queryByText(/has no \{checkout_token\}/)).toBeNull();
    fireEvent.change(within(section).getByLabelText("Sites allowed to sign customers up"), { target: { value: "https://shop.example.com\n https://m.shop.example.com \n" } });
    fireEvent.change(within(section).getByLabelText("Storefront sign-ups accepted per day"), { target: { value: "200" } });
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Saved.")).toBeTruthy();
    expect(sent.settings?.[0]?.input).toMatchObject({
      storefrontUrl: "https://shop.example.com/",
      checkoutUrlTemplate: "https://shop.example.com/sepet?t={checkout_token}",
      storefrontOrigins: ["https://shop.example.com", "https://m.shop.example.com"],
      optinDailyLimit: 200,
      quietHoursStart: "21:00",
    });
    expect(within(section).getByTestId("checkout-link").textContent).toBe("Cart recovery links open: https://shop.example.com/sepet?t={checkout_token}");
    fireEvent.change(screen.getByLabelText("Quiet from"), { target: { value: "22:00" } }); // the next edit takes "Saved." away
    expect(screen.queryByText("Saved.")).toBeNull();
  });

  it("shows the API's refusals beside the storefront section in Turkish, and never sends an emptied limit as 0", async () => {
    const sent: Record<string, Record<string, unknown>[]> = {};
    const refusals = [
      err("storefrontUrl", "INVALID", "Use an http(s) URL.", "http(s) ile başlayan bir adres girin."),
      err("storefrontOrigins", "INVALID", "Give at most 20 origins.", "https://magaza.example.com gibi en çok 20 adres girin (şema ve alan adı, yol olmadan)."),
      err("marketingCap24h", "OUT_OF_RANGE", "Must be between 0 and 1000.", "0 ile 1000 arasında olmalı."),
    ];
    renderWithApi(<SettingsPage />, settingsApi(sent, { settings: refusals }), "tr");
    const section = await region("Mağaza sitesi");
    fireEvent.change(within(section).getByLabelText("Mağaza sitesinin adresi"), { target: { value: "magaza.example.com" } });
    fireEvent.change(within(section).getByLabelText("Müşteri kaydedebilecek siteler"), { target: { value: "https://magaza.example.com/yol" } });
    fireEvent.change(within(section).getByLabelText("Günde kabul edilen mağaza sitesi kaydı"), { target: { value: "" } });
    await userEvent.click(screen.getByRole("button", { name: "Kaydet" }));
    const alert = await within(section).findByRole("alert");
    expect(alert.textContent).toContain("http(s) ile başlayan bir adres girin.");
    expect(alert.textContent).toContain("şema ve alan adı, yol olmadan");
    expect(alert.textContent).not.toContain("0 ile 1000");
    expect(within(section).getByLabelText("Mağaza sitesinin adresi").getAttribute("aria-invalid")).toBe("true");
    expect(within(section).getByLabelText("Müşteri kaydedebilecek siteler").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("0 ile 1000 arasında olmalı.").closest("section")).toBeNull(); // the other field's error stays with the form
    expect(screen.queryByText("Kaydedildi.")).toBeNull();
    const input = sent.settings?.[0]?.input as Record<string, unknown>;
    expect(input).toMatchObject({ storefrontUrl: "magaza.example.com", storefrontOrigins: ["https://magaza.example.com/yol"] });
    expect(input).not.toHaveProperty("optinDailyLimit");
  });
});

describe("Settings: staff test numbers", () => {
  it("adds and removes phones, sends the list and shows it as the API kept it", async () => {
    const sent: Record<string, Record<string, unknown>[]> = {};
    renderWithApi(<SettingsPage />, settingsApi(sent, {}, ["+905550000001", "+905550000002"]));
    const section = await region("Staff test numbers");
    expect(await within(section).findByLabelText("Staff phone 1")).toHaveProperty("value", "+905550000001");
    expect(within(section).getByText(/E\.164 form: \+905551234567/)).toBeTruthy();
    await userEvent.click(within(section).getByRole("button", { name: "Remove phone 2" }));
    expect(within(section).queryByLabelText("Staff phone 2")).toBeNull();
    await userEvent.click(within(section).getByRole("button", { name: "Add a number" }));
    const added = within(section).getByLabelText("Staff phone 2");
    expect(document.activeElement).toBe(added);
    await userEvent.type(added, "0555 111 22 33");
    await userEvent.click(within(section).getByRole("button", { name: "Add a number" })); // an empty row is not sent
    await userEvent.click(within(section).getByRole("button", { name: "Save staff numbers" }));
    expect(await within(section).findByText("Saved.")).toBeTruthy();
    expect(sent.staff).toEqual([{ numbers: ["+905550000001", "0555 111 22 33"] }]);
    expect(within(section).getByLabelText("Staff phone 2")).toHaveProperty("value", "+905551112233");
    expect(within(section).queryByLabelText("Staff phone 3")).toBeNull();
    expect(sent.settings).toBeUndefined(); // the store settings form was not sent
  });

  it("says there are none yet and shows the API's refusal in Turkish", async () => {
    const sent: Record<string, Record<string, unknown>[]> = {};
    const refusal = err("numbers", "INVALID_PHONE", "'12' is not a valid mobile number.", "'12' geçerli bir cep telefonu numarası değil.");
    renderWithApi(<SettingsPage />, settingsApi(sent, { staff: [refusal] }), "tr");
    const section = await region("Personel test numaraları");
    expect(await within(section).findByText("Henüz personel test numarası yok: test mesajı gönderilemez.")).toBeTruthy();
    await userEvent.type(within(section).getByLabelText("Personel telefonu 1"), "12");
    await userEvent.click(within(section).getByRole("button", { name: "Personel numaralarını kaydet" }));
    expect((await within(section).findByRole("alert")).textContent).toBe("'12' geçerli bir cep telefonu numarası değil.");
    expect(within(section).getByLabelText("Personel telefonu 1").getAttribute("aria-invalid")).toBe("true");
    expect(sent.staff).toEqual([{ numbers: ["12"] }]);
  });
});

describe("Settings: pickup point", () => {
  it("sends the pickup point with coordinates read as numbers, a decimal comma too", async () => {
    const sent: Record<string, Record<string, unknown>[]> = {};
    renderWithApi(<SettingsPage />, settingsApi(sent));
    const section = await region("Pickup point");
    expect(await within(section).findByText("No pickup point yet.")).toBeTruthy();
    await userEvent.type(within(section).getByLabelText("Name"), "Karaköy mağazası");
    await userEvent.type(within(section).getByLabelText("Address"), "Kemankeş Cd. 10, Beyoğlu, İstanbul");
    await userEvent.type(within(section).getByLabelText("Latitude"), "41,0256");
    await userEvent.type(within(section).getByLabelText("Longitude"), "28.9741");
    await userEvent.click(within(section).getByRole("button", { name: "Save pickup point" }));
    expect(await within(section).findByText("Saved.")).toBeTruthy();
    expect(sent.pickup).toEqual([{ latitude: 41.0256, longitude: 28.9741, name: "Karaköy mağazası", address: "Kemankeş Cd. 10, Beyoğlu, İstanbul" }]);
    expect(within(section).queryByText("No pickup point yet.")).toBeNull();
    expect(within(section).getByLabelText("Latitude")).toHaveProperty("value", "41.0256");
    // and removes it again: the form empties and says what that means for its templates
    await userEvent.click(within(section).getByRole("button", { name: "Remove pickup point" }));
    expect(await within(section).findByText("Pickup point removed: templates that show it wait until a new one is set.")).toBeTruthy();
    expect(sent.clearPickup).toHaveLength(1);
    expect(within(section).getByText("No pickup point yet.")).toBeTruthy();
    expect(within(section).getByLabelText("Name")).toHaveProperty("value", "");
    expect(within(section).queryByRole("button", { name: "Remove pickup point" })).toBeNull();
  });

  it("refuses coordinates that are no numbers before sending, and shows the API's range refusal in Turkish", async () => {
    const sent: Record<string, Record<string, unknown>[]> = {};
    const refusal = err("latitude", "OUT_OF_RANGE", "Latitude is between -90 and 90.", "Enlem -90 ile 90 arasındadır.");
    renderWithApi(<SettingsPage />, settingsApi(sent, { pickup: [refusal] }), "tr");
    const section = await region("Teslim noktası");
    await userEvent.type(await within(section).findByLabelText("Ad"), "Depo");
    await userEvent.type(within(section).getByLabelText("Adres"), "Ankara");
    await userEvent.type(within(section).getByLabelText("Enlem"), "kuzey");
    await userEvent.type(within(section).getByLabelText("Boylam"), "32.85");
    await userEvent.click(within(section).getByRole("button", { name: "Teslim noktasını kaydet" }));
    expect((await within(section).findByRole("alert")).textContent).toBe("Enlemi ve boylamı sayı olarak girin, ör. 41.0256 ve 28.9741.");
    expect(within(section).getByLabelText("Enlem").getAttribute("aria-invalid")).toBe("true");
    expect(sent.pickup).toBeUndefined();
    await userEvent.clear(within(section).getByLabelText("Enlem"));
    await userEvent.type(within(section).getByLabelText("Enlem"), "139.9");
    await userEvent.click(within(section).getByRole("button", { name: "Teslim noktasını kaydet" }));
    expect((await within(section).findByRole("alert")).textContent).toBe("Enlem -90 ile 90 arasındadır.");
    expect(sent.pickup).toEqual([{ latitude: 139.9, longitude: 32.85, name: "Depo", address: "Ankara" }]);
  });
});

const REASON = {
  code: "checkout_url_missing",
  text: "The storefront's address is not set",
  textTr: "Mağazanın adresi ayarlanmadı",
  fix: "Set your storefront URL in Onboarding or Settings.",
  fixTr: "Ayarlar'da sepet adresini girin; sepet hatırlatma adres girildiği anda başlar.",
  alerts: true,
};

function onboardingApi(sent: Record<string, unknown>[]) {
  let storefrontUrl: string | null = null;
  return (query: string, variables: Record<string, unknown>) => {
    if (query.includes("UlakUpdateSettings")) {
      sent.push(variables);
      storefrontUrl = (variables.input as { storefrontUrl: string }).storefrontUrl;
      return { updateStoreSettings: { settings: { ...SETTINGS, storefrontUrl }, errors: [] } };
    }
    if (query.includes("UlakFlows")) {
      const alerts = storefrontUrl ? [] : [{ flowKey: "cart_recovery", reason: REASON, firstSeenAt: null, lastSeenAt: null, templateName: null, orderId: null, checkoutId: null }];
      return { flows: [{ id: "cart_recovery", key: "cart_recovery", enabled: true, channels: [], steps: [], funnel: null, alerts }] };
    }
    return { store: { name: "Demo", domain: "d", status: "ACTIVE", plan: "FREE" }, whatsappAccounts: [], storeSettings: { storefrontUrl, checkoutUrlTemplate: null } };
  };
}

describe("Onboarding: the storefront step", () => {
  it("shows in Turkish why cart recovery is not starting, and is done once the storefront URL is saved", async () => {
    const sent: Record<string, unknown>[] = [];
    renderWithApi(<OnboardingPage />, onboardingApi(sent), "tr");
    const steps = await screen.findByRole("list", { name: "Kurulum adımları" });
    const step = within(steps).getAllByRole("listitem")[3]!;
    expect(within(step).getByRole("heading").textContent).toBe("Mağaza sitenizin adresini girin (yapılacak)");
    const alert = await within(step).findByRole("alert");
    expect(alert.textContent).toContain("Mağazanın adresi ayarlanmadı");
    expect(alert.textContent).toContain("sepet hatırlatma adres girildiği anda başlar");
    expect(within(step).getByText(/canlı ortamda sepet hatırlatma kapalı kalır/)).toBeTruthy();
    await userEvent.type(within(step).getByLabelText("Mağaza sitesinin adresi"), "https://magaza.example.com");
    expect(within(step).getByTestId("checkout-link").textContent).toBe("Sepet hatırlatma bağlantıları şunu açar: https://magaza.example.com/checkout/?checkout={checkout_token}");
    await userEvent.click(within(step).getByRole("button", { name: "Kaydet" }));
    expect(sent).toEqual([{ input: { storefrontUrl: "https://magaza.example.com" } }]);
    await waitFor(() => expect(within(step).getByRole("heading").textContent).toBe("Mağaza sitenizin adresini girin (tamamlandı)"));
    await waitFor(() => expect(within(step).queryByRole("alert")).toBeNull());
    expect(within(step).getByRole("link").getAttribute("href")).toBe("#/settings");
  });
});
