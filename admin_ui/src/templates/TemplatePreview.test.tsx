import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { LocaleProvider } from "../i18n";
import { TemplatePreview } from "./TemplatePreview";
import type { WhatsAppTemplate } from "./types";

const orderShipped: WhatsAppTemplate = {
  name: "order_shipped",
  language: "tr",
  category: "UTILITY",
  components: [
    { type: "HEADER", format: "IMAGE", example: { header_handle: ["h"] } },
    { type: "BODY", text: "Merhaba {{1}}, siparişiniz *{{2}}* _yolda_ ~gecikti~", example: { body_text: [["Ayşe", "#1042"]] } },
    { type: "FOOTER", text: "Ulak ile gönderildi" },
    {
      type: "BUTTONS",
      buttons: [
        { type: "URL", text: "Kargoyu izle", url: "https://shop.example/track/{{1}}", example: ["AB12"] },
        { type: "QUICK_REPLY", text: "Durdur" },
      ],
    },
  ],
};

describe("TemplatePreview", () => {
  it("substitutes values and applies WhatsApp formatting", () => {
    // given / when
    render(<TemplatePreview template={orderShipped} values={{ body: { "1": "Ayşe", "2": "#1042" } }} />);
    // then
    const body = screen.getByTestId("body");
    expect(body.textContent).toBe("Merhaba Ayşe, siparişiniz #1042 yolda gecikti");
    expect(body.querySelector("strong")?.textContent).toBe("#1042");
    expect(body.querySelector("em")?.textContent).toBe("yolda");
    expect(body.querySelector("s")?.textContent).toBe("gecikti");
    expect(screen.queryAllByTestId("missing-variable")).toHaveLength(0);
  });

  it("highlights variables that have no value as {{n}}", () => {
    render(<TemplatePreview template={orderShipped} values={{ body: { "1": "Ayşe" } }} />);
    const missing = screen.getAllByTestId("missing-variable");
    expect(missing.map((m) => m.textContent)).toEqual(["{{2}}"]);
    expect(missing[0]?.closest("strong")).not.toBeNull();
  });

  it("shows a labelled media placeholder per header format, in the dashboard's language", () => {
    render(
      <LocaleProvider locale="tr">
        <TemplatePreview template={orderShipped} />
      </LocaleProvider>,
    );
    expect(screen.getByRole("img", { name: "Görsel" })).toBeTruthy();
    expect(screen.getByRole("figure", { name: "WhatsApp mesaj önizlemesi" })).toBeTruthy();
  });

  it.each([
    ["VIDEO", "Video"],
    ["DOCUMENT", "Document"],
    ["LOCATION", "Location"],
  ] as const)("renders a %s header as a placeholder box", (format, label) => {
    const t: WhatsAppTemplate = { ...orderShipped, components: [{ type: "HEADER", format }, { type: "BODY", text: "Hi there" }] };
    render(<TemplatePreview template={t} />);
    expect(screen.getByRole("img", { name: label }).getAttribute("data-format")).toBe(format);
  });

  it("renders a text header, the grey footer and the buttons under the bubble", () => {
    const t: WhatsAppTemplate = {
      ...orderShipped,
      components: [{ type: "HEADER", format: "TEXT", text: "Sipariş {{1}}" }, ...orderShipped.components.slice(1)],
    };
    render(<TemplatePreview template={t} values={{ header: { "1": "#7" } }} />);
    expect(screen.getByTestId("header-text").textContent).toBe("Sipariş #7");
    expect(screen.getByTestId("footer").textContent).toBe("Ulak ile gönderildi");
    const buttons = within(screen.getByRole("list", { name: "Buttons" })).getAllByRole("listitem");
    expect(buttons.map((b) => b.textContent)).toEqual(["Kargoyu izle", "Durdur"]);
    expect(buttons[0]?.getAttribute("data-type")).toBe("URL");
  });
});
