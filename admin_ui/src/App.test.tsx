import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { pageFromHash } from "./pages/pages";

describe("App outside the dashboard", () => {
  it("explains in Turkish and English how to open Ulak instead of a blank page", () => {
    window.history.replaceState(null, "", "/");
    render(<App />);
    expect(screen.getByRole("heading", { name: "Open Ulak from your Saleor dashboard" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Ulak'ı Saleor panelinizden açın" })).toBeTruthy();
    expect(screen.getByText("Go to Apps and choose Ulak.")).toBeTruthy();
  });

  it("routes by hash", () => {
    expect(pageFromHash("#/templates")).toBe("templates");
    expect(pageFromHash("")).toBe("dashboard");
    expect(pageFromHash("#/nope")).toBe("dashboard");
  });
});
