import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { BarChart, LineChart } from "./Chart";

describe("LineChart", () => {
  it("draws one line per series and names the chart with its totals", () => {
    const { container } = render(
      <LineChart title="Messages" labels={["01", "02", "03"]} series={[{ label: "Sent", values: [1, 2, 3] }, { label: "Read", values: [0, 1, 1] }]} />,
    );
    expect(screen.getByRole("img", { name: "Messages. Sent: 6, Read: 2" })).toBeTruthy();
    expect(container.querySelectorAll("polyline")).toHaveLength(2);
    const table = screen.getByRole("table", { name: "Messages" });
    expect(within(table).getAllByRole("row").map((r) => r.textContent)).toEqual(["SentRead", "0110", "0221", "0331"]);
  });

  it("copes with no data", () => {
    render(<LineChart title="Empty" labels={[]} series={[{ label: "Sent", values: [] }]} />);
    expect(screen.getByRole("img", { name: "Empty. Sent: 0" })).toBeTruthy();
  });
});

describe("BarChart", () => {
  it("draws a bar per label and series, taller for bigger values", () => {
    const { container } = render(<BarChart title="Skips" labels={["quiet_hours", "cap"]} series={[{ label: "Count", values: [10, 5] }]} format={(n) => `${n}x`} />);
    const bars = Array.from(container.querySelectorAll("rect"));
    expect(bars).toHaveLength(2);
    expect(Number(bars[0]!.getAttribute("height"))).toBe(2 * Number(bars[1]!.getAttribute("height")));
    expect(screen.getByRole("img", { name: "Skips. quiet_hours: 10x, cap: 5x" })).toBeTruthy();
  });
});
