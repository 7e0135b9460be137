/** A page that, for now, shows the admin API's honest answer to its query. */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState } from "react";
import { AdminApiError } from "../api/graphql";
import { PAGE_QUERIES } from "../api/queries";
import { useDashboard } from "../dashboard";
import { useT } from "../i18n";
import type { PageId } from "./pages";

type State = { kind: "loading" } | { kind: "loaded"; data: unknown } | { kind: "error"; message: string };

export function AdminQueryPage({ page }: { page: PageId }) {
  const t = useT();
  const { request } = useDashboard();
  const [state, setState] = useState<State>({ kind: "loading" });
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    setState({ kind: "loading" });
    request<unknown>(PAGE_QUERIES[page], {}, { signal: controller.signal }).then(
      (data) => setState({ kind: "loaded", data }),
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setState({ kind: "error", message: err instanceof AdminApiError || err instanceof Error ? err.message : String(err) });
      },
    );
    return () => controller.abort();
  }, [request, page, attempt]);

  return (
    <Box display="flex" flexDirection="column" gap={3} aria-busy={state.kind === "loading"}>
      {state.kind === "loading" && (
        <Text as="p" size={3} color="default2" role="status">
          {t("page.loading")}
        </Text>
      )}
      {state.kind === "error" && (
        <Box display="flex" flexDirection="column" gap={2} role="alert">
          <Text as="p" size={3} color="critical1">
            {t("page.error", { message: state.message })}
          </Text>
          <Box>
            <Button variant="secondary" onClick={retry}>
              {t("page.retry")}
            </Button>
          </Box>
        </Box>
      )}
      {state.kind === "loaded" && (
        <Box display="flex" flexDirection="column" gap={2}>
          <Text as="p" size={3} role="status">
            {t("page.loaded")}
          </Text>
          <Box as="pre" fontSize={2} padding={3} borderRadius={3} backgroundColor="default2" overflowX="auto">
            {JSON.stringify(state.data, null, 2)}
          </Box>
        </Box>
      )}
    </Box>
  );
}
