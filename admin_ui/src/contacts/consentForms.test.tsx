/** The consent forms (kept by react-hook-form) as the admin API receives them. */
import { fireEvent, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderWithApi } from "../test/render";
import { ConsentImport } from "./ConsentTools";
import { RecordConsentForm } from "./ContactProfile";

describe("Consent forms", () => {
  it("records the chosen purpose and decision with the trimmed note, then clears only the note", async () => {
    const sent: Record<string, unknown>[] = [];
    const onRecorded = vi.fn();
    renderWithApi(<RecordConsentForm contactId="c1" onRecorded={onRecorded} />, (_query, variables) => {
      sent.push(variables);
      return { recordConsent: { event: { id: "e1" }, errors: [] } };
    });
    await userEvent.click(screen.getByRole("combobox", { name: "Decision" }));
    await userEvent.click(await screen.findByRole("option", { name: "Opted out" }));
    await userEvent.type(screen.getByLabelText("Note (where and how)"), " phone call ");
    await userEvent.click(screen.getByRole("button", { name: "Record" }));
    expect(await screen.findByText("Recorded: it is now in the consent timeline.")).toBeTruthy();
    expect(sent).toEqual([{ contactId: "c1", purpose: "MARKETING", action: "REVOKED", note: "phone call" }]);
    expect(onRecorded).toHaveBeenCalledOnce();
    expect(screen.getByLabelText("Note (where and how)")).toHaveProperty("value", "");
    expect(screen.getByRole("combobox", { name: "Decision" }).textContent).toContain("Opted out");
  });

  it("imports the CSV read from the chosen file, and the one pasted after it", async () => {
    const sent: Record<string, unknown>[] = [];
    const onImported = vi.fn();
    const { container } = renderWithApi(<ConsentImport onImported={onImported} />, (_query, variables) => {
      sent.push(variables);
      return { importConsentCsv: { imported: 1, skipped: 0, failed: 0, rows: [], errors: [] } };
    });
    expect(screen.getByRole("button", { name: "Import" })).toHaveProperty("disabled", true);
    const file = new File(["phone\n+905551234567\n"], "consent.csv", { type: "text/csv" });
    fireEvent.change(container.querySelector('input[type="file"]')!, { target: { files: [file] } });
    expect(await screen.findByText("Read from consent.csv")).toBeTruthy();
    expect(screen.getByLabelText("Or paste the CSV")).toHaveProperty("value", "phone\n+905551234567\n");
    await userEvent.click(screen.getByRole("button", { name: "Import" }));
    expect(await screen.findByText("Imported 1, skipped 0, failed 0.")).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Or paste the CSV"), { target: { value: "phone\n+905559876543" } });
    await userEvent.click(screen.getByRole("button", { name: "Import" }));
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    expect(sent).toEqual([{ csv: "phone\n+905551234567\n" }, { csv: "phone\n+905559876543" }]);
    expect(onImported).toHaveBeenCalledTimes(2);
  });
});
