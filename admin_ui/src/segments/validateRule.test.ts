import { describe, expect, it } from "vitest";
import { FIELDS, FIELD_SPECS, opsFor } from "./ruleLanguage";
import { validateRule } from "./validateRule";

const codes = (rule: unknown) => validateRule(rule).map((e) => [e.path, e.code]);

describe("validateRule", () => {
  it("accepts a nested rule using every group kind", () => {
    const rule = {
      all: [
        { field: "country", op: "in", value: ["TR", "DE"] },
        { any: [{ field: "orders_count", op: "between", value: [2, 5] }, { field: "total_spent", op: "gte", value: 1500.5 }] },
        { not: { field: "tags", op: "has", value: "vip" } },
        { field: "last_order_at", op: "never" },
        { field: "checkout_state", op: "eq", value: "abandoned" },
        { field: "button_answer", op: "eq", value: "size:M" },
        { field: "bought_category", op: "eq", value: "yaz-ayakkabilari" },
        { field: "marketing_consent_at", op: "within_days", value: 30 },
      ],
    };
    expect(validateRule(rule)).toEqual([]);
  });

  it("reports paths into nested groups", () => {
    const rule = { all: [{ field: "tags", op: "has", value: "vip" }, { any: [{ not: { field: "country", op: "eq", value: "tr" } }] }] };
    const errors = validateRule(rule);
    expect(errors).toEqual([
      {
        path: "all.1.any.0.not.value",
        code: "invalid_value",
        message_en: "Use a two-letter country code, e.g. TR.",
        message_tr: "İki harfli ülke kodu kullanın, örneğin TR.",
      },
    ]);
  });

  it("rejects empty groups, unknown fields and operators not allowed for a field", () => {
    expect(codes({ any: [] })).toEqual([["any", "empty_group"]]);
    expect(codes({ field: "age", op: "gt", value: 3 })).toEqual([["field", "unknown_field"]]);
    expect(codes({ field: "tags", op: "gt", value: "x" })).toEqual([["op", "unknown_op"]]);
    expect(codes({ all: [1] })).toEqual([["all.0", "invalid_rule"]]);
    expect(codes({ all: [], any: [] })).toEqual([["", "invalid_rule"]]);
  });

  it("checks values by kind", () => {
    expect(codes({ field: "tags", op: "has", value: "" })).toEqual([["value", "value_required"]]);
    expect(codes({ field: "orders_count", op: "gt", value: 1.5 })).toEqual([["value", "invalid_value"]]);
    expect(codes({ field: "orders_count", op: "between", value: [5, 2] })).toEqual([["value", "invalid_value"]]);
    expect(codes({ field: "total_spent", op: "lt", value: -1 })).toEqual([["value", "invalid_value"]]);
    expect(codes({ field: "last_reply_at", op: "within_days", value: 0 })).toEqual([["value", "invalid_value"]]);
    expect(codes({ field: "last_reply_at", op: "never", value: 3 })).toEqual([["value", "value_not_allowed"]]);
    expect(codes({ field: "checkout_state", op: "eq", value: "paid" })).toEqual([["value", "invalid_value"]]);
    expect(codes({ field: "button_answer", op: "eq", value: "no-colon" })).toEqual([["value", "invalid_value"]]);
    expect(codes({ field: "locale", op: "in", value: ["tr", "EN!"] })).toEqual([["value", "invalid_value"]]);
  });

  it("gives Turkish messages", () => {
    expect(validateRule({ any: [] })[0]?.message_tr).toBe("Bu gruba en az bir koşul ekleyin.");
  });

  it("has one table of fields and operators matching the product's rule language", () => {
    expect(Object.fromEntries(FIELDS.map((f) => [f, opsFor(f)]))).toEqual({
      tags: ["has", "has_not"],
      country: ["eq", "neq", "in", "not_in"],
      locale: ["eq", "in"],
      orders_count: ["eq", "gt", "gte", "lt", "lte", "between"],
      total_spent: ["gt", "gte", "lt", "lte", "between"],
      last_order_at: ["within_days", "not_within_days", "never"],
      first_order_at: ["within_days", "not_within_days", "never"],
      bought_product: ["eq"],
      bought_category: ["eq"],
      checkout_state: ["eq"],
      marketing_consent_at: ["within_days", "not_within_days"],
      last_reply_at: ["within_days", "not_within_days", "never"],
      button_answer: ["eq"],
    });
    expect(FIELD_SPECS.tags.label_tr).toBe("Etiketler");
  });
});
