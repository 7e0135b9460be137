/** Every code the admin API can send reads as words in both languages, never as the code. */
import { buildSchema, GraphQLEnumType } from "graphql";
import { describe, expect, it } from "vitest";
import sdl from "../../../graphql/admin.graphql?raw";
import { formatClock, formatDuration, formatMoney, formatTier, translateCode, type CodeGroup, type Locale } from "../i18n";
import { reasonWords } from "./reasons";

const schema = buildSchema(sdl);
const ENUMS: CodeGroup[] = ["MessageStatus", "ConsentAction", "ConsentPurpose", "ConsentSource", "TemplateStatus", "TemplateCategory"];
const LOCALES: Locale[] = ["en", "tr"];

describe("codes in words", () => {
  for (const group of ENUMS) {
    const type = schema.getType(group);
    it(`${group}: every value of the SDL enum is translated`, () => {
      expect(type).toBeInstanceOf(GraphQLEnumType);
      for (const v of (type as GraphQLEnumType).getValues()) {
        for (const locale of LOCALES) {
          const words = translateCode(locale, group, v.name);
          expect(words, `${locale} ${group}.${v.name}`).not.toMatch(/^Other|^Diğer/);
          expect(words).not.toBe(v.name);
        }
      }
    });
  }

  it("says quality and tiers as people do", () => {
    expect(translateCode("tr", "Quality", "GREEN")).toBe("Yüksek");
    expect(formatTier("tr", "TIER_UNLIMITED")).toBe("Günlük sınır yok");
    expect(formatTier("en", "TIER_1K")).toBe("1,000 customers a day");
    expect(formatTier("tr", "TIER_10K")).toBe("günde 10.000 müşteri");
  });

  it("says delays in hours and days", () => {
    expect(formatDuration("tr", 60)).toBe("1 saat");
    expect(formatDuration("tr", 1440)).toBe("1 gün");
    expect(formatDuration("en", 1440)).toBe("1 day");
    expect(formatDuration("en", 90)).toBe("1 hour 30 minutes");
    expect(formatDuration("tr", 30)).toBe("30 dakika");
  });

  it("formats money in the store's currency and clock times in 24 hours", () => {
    expect(formatMoney("tr", "1234.5", "TRY")).toMatch(/1\.234,50/);
    expect(formatMoney("en", "12.5", "USD")).toBe("$12.50");
    expect(formatClock("en", "21:00")).toBe("21:00");
    expect(formatClock("tr", "09:00:00")).toBe("09:00");
  });

  it("gives a reason's words and fix from the API's table, and never the bare code", () => {
    const table = new Map([["quiet_hours", { code: "quiet_hours", text: "Waiting", textTr: "Bekleniyor", fix: null, fixTr: null, alerts: false }]]);
    expect(reasonWords("tr", "quiet_hours", table).text).toBe("Bekleniyor");
    expect(reasonWords("en", "brand_new", table).text).toBe("Other (brand_new)");
  });
});
