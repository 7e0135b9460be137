/**
 * The segment rule language (JSON) — the one table the builder, the validator and the docs
 * read. A rule is a group `{"all": [rule, …]}`, `{"any": [rule, …]}`, `{"not": rule}` or a
 * condition `{"field": F, "op": OP, "value": V}` (`value` is omitted for `never`).
 * The backend compiles the same language to SQL (plugin/segments); keep both in step.
 */

export type ValueKind =
  | "text" // non-empty string (tag, product id/SKU)
  | "slug" // category slug
  | "answer" // "question_key:answer"
  | "country" // ISO-3166 alpha-2, e.g. "TR"
  | "country_list"
  | "locale" // "tr", "en", "tr-TR"
  | "locale_list"
  | "int" // integer ≥ 0
  | "int_range" // [a, b], a ≤ b
  | "money" // number ≥ 0 in the store currency
  | "money_range"
  | "days" // integer ≥ 1
  | "checkout_state" // "open" | "abandoned" | "none"
  | "none"; // no value (`never`)

export const OPS = [
  "has",
  "has_not",
  "eq",
  "neq",
  "in",
  "not_in",
  "gt",
  "gte",
  "lt",
  "lte",
  "between",
  "within_days",
  "not_within_days",
  "never",
] as const;
export type Op = (typeof OPS)[number];

export interface FieldSpec {
  label_en: string;
  label_tr: string;
  /** Allowed operators, in the order the builder offers them, and the value each takes. */
  ops: Partial<Record<Op, ValueKind>>;
}

const COUNT_OPS = { eq: "int", gt: "int", gte: "int", lt: "int", lte: "int", between: "int_range" } as const;
const MONEY_OPS = { gt: "money", gte: "money", lt: "money", lte: "money", between: "money_range" } as const;
const RECENCY_OPS = { within_days: "days", not_within_days: "days", never: "none" } as const;

export const FIELD_SPECS = {
  tags: { label_en: "Tags", label_tr: "Etiketler", ops: { has: "text", has_not: "text" } },
  country: {
    label_en: "Country",
    label_tr: "Ülke",
    ops: { eq: "country", neq: "country", in: "country_list", not_in: "country_list" },
  },
  locale: { label_en: "Language", label_tr: "Dil", ops: { eq: "locale", in: "locale_list" } },
  orders_count: { label_en: "Number of orders", label_tr: "Sipariş sayısı", ops: COUNT_OPS },
  total_spent: { label_en: "Total spent", label_tr: "Toplam harcama", ops: MONEY_OPS },
  last_order_at: { label_en: "Last order", label_tr: "Son sipariş", ops: RECENCY_OPS },
  first_order_at: { label_en: "First order", label_tr: "İlk sipariş", ops: RECENCY_OPS },
  bought_product: { label_en: "Bought product (ID or SKU)", label_tr: "Satın aldığı ürün (ID veya SKU)", ops: { eq: "text" } },
  bought_category: { label_en: "Bought from category (slug)", label_tr: "Satın aldığı kategori (slug)", ops: { eq: "slug" } },
  checkout_state: { label_en: "Checkout", label_tr: "Sepet durumu", ops: { eq: "checkout_state" } },
  marketing_consent_at: {
    label_en: "Marketing consent given",
    label_tr: "Pazarlama izni verildi",
    ops: { within_days: "days", not_within_days: "days" },
  },
  last_reply_at: { label_en: "Last WhatsApp reply", label_tr: "Son WhatsApp yanıtı", ops: RECENCY_OPS },
  button_answer: { label_en: "Button answer", label_tr: "Buton yanıtı", ops: { eq: "answer" } },
} as const satisfies Record<string, FieldSpec>;

export type Field = keyof typeof FIELD_SPECS;
export const FIELDS = Object.keys(FIELD_SPECS) as Field[];

export const OP_LABELS: Record<Op, { en: string; tr: string }> = {
  has: { en: "has", tr: "içerir" },
  has_not: { en: "does not have", tr: "içermez" },
  eq: { en: "is", tr: "eşittir" },
  neq: { en: "is not", tr: "eşit değildir" },
  in: { en: "is one of", tr: "şunlardan biri" },
  not_in: { en: "is none of", tr: "şunlardan hiçbiri" },
  gt: { en: "more than", tr: "büyüktür" },
  gte: { en: "at least", tr: "en az" },
  lt: { en: "less than", tr: "küçüktür" },
  lte: { en: "at most", tr: "en çok" },
  between: { en: "between", tr: "arasında" },
  within_days: { en: "within the last … days", tr: "son … gün içinde" },
  not_within_days: { en: "not within the last … days", tr: "son … gün içinde değil" },
  never: { en: "never", tr: "hiç" },
};

export const CHECKOUT_STATES = ["open", "abandoned", "none"] as const;
export type CheckoutState = (typeof CHECKOUT_STATES)[number];
export const CHECKOUT_STATE_LABELS: Record<CheckoutState, { en: string; tr: string }> = {
  open: { en: "open", tr: "açık" },
  abandoned: { en: "abandoned", tr: "terk edilmiş" },
  none: { en: "none", tr: "yok" },
};

export type ConditionValue = string | number | string[] | [number, number] | null;

export interface Condition {
  field: Field;
  op: Op;
  value?: ConditionValue;
}
export type Rule = { all: Rule[] } | { any: Rule[] } | { not: Rule } | Condition;

export function isAll(r: Rule): r is { all: Rule[] } {
  return typeof r === "object" && r !== null && "all" in r;
}
export function isAny(r: Rule): r is { any: Rule[] } {
  return typeof r === "object" && r !== null && "any" in r;
}
export function isNot(r: Rule): r is { not: Rule } {
  return typeof r === "object" && r !== null && "not" in r;
}
export function isCondition(r: Rule): r is Condition {
  return typeof r === "object" && r !== null && "field" in r;
}

export function opsFor(field: Field): Op[] {
  return Object.keys(FIELD_SPECS[field].ops) as Op[];
}

export function valueKind(field: Field, op: Op): ValueKind | undefined {
  return (FIELD_SPECS[field].ops as Partial<Record<Op, ValueKind>>)[op];
}

/** The value a fresh input of this kind starts with (invalid until filled, on purpose). */
export function defaultValue(kind: ValueKind): ConditionValue | undefined {
  switch (kind) {
    case "none":
      return undefined;
    case "country_list":
    case "locale_list":
      return [];
    case "int_range":
    case "money_range":
      return null;
    case "int":
    case "money":
    case "days":
      return null;
    case "checkout_state":
      return "abandoned";
    default:
      return "";
  }
}

/** Builds a condition, dropping `value` for operators that take none. */
export function makeCondition(field: Field, op?: Op): Condition {
  const chosen = op ?? opsFor(field)[0]!;
  const kind = valueKind(field, chosen) ?? "none";
  const value = defaultValue(kind);
  return value === undefined ? { field, op: chosen } : { field, op: chosen, value };
}
