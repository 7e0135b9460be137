/**
 * React glue over the admin client: `useAdminQuery` loads a document and keeps its honest
 * state (loading, data or the API's error); `useAdminMutation` runs a mutation and returns its
 * payload, so the caller can show `errors` (the typed AdminError list) next to the fields. A
 * document made with `typed<…>()` (./typed.ts) brings its generated result type along.
 */
import { useCallback, useEffect, useState } from "react";
import { useDashboard } from "../dashboard";
import type { TypedDocument } from "./typed";

export type QueryState<T> =
  | { kind: "loading" }
  | { kind: "loaded"; data: T }
  | { kind: "error"; message: string };

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function useAdminQuery<T>(
  document: TypedDocument<T>,
  variables?: Record<string, unknown>,
  options: { skip?: boolean } = {},
): { state: QueryState<T>; reload: () => void } {
  const { request } = useDashboard();
  const [state, setState] = useState<QueryState<T>>({ kind: "loading" });
  const [attempt, setAttempt] = useState(0);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const key = JSON.stringify(variables ?? {});

  useEffect(() => {
    if (options.skip) return;
    const controller = new AbortController();
    setState((prev) => (prev.kind === "loaded" ? prev : { kind: "loading" }));
    request<T>(document, JSON.parse(key) as Record<string, unknown>, { signal: controller.signal }).then(
      (data) => {
        if (!controller.signal.aborted) setState({ kind: "loaded", data });
      },
      (err: unknown) => {
        if (!controller.signal.aborted) setState({ kind: "error", message: errorMessage(err) });
      },
    );
    return () => controller.abort();
  }, [request, document, key, attempt, options.skip]);

  return { state, reload };
}

export type MutationState = { kind: "idle" } | { kind: "running" } | { kind: "error"; message: string } | { kind: "done" };

export function useAdminMutation<T>(document: TypedDocument<T>): {
  run: (variables?: Record<string, unknown>) => Promise<T | undefined>;
  state: MutationState;
} {
  const { request } = useDashboard();
  const [state, setState] = useState<MutationState>({ kind: "idle" });
  const run = useCallback(
    async (variables?: Record<string, unknown>) => {
      setState({ kind: "running" });
      try {
        const data = await request<T>(document, variables ?? {});
        setState({ kind: "done" });
        return data;
      } catch (err) {
        setState({ kind: "error", message: errorMessage(err) });
        return undefined;
      }
    },
    [request, document],
  );
  return { run, state };
}

/** Calls `reload` every `ms` while `active` (live views: a running campaign's progress). */
export function usePolling(reload: () => void, ms: number, active: boolean): void {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(reload, ms);
    return () => clearInterval(timer);
  }, [reload, ms, active]);
}
