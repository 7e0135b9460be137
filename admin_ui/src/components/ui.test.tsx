import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { LocaleProvider } from "../i18n";
import { AdminErrors, Checklist, ConfirmDialog, QuotaBar } from "./ui";

describe("QuotaBar", () => {
  it("is a meter with the used share as text", () => {
    render(<QuotaBar label="Messages this month" used={450} total={500} detail="450 of 500" />);
    const meter = screen.getByRole("meter", { name: "Messages this month" });
    expect([meter.getAttribute("aria-valuenow"), meter.getAttribute("aria-valuemax"), meter.getAttribute("aria-valuetext")]).toEqual(["450", "500", "90%"]);
    expect(meter.className).toContain("ulak-quota-critical");
  });
});

describe("Checklist", () => {
  it("counts the done steps and marks each for screen readers", () => {
    render(
      <Checklist
        label="Setup"
        items={[
          { key: "a", title: "Connect", done: true, content: null },
          { key: "b", title: "Test", done: false, content: null },
        ]}
      />,
    );
    expect(screen.getByText("1 of 2 steps done")).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Connect (done)" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Test (to do)" })).toBeTruthy();
  });
});

describe("ConfirmDialog", () => {
  it("focuses inside, cancels on Escape and confirms on click", async () => {
    const onConfirm = vi.fn();
    const onCancel = vi.fn();
    render(<ConfirmDialog open title="Erase?" body="Gone for good" confirmLabel="Erase" onConfirm={onConfirm} onCancel={onCancel} danger />);
    const dialog = screen.getByRole("dialog", { name: "Erase?" });
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(document.activeElement?.textContent).toBe("Cancel");
    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(onCancel).toHaveBeenCalledTimes(1);
    await userEvent.click(screen.getByRole("button", { name: "Erase" }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });

  it("renders nothing while closed", () => {
    render(<ConfirmDialog open={false} title="Erase?" body="" confirmLabel="Erase" onConfirm={vi.fn()} onCancel={vi.fn()} />);
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});

describe("AdminErrors", () => {
  it("shows the message in the dashboard's language", () => {
    const errors = [{ field: "quietHoursStart", code: "INVALID", message: "Use HH:MM.", messageTr: "SS:DD kullanın." }];
    render(
      <LocaleProvider locale="tr">
        <AdminErrors errors={errors} />
      </LocaleProvider>,
    );
    expect(screen.getByRole("alert").textContent).toBe("SS:DD kullanın.");
  });
});

describe("Switch", () => {
  it("is a keyboard-operable switch that reports the new state", async () => {
    const { Switch } = await import("./Switch");
    const seen: boolean[] = [];
    render(
      <Switch checked={false} onChange={(v) => seen.push(v)}>
        Cart recovery
      </Switch>,
    );
    const control = screen.getByRole("switch", { name: "Cart recovery" });
    control.focus();
    await userEvent.keyboard(" ");
    expect(seen).toEqual([true]);
  });
});
