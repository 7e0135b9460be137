/** Campaign times on the store's clock, with its zone beside them (src/i18n.tsx). */
import { describe, expect, it } from "vitest";
import { formatStoreTime, isoToZoned, zonedToIso } from "./i18n";

const NIGHT = new Date("2026-12-05T19:00:00Z"); // 22:00 in Istanbul

describe("formatStoreTime", () => {
  it("shows the store's clock and names its zone, in either language", () => {
    expect(formatStoreTime("en", "2026-12-06T06:00:00Z", "Europe/Istanbul", NIGHT)).toBe("09:00 (Europe/Istanbul)");
    expect(formatStoreTime("tr", "2026-12-06T06:00:00Z", "Europe/Istanbul", NIGHT)).toBe("09:00 (Europe/Istanbul)");
    expect(formatStoreTime("en", "2026-12-06T06:00:00Z", "America/New_York", NIGHT)).toBe("01:00 (America/New_York)");
  });

  it("gives the date too beyond a day, in the merchant's language", () => {
    expect(formatStoreTime("tr", "2026-12-20T06:00:00Z", "Europe/Istanbul", NIGHT)).toBe("20 Ara 2026 09:00 (Europe/Istanbul)");
    expect(formatStoreTime("en", "2026-12-20T06:00:00Z", "Europe/Istanbul", NIGHT)).toBe("20 Dec 2026, 09:00 (Europe/Istanbul)");
  });

  it("says nothing of a zone it does not know", () => {
    expect(formatStoreTime("en", "2026-12-06T06:00:00Z", "Mars/Olympus", NIGHT)).not.toContain("Mars");
    expect(formatStoreTime("en", "2026-12-06T06:00:00Z", null, NIGHT)).not.toContain("(");
  });
});

describe("zonedToIso / isoToZoned", () => {
  it("reads a datetime-local value on the store's clock, across daylight saving", () => {
    expect(zonedToIso("2026-03-01T10:00", "Europe/Istanbul")).toBe("2026-03-01T07:00:00.000Z");
    expect(zonedToIso("2026-07-01T10:00", "Europe/Berlin")).toBe("2026-07-01T08:00:00.000Z");
    expect(zonedToIso("2026-01-15T10:00", "Europe/Berlin")).toBe("2026-01-15T09:00:00.000Z");
    expect(zonedToIso("nonsense", "Europe/Berlin")).toBeNull();
  });

  it("gives the field back what it was given", () => {
    expect(isoToZoned("2026-03-01T07:00:00Z", "Europe/Istanbul")).toBe("2026-03-01T10:00");
    expect(isoToZoned(zonedToIso("2026-10-25T12:30", "Europe/Berlin")!, "Europe/Berlin")).toBe("2026-10-25T12:30");
  });
});
