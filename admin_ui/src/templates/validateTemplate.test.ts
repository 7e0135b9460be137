import { describe, expect, it } from "vitest";
import type { TemplateButton, TemplateComponent, WhatsAppTemplate } from "./types";
import { validateTemplate } from "./validateTemplate";

const body = (text: string, samples: string[] = ["Ayşe", "#1042", "x", "y"]): TemplateComponent => ({
  type: "BODY",
  text,
  example: { body_text: [samples] },
});

const valid: WhatsAppTemplate = {
  name: "order_shipped",
  language: "tr",
  category: "UTILITY",
  components: [body("Merhaba {{1}}, siparişiniz {{2}} yolda")],
};

const withComponents = (...components: TemplateComponent[]): WhatsAppTemplate => ({ ...valid, components });
const withButtons = (...buttons: TemplateButton[]) => withComponents(body("Merhaba {{1}}, hazır."), { type: "BUTTONS", buttons });
const codes = (t: WhatsAppTemplate) => validateTemplate(t).map((e) => e.code);

describe("validateTemplate", () => {
  it("accepts a valid template", () => {
    expect(validateTemplate(valid)).toEqual([]);
  });

  it("requires a lowercase a-z0-9_ name of at most 512 characters", () => {
    expect(codes({ ...valid, name: "" })).toEqual(["name_required"]);
    expect(codes({ ...valid, name: "Sipariş-Kargo" })).toEqual(["name_format"]);
    expect(codes({ ...valid, name: "a".repeat(513) })).toEqual(["name_too_long"]);
    expect(codes({ ...valid, name: "a".repeat(512) })).toEqual([]);
  });

  it("gives each error in English and Turkish with a path", () => {
    const [error] = validateTemplate({ ...valid, name: "Kargo" });
    expect(error).toEqual({
      path: "name",
      code: "name_format",
      message_en: "Use only lowercase letters a–z, digits and underscores in the name.",
      message_tr: "Adda yalnızca küçük harf (a–z), rakam ve alt çizgi kullanın.",
      severity: "error",
    });
  });

  it("requires a body of at most 1024 characters", () => {
    expect(codes(withComponents())).toEqual(["body_required"]);
    expect(codes(withComponents(body("   ")))).toEqual(["body_required"]);
    const long = validateTemplate(withComponents(body("a".repeat(1025))));
    expect(long.map((e) => [e.path, e.code])).toEqual([["components.0.text", "body_too_long"]]);
    expect(long[0]?.message_tr).toBe("Gövde en fazla 1024 karakter olabilir (şu an 1025).");
  });

  it("limits the header text to 60 characters and one variable", () => {
    const header = (text: string): TemplateComponent => ({ type: "HEADER", format: "TEXT", text, example: { header_text: ["#7"] } });
    expect(codes(withComponents(header("a".repeat(61)), body("Merhaba dünya")))).toEqual(["header_too_long"]);
    expect(codes(withComponents(header("Sipariş {{1}} ve {{2}}"), body("Merhaba dünya")))).toContain("header_too_many_variables");
    expect(codes(withComponents(header("Sipariş {{1}}"), body("Merhaba dünya")))).toEqual([]);
  });

  it("limits the footer to 60 characters without variables", () => {
    const footer = (text: string): TemplateComponent => ({ type: "FOOTER", text });
    expect(codes(withComponents(body("Merhaba dünya"), footer("a".repeat(61))))).toEqual(["footer_too_long"]);
    expect(codes(withComponents(body("Merhaba dünya"), footer("Kod {{1}} geçerli")))).toEqual(["footer_variables_not_allowed"]);
  });

  it("requires variables numbered consecutively from {{1}}", () => {
    const errors = validateTemplate(withComponents(body("Merhaba {{1}}, kodunuz {{3}} hazır")));
    expect(errors.map((e) => e.code)).toEqual(["variables_not_sequential"]);
    expect(errors[0]?.message_tr).toBe("Değişkenleri {{1}}'den başlayarak sırayla numaralandırın (beklenen: {{1}}, {{2}}).");
    expect(codes(withComponents(body("Merhaba {{ad}}, hazır")))).toEqual(["variable_malformed"]);
  });

  it("rejects a variable at the very start or end of the body", () => {
    expect(codes(withComponents(body("{{1}} merhaba")))).toEqual(["variable_at_start"]);
    expect(codes(withComponents(body("Merhaba {{1}}")))).toEqual(["variable_at_end"]);
  });

  it("needs a sample value for every variable", () => {
    const errors = validateTemplate(withComponents(body("Merhaba {{1}}, siparişiniz {{2}} yolda", ["Ayşe"])));
    expect(errors.map((e) => [e.path, e.code])).toEqual([["components.0.example.body_text.0.1", "sample_missing"]]);
    expect(errors[0]?.message_tr).toBe("{{2}} değişkeni için örnek bir değer girin.");
    expect(codes(withComponents({ type: "HEADER", format: "IMAGE" }, body("Merhaba dünya")))).toEqual(["sample_missing"]);
  });

  it("allows at most 10 buttons", () => {
    const qr = (i: number): TemplateButton => ({ type: "QUICK_REPLY", text: `Seçenek ${i}` });
    expect(codes(withButtons(...Array.from({ length: 10 }, (_, i) => qr(i))))).toEqual([]);
    expect(codes(withButtons(...Array.from({ length: 11 }, (_, i) => qr(i))))).toEqual(["too_many_buttons"]);
  });

  it("limits quick replies to 25 characters", () => {
    const errors = validateTemplate(withButtons({ type: "QUICK_REPLY", text: "Bu kampanyadan hemen çıkmak istiyorum" }));
    expect(errors.map((e) => [e.path, e.code])).toEqual([["components.1.buttons.0.text", "quick_reply_too_long"]]);
  });

  it("allows at most 2 URL, 1 phone and 1 copy-code button", () => {
    const url = (u: string): TemplateButton => ({ type: "URL", text: "Aç", url: u });
    expect(codes(withButtons(url("https://a.example"), url("https://b.example"), url("https://c.example")))).toContain("too_many_url_buttons");
    const phone: TemplateButton = { type: "PHONE_NUMBER", text: "Ara", phone_number: "+905551112233" };
    expect(codes(withButtons(phone, phone))).toContain("too_many_phone_buttons");
    const copy: TemplateButton = { type: "COPY_CODE", text: "Kopyala", example: "INDIRIM10" };
    expect(codes(withButtons(copy, copy))).toEqual(["too_many_copy_code_buttons"]);
  });

  it("limits URL buttons to 2000 characters with one variable at the end, with a sample", () => {
    const url = (u: string, example?: string[]): TemplateButton => ({ type: "URL", text: "Aç", url: u, example });
    expect(codes(withButtons(url(`https://a.example/${"x".repeat(2000)}`)))).toEqual(["url_too_long"]);
    expect(codes(withButtons(url("https://a.example/{{1}}/{{2}}", ["a"])))).toContain("url_too_many_variables");
    expect(codes(withButtons(url("https://a.example/{{1}}/detay", ["a"])))).toEqual(["url_variable_not_at_end"]);
    expect(codes(withButtons(url("https://a.example/takip/{{1}}")))).toEqual(["sample_missing"]);
    expect(codes(withButtons(url("https://a.example/takip/{{1}}", ["AB12"])))).toEqual([]);
  });

  it("warns (does not block) when there is more than one call to action", () => {
    const errors = validateTemplate(
      withButtons({ type: "URL", text: "Siteye git", url: "https://a.example" }, { type: "PHONE_NUMBER", text: "Ara", phone_number: "+905551112233" }),
    );
    expect(errors.map((e) => [e.code, e.severity])).toEqual([["multiple_calls_to_action", "warning"]]);
    expect(errors[0]?.message_tr).toContain("tek bir ana eylem çağrısı");
  });
});
