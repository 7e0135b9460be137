/** A flow's name and one-line description by its key, so no switch is titled "Flow". */
import type { MessageKey } from "../i18n";

const NAMED = ["order_created", "order_paid", "order_fulfilled", "order_cancelled", "order_refunded", "cart_recovery", "cod_confirmation", "reminder"] as const;
type Named = (typeof NAMED)[number];

const isNamed = (key: string): key is Named => (NAMED as readonly string[]).includes(key);

export function flowTitleKey(key: string): MessageKey {
  return isNamed(key) ? `flow.${key}` : "flow.other";
}

export function flowAboutKey(key: string): MessageKey | null {
  return isNamed(key) ? `flow.about.${key}` : null;
}
