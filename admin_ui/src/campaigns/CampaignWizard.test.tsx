import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { CampaignWizard } from "./CampaignWizard";

const steps = { segment: <p>pick segment</p>, template: <p>pick template</p>, schedule: <p>pick time</p>, review: <p>check</p> };

describe("CampaignWizard", () => {
  it("walks segment → template → schedule → review and launches from the last step", async () => {
    const onLaunch = vi.fn();
    render(<CampaignWizard steps={steps} onLaunch={onLaunch} />);
    const current = () => screen.getByRole("list", { name: "Campaign steps" }).querySelector('[aria-current="step"]')?.textContent;
    expect(current()).toBe("1. Segment");
    expect(screen.getByText("pick segment")).toBeTruthy();
    expect((screen.getByRole("button", { name: "Back" }) as HTMLButtonElement).disabled).toBe(true);
    for (const next of ["2. Template", "3. Schedule", "4. Review"]) {
      await userEvent.click(screen.getByRole("button", { name: "Next" }));
      expect(current()).toBe(next);
    }
    expect(screen.getByText("check")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Launch campaign" }));
    expect(onLaunch).toHaveBeenCalledTimes(1);
    await userEvent.click(screen.getByRole("button", { name: "Back" }));
    expect(current()).toBe("3. Schedule");
  });

  it("stays on a step when its check says no", async () => {
    // given a check that holds the first step
    const onAdvance = vi.fn(async (step: string) => step !== "segment");
    render(<CampaignWizard steps={steps} onLaunch={vi.fn()} onAdvance={onAdvance} />);

    // when Next is pressed, the check runs and the step does not change
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(onAdvance).toHaveBeenCalledWith("segment");
    expect(screen.getByRole("list", { name: "Campaign steps" }).querySelector('[aria-current="step"]')?.textContent).toBe("1. Segment");
    expect(screen.getByText("pick segment")).toBeTruthy();
  });
});
