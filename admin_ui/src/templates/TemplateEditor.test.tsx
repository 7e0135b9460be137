import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { editorToTemplate, EMPTY_EDITOR, TemplateEditor } from "./TemplateEditor";

describe("TemplateEditor", () => {
  it("updates the preview and the validation as the merchant types", async () => {
    const onSubmit = vi.fn();
    render(<TemplateEditor onSubmit={onSubmit} />);
    const problems = screen.getByTestId("template-problems");
    expect(problems.textContent).toBe("Problems Meta would reject show here as you type.");

    await userEvent.type(screen.getByLabelText("Name"), "sepet");
    fireEvent.change(screen.getByLabelText("Body"), { target: { value: "Merhaba {{1}}, sepetiniz bekliyor." } });
    expect(screen.getByRole("figure", { name: "WhatsApp message preview" }).textContent).toContain("sepetiniz bekliyor.");
    expect(problems.textContent).toMatch(/sample/i);
    expect((screen.getByRole("button", { name: "Submit for approval" }) as HTMLButtonElement).disabled).toBe(true);

    await userEvent.type(screen.getByLabelText("Sample for {{1}}"), "Ayşe");
    expect(screen.getByRole("figure", { name: "WhatsApp message preview" }).textContent).toContain("Merhaba Ayşe, sepetiniz bekliyor.");
    expect(problems.textContent).toBe("Ready to submit: no problems found.");
    // macaw-ui's Select: open the combobox, pick the option.
    await userEvent.click(screen.getByRole("combobox", { name: "Category" }));
    await userEvent.click(await screen.findByRole("option", { name: "Utility" }));
    expect(screen.getByRole("combobox", { name: "Category" }).textContent).toContain("Utility");
    await userEvent.click(screen.getByRole("button", { name: "Submit for approval" }));
    expect(onSubmit).toHaveBeenCalledWith({
      name: "sepet",
      language: "tr",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Merhaba {{1}}, sepetiniz bekliyor.", example: { body_text: [["Ayşe"]] } }],
    });
  });

  it("keeps the button rows (a field array): add, switch to a URL button, remove", async () => {
    const onSubmit = vi.fn();
    render(<TemplateEditor onSubmit={onSubmit} />);
    await userEvent.type(screen.getByLabelText("Name"), "sepet");
    fireEvent.change(screen.getByLabelText("Body"), { target: { value: "Merhaba" } });
    await userEvent.click(screen.getByRole("button", { name: "Add button" }));
    await userEvent.click(screen.getByRole("button", { name: "Add button" }));
    await userEvent.type(screen.getByLabelText("Button text", { selector: "#tpl-btn-text-0" }), "Dur");
    await userEvent.click(screen.getAllByRole("combobox", { name: "Button type" })[1]!);
    await userEvent.click(await screen.findByRole("option", { name: "Visit website" }));
    await userEvent.type(screen.getByLabelText("Button text", { selector: "#tpl-btn-text-1" }), "Mağaza");
    await userEvent.type(screen.getByLabelText("URL"), "https://s.example");
    await userEvent.click(screen.getAllByRole("button", { name: "Remove" })[0]!);
    expect((screen.getByLabelText("Button text") as HTMLInputElement).value).toBe("Mağaza");
    await userEvent.click(screen.getByRole("button", { name: "Submit for approval" }));
    expect(onSubmit).toHaveBeenCalledWith({
      name: "sepet",
      language: "tr",
      category: "MARKETING",
      components: [
        { type: "BODY", text: "Merhaba" },
        { type: "BUTTONS", buttons: [{ type: "URL", text: "Mağaza", url: "https://s.example" }] },
      ],
    });
  });

  it("builds Meta's components for header, footer and buttons", () => {
    const template = editorToTemplate({
      ...EMPTY_EDITOR,
      name: "n",
      header: "Hi",
      body: "Body",
      footer: "Bye",
      buttons: [
        { type: "URL", text: "Shop", url: "https://s.example" },
        { type: "QUICK_REPLY", text: "Stop", url: "" },
      ],
    });
    expect(template.components).toEqual([
      { type: "HEADER", format: "TEXT", text: "Hi" },
      { type: "BODY", text: "Body" },
      { type: "FOOTER", text: "Bye" },
      { type: "BUTTONS", buttons: [{ type: "URL", text: "Shop", url: "https://s.example" }, { type: "QUICK_REPLY", text: "Stop" }] },
    ]);
  });
});
