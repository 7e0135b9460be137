/**
 * Fetch helper for Ulak's own admin API (`POST /graphql`, same origin), authorised with the
 * dashboard token as `Authorization: Bearer <token>`. The token is read at call time, so a
 * `tokenRefresh` from the dashboard is picked up by the next request.
 *
 * Two kinds of failure are kept apart:
 *  - transport/GraphQL errors (HTTP status, `errors` in the response) throw `AdminApiError`;
 *  - expected, per-field problems that a mutation returns in its payload as a list of
 *    `{field, code, message}` are data: read them with `userErrors()`.
 */

export interface UserError {
  field: string | null;
  code: string;
  message: string;
}

export interface GraphQLErrorEntry {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export class AdminApiError extends Error {
  readonly status: number | null;
  readonly graphQLErrors: GraphQLErrorEntry[];
  constructor(message: string, status: number | null, graphQLErrors: GraphQLErrorEntry[] = []) {
    super(message);
    this.name = "AdminApiError";
    this.status = status;
    this.graphQLErrors = graphQLErrors;
  }
}

export interface AdminClientOptions {
  /** Returns the current dashboard token (AppBridge state), or undefined when there is none. */
  getToken: () => string | undefined;
  /** Defaults to "/graphql" (same origin as the admin page). */
  endpoint?: string;
  fetch?: typeof globalThis.fetch;
}

export type AdminRequest = <TData, TVariables extends Record<string, unknown> = Record<string, unknown>>(
  query: string,
  variables?: TVariables,
  init?: { signal?: AbortSignal },
) => Promise<TData>;

export function createAdminClient({ getToken, endpoint = "/graphql", fetch: fetchImpl }: AdminClientOptions): AdminRequest {
  return async function request<TData, TVariables extends Record<string, unknown> = Record<string, unknown>>(
    query: string,
    variables?: TVariables,
    init?: { signal?: AbortSignal },
  ): Promise<TData> {
    const token = getToken();
    if (!token) throw new AdminApiError("No dashboard token yet (AppBridge handshake missing).", null);
    const doFetch = fetchImpl ?? globalThis.fetch.bind(globalThis);
    let response: Response;
    try {
      response = await doFetch(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          Authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({ query, variables: variables ?? {} }),
        signal: init?.signal,
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === "AbortError") throw err;
      throw new AdminApiError(`Network error: ${err instanceof Error ? err.message : String(err)}`, null);
    }
    let body: { data?: TData | null; errors?: GraphQLErrorEntry[] } | undefined;
    try {
      body = (await response.json()) as typeof body;
    } catch {
      body = undefined;
    }
    if (body?.errors && body.errors.length > 0) {
      throw new AdminApiError(body.errors.map((e) => e.message).join("; "), response.status, body.errors);
    }
    if (!response.ok) {
      throw new AdminApiError(`HTTP ${response.status} ${response.statusText}`.trim(), response.status);
    }
    if (!body || body.data === undefined || body.data === null) {
      throw new AdminApiError("The admin API returned no data.", response.status);
    }
    return body.data;
  };
}

/** The `errors` list a mutation payload carries (empty when the mutation succeeded). */
export function userErrors(payload: { errors?: readonly UserError[] | null } | null | undefined): UserError[] {
  return [...(payload?.errors ?? [])];
}

/** Groups user errors by field ("" for errors about the whole input), for form display. */
export function errorsByField(errors: readonly UserError[]): Record<string, UserError[]> {
  const out: Record<string, UserError[]> = {};
  for (const e of errors) (out[e.field ?? ""] ??= []).push(e);
  return out;
}
