/**
 * Checks a segment rule before it is previewed or saved. Paths are dotted into the JSON:
 * "" is the root, "all.1.not.value" the value of the condition negated in the second
 * member of the root group.
 */
import { FIELD_SPECS, CHECKOUT_STATES, valueKind, type Field, type Op, type ValueKind } from "./ruleLanguage";

export type RuleErrorCode =
  | "invalid_rule"
  | "empty_group"
  | "too_deep"
  | "unknown_field"
  | "unknown_op"
  | "value_required"
  | "value_not_allowed"
  | "invalid_value";

export interface RuleError {
  path: string;
  code: RuleErrorCode;
  message_en: string;
  message_tr: string;
}

export const MAX_DEPTH = 6;

const join = (base: string, key: string | number) => (base ? `${base}.${key}` : String(key));

export function validateRule(rule: unknown, path = ""): RuleError[] {
  const errors: RuleError[] = [];
  walk(rule, path, 0, errors);
  return errors;
}

function walk(rule: unknown, path: string, depth: number, errors: RuleError[]): void {
  const add = (p: string, code: RuleErrorCode, en: string, tr: string) =>
    errors.push({ path: p, code, message_en: en, message_tr: tr });

  if (depth > MAX_DEPTH) {
    add(path, "too_deep", `Rules can be nested at most ${MAX_DEPTH} levels deep.`, `Kurallar en fazla ${MAX_DEPTH} seviye iç içe olabilir.`);
    return;
  }
  if (typeof rule !== "object" || rule === null || Array.isArray(rule)) {
    add(path, "invalid_rule", "Expected a group or a condition.", "Bir grup ya da koşul bekleniyordu.");
    return;
  }
  const keys = Object.keys(rule);
  const r = rule as Record<string, unknown>;
  if (keys.length === 1 && (keys[0] === "all" || keys[0] === "any")) {
    const key = keys[0];
    const members = r[key];
    if (!Array.isArray(members)) {
      add(join(path, key), "invalid_rule", "A group holds a list of rules.", "Bir grup, kurallardan oluşan bir liste içerir.");
      return;
    }
    if (members.length === 0) {
      add(join(path, key), "empty_group", "Add at least one condition to this group.", "Bu gruba en az bir koşul ekleyin.");
    }
    members.forEach((m, i) => walk(m, join(join(path, key), i), depth + 1, errors));
    return;
  }
  if (keys.length === 1 && keys[0] === "not") {
    walk(r.not, join(path, "not"), depth + 1, errors);
    return;
  }
  if (!("field" in r) || !("op" in r) || keys.some((k) => !["field", "op", "value"].includes(k))) {
    add(
      path,
      "invalid_rule",
      'Expected {"all": […]}, {"any": […]}, {"not": …} or {"field", "op", "value"}.',
      'Beklenen: {"all": […]}, {"any": […]}, {"not": …} ya da {"field", "op", "value"}.',
    );
    return;
  }
  const field = r.field;
  if (typeof field !== "string" || !(field in FIELD_SPECS)) {
    add(join(path, "field"), "unknown_field", `Unknown field "${String(field)}".`, `Bilinmeyen alan "${String(field)}".`);
    return;
  }
  const kind = typeof r.op === "string" ? valueKind(field as Field, r.op as Op) : undefined;
  if (kind === undefined) {
    add(
      join(path, "op"),
      "unknown_op",
      `"${String(r.op)}" cannot be used with ${field}.`,
      `"${String(r.op)}", ${field} alanıyla kullanılamaz.`,
    );
    return;
  }
  checkValue(kind, r.value, join(path, "value"), add);
}

type Add = (p: string, code: RuleErrorCode, en: string, tr: string) => void;

const COUNTRY = /^[A-Z]{2}$/;
const LOCALE = /^[a-z]{2}([-_][A-Za-z]{2,4})?$/;
const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
const ANSWER = /^[^:\s][^:]*:.+$/;

function checkValue(kind: ValueKind, value: unknown, path: string, add: Add): void {
  const required = () => add(path, "value_required", "Enter a value.", "Bir değer girin.");
  const invalid = (en: string, tr: string) => add(path, "invalid_value", en, tr);
  const missing = value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);

  if (kind === "none") {
    if (!missing) add(path, "value_not_allowed", "This operator takes no value.", "Bu operatör değer almaz.");
    return;
  }
  if (missing) {
    required();
    return;
  }
  switch (kind) {
    case "text":
      if (typeof value !== "string" || !value.trim()) invalid("Enter some text.", "Bir metin girin.");
      return;
    case "slug":
      if (typeof value !== "string" || !SLUG.test(value))
        invalid("Use the category's slug, e.g. summer-shoes.", "Kategorinin slug değerini kullanın, örneğin yaz-ayakkabilari.");
      return;
    case "answer":
      if (typeof value !== "string" || !ANSWER.test(value))
        invalid('Write it as "question_key:answer".', '"soru_anahtari:yanıt" biçiminde yazın.');
      return;
    case "country":
      if (typeof value !== "string" || !COUNTRY.test(value))
        invalid("Use a two-letter country code, e.g. TR.", "İki harfli ülke kodu kullanın, örneğin TR.");
      return;
    case "country_list":
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || !COUNTRY.test(v)))
        invalid("Use two-letter country codes, e.g. TR, DE.", "İki harfli ülke kodları kullanın, örneğin TR, DE.");
      return;
    case "locale":
      if (typeof value !== "string" || !LOCALE.test(value))
        invalid("Use a language code, e.g. tr or en.", "Bir dil kodu kullanın, örneğin tr ya da en.");
      return;
    case "locale_list":
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || !LOCALE.test(v)))
        invalid("Use language codes, e.g. tr, en.", "Dil kodları kullanın, örneğin tr, en.");
      return;
    case "int":
      if (!Number.isInteger(value) || (value as number) < 0)
        invalid("Enter a whole number, 0 or more.", "0 ya da daha büyük bir tam sayı girin.");
      return;
    case "days":
      if (!Number.isInteger(value) || (value as number) < 1)
        invalid("Enter a number of days, 1 or more.", "1 ya da daha fazla gün sayısı girin.");
      return;
    case "money":
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
        invalid("Enter an amount, 0 or more.", "0 ya da daha büyük bir tutar girin.");
      return;
    case "int_range":
    case "money_range": {
      const ok = (v: unknown) =>
        typeof v === "number" && Number.isFinite(v) && v >= 0 && (kind === "money_range" || Number.isInteger(v));
      if (!Array.isArray(value) || value.length !== 2 || !ok(value[0]) || !ok(value[1])) {
        invalid("Enter both ends of the range.", "Aralığın iki ucunu da girin.");
      } else if ((value[0] as number) > (value[1] as number)) {
        invalid("The first number must not be larger than the second.", "İlk sayı ikinciden büyük olamaz.");
      }
      return;
    }
    case "checkout_state":
      if (!CHECKOUT_STATES.includes(value as (typeof CHECKOUT_STATES)[number]))
        invalid("Choose open, abandoned or none.", "Açık, terk edilmiş ya da yok seçin.");
      return;
  }
}
