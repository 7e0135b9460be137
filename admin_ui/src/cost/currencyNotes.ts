/**
 * What a cost's currency is and is not (issue 18 point 3): Ulak prices with Meta's rate cards in
 * USD, while Meta bills each WhatsApp Business Account in its own currency (read from the Graph
 * API). When the two differ the figure is shown in the card's currency with a note, never
 * relabelled as the billing currency; until Meta has been read, the store's setting stands in
 * and the note says so. The wording only; the facts come from the admin API's cost basis.
 */
import type { Translate } from "../i18n";
import type { CostBasis } from "./types";

export function currencyNotes(t: Translate, basis: Pick<CostBasis, "billingCurrency" | "billingCurrencySource" | "rateCardCurrency">): string[] {
  const billing = basis.billingCurrency;
  const card = basis.rateCardCurrency ?? billing;
  const notes: string[] = [];
  if (card !== billing) notes.push(t("cost.otherCurrency", { billing, card }));
  if (basis.billingCurrencySource === "SETTING") notes.push(t("cost.billingAssumed", { billing }));
  return notes;
}
