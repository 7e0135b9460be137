/**
 * Reason codes ("quiet_hours", "template_paused", …) in words, with what to do. Their one
 * table is plugin/delivery/reasons.py; the admin API serves it as `reasonCodes`, read once per
 * page load here, so the UI never keeps a second copy that could drift.
 */
import { Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";
import { REASON_CODES } from "../api/queries";
import { useDashboard } from "../dashboard";
import { translate, useLocale, type Locale } from "../i18n";

export interface ReasonText {
  code: string;
  text: string;
  textTr: string;
  fix: string | null;
  fixTr: string | null;
  alerts: boolean;
}

export interface ReasonWords {
  text: string;
  fix: string | null;
}

/** The words of one reason in `locale`; an unknown code reads "Other (code)". */
export function reasonWords(locale: Locale, code: string, table: ReadonlyMap<string, ReasonText> | null, given?: ReasonText | null): ReasonWords {
  const r = given ?? table?.get(code);
  if (!r || r.text === r.code) return { text: translate(locale, "code.unknown", { code }), fix: null };
  return locale === "tr" ? { text: r.textTr, fix: r.fixTr } : { text: r.text, fix: r.fix };
}

type Request = ReturnType<typeof useDashboard>["request"];

/** One load per admin client (a page load; each test's fake client gets its own). */
const cache = new WeakMap<Request, Promise<Map<string, ReasonText>>>();

function load(request: Request): Promise<Map<string, ReasonText>> {
  let table = cache.get(request);
  if (!table) {
    table = request<{ reasonCodes: ReasonText[] }>(REASON_CODES, {}).then((d) => new Map(d.reasonCodes.map((r) => [r.code, r])));
    table.catch(() => cache.delete(request));
    cache.set(request, table);
  }
  return table;
}

/** Resolves a reason code to its words once `reasonCodes` has loaded (a code until then). */
export function useReasons(): (code: string, given?: ReasonText | null) => ReasonWords {
  const locale = useLocale();
  const { request } = useDashboard();
  const [table, setTable] = useState<Map<string, ReasonText> | null>(null);
  useEffect(() => {
    let live = true;
    load(request).then(
      (m) => live && setTable(m),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [request]);
  return (code, given) => reasonWords(locale, code, table, given);
}

/** One reason as a line of text, its fix below when there is one. */
export function Reason({ words, showFix = true }: { words: ReasonWords; showFix?: boolean }) {
  return (
    <>
      <Text size={3}>{words.text}</Text>
      {showFix && words.fix && (
        <Text as="p" size={2} color="default2">
          {words.fix}
        </Text>
      )}
    </>
  );
}
