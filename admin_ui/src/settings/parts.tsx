/** Pieces the settings sections share (src/settings/). */
import { Box, Button, Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";
import { useAdminQuery, type MutationState } from "../api/useAdmin";
import { ErrorState, QueryView, Section } from "../components/ui";
import { useT } from "../i18n";

/**
 * What every settings form ends with: its Save button, "Saved." once the API kept the change,
 * and the API's own failure when the request did not get through (its refusals of a field are
 * AdminErrors, shown beside the fields by the form).
 */
export function SaveRow({ label, state, saved }: { label: string; state: MutationState; saved: boolean }) {
  const t = useT();
  return (
    <>
      {state.kind === "error" && <ErrorState message={state.message} />}
      <Box display="flex" gap={3} alignItems="center" flexWrap="wrap">
        <Button type="submit" disabled={state.kind === "running"}>
          {label}
        </Button>
        <span role="status" aria-live="polite">
          {saved && (
            <Text size={3} color="success1">
              {t("common.saved")}
            </Text>
          )}
        </span>
      </Box>
    </>
  );
}

/** A section saved on its own: its title and what it does, then its form once `document` loaded. */
export function LoadedSection<T>({ title, about, document, children }: { title: string; about: string; document: string; children: (data: T) => ReactNode }) {
  const { state, reload } = useAdminQuery<T>(document);
  return (
    <Section title={title}>
      <Text as="p" size={3} color="default2">
        {about}
      </Text>
      <QueryView state={state} onRetry={reload}>
        {children}
      </QueryView>
    </Section>
  );
}
