import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { LocaleProvider } from "../i18n";
import { RuleBuilder } from "./RuleBuilder";
import type { Rule } from "./ruleLanguage";

function Harness({ initial, onRule, onPreview }: { initial: Rule; onRule: (r: Rule) => void; onPreview?: (r: Rule) => Promise<number> }) {
  const [rule, setRule] = useState<Rule>(initial);
  return (
    <RuleBuilder
      value={rule}
      previewDelayMs={0}
      onPreview={onPreview}
      onChange={(r) => {
        setRule(r);
        onRule(r);
      }}
    />
  );
}

/** Picks an option of a macaw-ui Select by its visible name. */
async function pick(user: ReturnType<typeof userEvent.setup>, combobox: string, option: string) {
  await user.click(screen.getByRole("combobox", { name: combobox }));
  await user.click(await screen.findByRole("option", { name: option }));
}

describe("RuleBuilder", () => {
  it("builds a nested rule by clicking and typing", async () => {
    // given
    const user = userEvent.setup();
    let latest: Rule | undefined;
    render(<Harness initial={{ all: [] }} onRule={(r) => (latest = r)} />);

    // when: a condition "country is one of TR, DE"
    await user.click(screen.getByRole("button", { name: "Add condition (Group 1)" }));
    await pick(user, "Field (Condition 1.1)", "Country");
    await pick(user, "Operator (Condition 1.1)", "is one of");
    await user.type(screen.getByRole("textbox", { name: "Value (Condition 1.1)" }), "tr, de");

    // and a nested OR group: orders between 2 and 5, or never replied
    await user.click(screen.getByRole("button", { name: "Add group (Group 1)" }));
    await pick(user, "Combine with (Group 1.2)", "any (OR)");
    await user.click(screen.getByRole("button", { name: "Add condition (Group 1.2)" }));
    await pick(user, "Field (Condition 1.2.1)", "Number of orders");
    await pick(user, "Operator (Condition 1.2.1)", "between");
    await user.type(screen.getByRole("spinbutton", { name: "From (Condition 1.2.1)" }), "2");
    await user.type(screen.getByRole("spinbutton", { name: "To (Condition 1.2.1)" }), "5");
    await user.click(screen.getByRole("button", { name: "Add condition (Group 1.2)" }));
    await pick(user, "Field (Condition 1.2.2)", "Last WhatsApp reply");
    await pick(user, "Operator (Condition 1.2.2)", "never");

    // and a negated tag condition
    await user.click(screen.getByRole("button", { name: "Add condition (Group 1)" }));
    await user.type(screen.getByRole("textbox", { name: "Value (Condition 1.3)" }), "vip");
    await user.click(screen.getByRole("button", { name: "Negate (Condition 1.3)" }));

    // then
    expect(latest).toEqual({
      all: [
        { field: "country", op: "in", value: ["TR", "DE"] },
        {
          any: [
            { field: "orders_count", op: "between", value: [2, 5] },
            { field: "last_reply_at", op: "never" },
          ],
        },
        { not: { field: "tags", op: "has", value: "vip" } },
      ],
    });
  });

  it("removes members and unwraps NOT", async () => {
    const user = userEvent.setup();
    let latest: Rule | undefined;
    const initial: Rule = { any: [{ not: { field: "tags", op: "has", value: "vip" } }, { field: "country", op: "eq", value: "TR" }] };
    render(<Harness initial={initial} onRule={(r) => (latest = r)} />);
    await user.click(screen.getByRole("button", { name: "Remove NOT (Condition 1.1)" }));
    expect(latest).toEqual({ any: [{ field: "tags", op: "has", value: "vip" }, { field: "country", op: "eq", value: "TR" }] });
    await user.click(screen.getByRole("button", { name: "Remove (Condition 1.2)" }));
    expect(latest).toEqual({ any: [{ field: "tags", op: "has", value: "vip" }] });
  });

  it("shows validation errors where they occur, in Turkish", () => {
    render(
      <LocaleProvider locale="tr">
        <RuleBuilder value={{ all: [{ field: "country", op: "eq", value: "T" }] }} onChange={() => {}} />
      </LocaleProvider>,
    );
    const value = screen.getByRole("textbox", { name: "Değer (Koşul 1.1)" });
    expect(value.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("İki harfli ülke kodu kullanın, örneğin TR.")).toBeTruthy();
  });

  it("shows the live count from onPreview for a valid rule only", async () => {
    const onPreview = vi.fn().mockResolvedValue(1234);
    const { rerender } = render(<RuleBuilder value={{ all: [] }} onChange={() => {}} onPreview={onPreview} previewDelayMs={0} />);
    expect(screen.getByTestId("rule-preview").textContent).toBe("Fix the errors above to see how many contacts match.");
    expect(onPreview).not.toHaveBeenCalled();

    const rule: Rule = { all: [{ field: "tags", op: "has", value: "vip" }] };
    rerender(<RuleBuilder value={rule} onChange={() => {}} onPreview={onPreview} previewDelayMs={0} />);
    expect(await screen.findByText("1,234 contacts match")).toBeTruthy();
    expect(onPreview).toHaveBeenCalledWith(rule);
  });

  it("lists the sample of matching contacts the preview returns", async () => {
    const sample = [{ id: "1", name: "Ayşe Yılmaz", phone: "+90532•••4567", country: "TR" }];
    const onPreview = vi.fn().mockResolvedValue({ count: 1, sample });
    render(<RuleBuilder value={{ field: "country", op: "eq", value: "TR" }} onChange={() => {}} onPreview={onPreview} previewDelayMs={0} />);
    expect(await screen.findByText("1 contact matches")).toBeTruthy();
    const table = screen.getByRole("table", { name: "Sample of the matching contacts" });
    expect(table.querySelector("tbody")?.textContent).toBe("Ayşe Yılmaz+90532•••4567TR");
  });

  it("shows a preview error without hiding the builder", async () => {
    const onPreview = vi.fn().mockRejectedValue(new Error("segmentPreview failed"));
    render(<RuleBuilder value={{ field: "orders_count", op: "gte", value: 1 }} onChange={() => {}} onPreview={onPreview} previewDelayMs={0} />);
    expect(await screen.findByText("Could not count: segmentPreview failed")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Refresh count" }));
    await waitFor(() => expect(onPreview).toHaveBeenCalledTimes(2));
  });
});
