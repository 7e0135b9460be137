/** Placeholders in template text: Meta's positional `{{1}}`, `{{2}}`, … */

export interface Placeholder {
  /** The whole match, e.g. "{{1}}" or "{{ name }}". */
  raw: string;
  /** The number for a well-formed `{{n}}`, otherwise null (malformed). */
  n: number | null;
  start: number;
  end: number;
}

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

export function findPlaceholders(text: string): Placeholder[] {
  const found: Placeholder[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const inner = m[1] ?? "";
    const start = m.index ?? 0;
    found.push({
      raw: m[0],
      n: /^[1-9]\d*$/.test(inner) ? Number(inner) : null,
      start,
      end: start + m[0].length,
    });
  }
  return found;
}

/** Distinct variable numbers in order of first appearance. */
export function variableNumbers(text: string): number[] {
  const seen: number[] = [];
  for (const p of findPlaceholders(text)) {
    if (p.n !== null && !seen.includes(p.n)) seen.push(p.n);
  }
  return seen;
}
