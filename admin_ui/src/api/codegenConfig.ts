/**
 * What codegen.ts generates from, shared with src/api/schema.test.ts, which regenerates in
 * memory and compares with the committed src/api/generated.ts.
 */
import { DOCUMENTS } from "./queries";

/** The documents as raw GraphQL strings (interpolated selections already expanded). */
export function codegenDocuments(): string[] {
  return Object.values(DOCUMENTS);
}

/** typescript + typescript-operations options: plain types, no runtime enums, scalars as strings. */
export const CODEGEN_CONFIG = {
  enumsAsTypes: true,
  useTypeImports: true,
  skipTypename: true,
  avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
  scalars: { Date: "string", DateTime: "string", JSON: "unknown" },
  maybeValue: "T | null",
  inputMaybeValue: "T | null | undefined",
} as const;
