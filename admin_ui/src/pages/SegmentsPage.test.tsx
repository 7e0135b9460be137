/** The segment form (name and rule, kept by react-hook-form) as the admin API receives it. */
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderWithApi } from "../test/render";
import { type SegmentRow, SegmentsPage, STARTING_RULE } from "./SegmentsPage";

const VIP: SegmentRow = { id: "s1", name: "VIP", rule: { all: [{ field: "orders_count", op: "gte", value: 3 }] }, contactCount: 12, updatedAt: "2026-01-01T00:00:00Z" };

function segmentsApi(sent: Record<string, unknown>[]) {
  return (query: string, variables: Record<string, unknown>) => {
    if (query.includes("UlakCreateSegment") || query.includes("UlakUpdateSegment")) {
      sent.push({ query: query.includes("Create") ? "create" : "update", ...variables });
      const segment = { ...VIP, id: (variables.id as string) ?? "s2", name: variables.name, rule: variables.rule };
      return query.includes("Create") ? { createSegment: { segment, errors: [] } } : { updateSegment: { segment, errors: [] } };
    }
    if (query.includes("UlakSegmentPreview")) return { segmentPreview: { count: 3, sample: [], errors: [] } };
    if (query.includes("UlakSegments")) return { segments: [VIP] };
    return { planCatalogue: { current: "GROWTH", plans: [], features: [] } };
  };
}

describe("Segments: the name and rule form", () => {
  it("creates a segment with the typed name and the starting rule, then edits a saved one and takes 'saved' away on the next edit", async () => {
    const sent: Record<string, unknown>[] = [];
    renderWithApi(<SegmentsPage />, segmentsApi(sent));
    const save = await screen.findByRole("button", { name: "Save segment" });
    expect(save).toHaveProperty("disabled", true); // no name yet
    await userEvent.type(screen.getByLabelText("Segment name"), "  Loyal ");
    await userEvent.click(save);
    expect(await screen.findByText("Segment “Loyal” saved.")).toBeTruthy();
    expect(sent).toEqual([{ query: "create", name: "Loyal", rule: STARTING_RULE }]);
    await userEvent.type(screen.getByLabelText("Segment name"), "!");
    expect(screen.queryByText("Segment “Loyal” saved.")).toBeNull();

    await userEvent.click(await screen.findByRole("button", { name: "Edit VIP" }));
    expect(screen.getByLabelText("Segment name")).toHaveProperty("value", "VIP");
    await userEvent.click(screen.getByRole("button", { name: "Save segment" }));
    expect(await screen.findByText("Segment “VIP” saved.")).toBeTruthy();
    expect(sent[1]).toEqual({ query: "update", id: "s1", name: "VIP", rule: VIP.rule });
  });
});
