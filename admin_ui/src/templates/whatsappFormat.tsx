/**
 * Renders WhatsApp's inline formatting (*bold*, _italic_, ~strike~, ```mono```) and
 * substitutes template variables. A variable without a value stays visible as a
 * highlighted {{n}} so the merchant sees what is missing.
 */
import type { ReactNode } from "react";
import { findPlaceholders } from "./variables";
import type { VariableValues } from "./types";

// Unused Private Use Area code points mark missing variables while formatting runs.
const SENTINEL_BASE = 0xe000;
const SENTINEL_RE = /([\uE000-\uE0FF])/;

const MARKERS: { re: RegExp; tag: "strong" | "em" | "s" | "code" }[] = [
  { re: /```([^`]+?)```/, tag: "code" },
  { re: /\*([^*\n]+?)\*/, tag: "strong" },
  { re: /_([^_\n]+?)_/, tag: "em" },
  { re: /~([^~\n]+?)~/, tag: "s" },
];

/** Replaces `{{n}}` with values; missing values become sentinels. */
export function substitute(text: string, values: VariableValues | undefined): {
  text: string;
  missing: Map<string, string>;
} {
  const missing = new Map<string, string>();
  let out = "";
  let last = 0;
  for (const p of findPlaceholders(text)) {
    out += text.slice(last, p.start);
    last = p.end;
    const value = p.n !== null ? values?.[String(p.n)] : undefined;
    if (value !== undefined && value !== "") {
      out += value;
    } else {
      const mark = String.fromCharCode(SENTINEL_BASE + Math.min(missing.size, 0xff));
      missing.set(mark, p.raw);
      out += mark;
    }
  }
  out += text.slice(last);
  return { text: out, missing };
}

function renderPlain(text: string, missing: Map<string, string>, missingLabel: (raw: string) => string, key: string): ReactNode[] {
  return text.split(SENTINEL_RE).map((part, i) => {
    const raw = missing.get(part);
    if (raw !== undefined) {
      return (
        <mark key={`${key}-${i}`} className="ulak-missing-var" title={missingLabel(raw)} data-testid="missing-variable">
          {raw}
        </mark>
      );
    }
    return part;
  });
}

function renderFormatted(
  text: string,
  missing: Map<string, string>,
  missingLabel: (raw: string) => string,
  key: string,
): ReactNode[] {
  let best: { index: number; length: number; inner: string; tag: (typeof MARKERS)[number]["tag"] } | undefined;
  for (const { re, tag } of MARKERS) {
    const m = re.exec(text);
    if (m && (best === undefined || m.index < best.index)) {
      best = { index: m.index, length: m[0].length, inner: m[1] ?? "", tag };
    }
  }
  if (!best) return renderPlain(text, missing, missingLabel, key);
  const Tag = best.tag;
  const inner =
    best.tag === "code"
      ? renderPlain(best.inner, missing, missingLabel, `${key}c`)
      : renderFormatted(best.inner, missing, missingLabel, `${key}i`);
  return [
    ...renderPlain(text.slice(0, best.index), missing, missingLabel, `${key}a`),
    <Tag key={`${key}-tag`}>{inner}</Tag>,
    ...renderFormatted(text.slice(best.index + best.length), missing, missingLabel, `${key}b`),
  ];
}

export function renderWhatsAppText(
  text: string,
  values: VariableValues | undefined,
  missingLabel: (raw: string) => string = (raw) => raw,
): ReactNode[] {
  const { text: substituted, missing } = substitute(text, values);
  return renderFormatted(substituted, missing, missingLabel, "f");
}
