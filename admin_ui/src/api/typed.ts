/**
 * A document string that carries its generated result type (src/api/generated.ts), so
 * `useAdminQuery(SETTINGS)` / `useAdminMutation(UPDATE_SETTINGS)` know their answer's shape
 * without a hand-written type at the call site. At run time it is the plain string.
 */
export type TypedDocument<Result> = string & { readonly __result?: Result };

export function typed<Result>(document: string): TypedDocument<Result> {
  return document as TypedDocument<Result>;
}
