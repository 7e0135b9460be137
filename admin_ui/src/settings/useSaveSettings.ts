/**
 * `updateStoreSettings` for a form: sends only the fields given (the API leaves the others as
 * they are), keeps the API's refusals (AdminErrors with their field) and says when it saved.
 */
import { useCallback, useState } from "react";
import { useAdminMutation } from "../api/useAdmin";
import type { AdminError } from "../components/ui";
import type { StoreSettings } from "../pages/types";
import { UPDATE_SETTINGS } from "./queries";

export function useSaveSettings() {
  const [errors, setErrors] = useState<AdminError[]>([]);
  const [saved, setSaved] = useState(false);
  const { run, state } = useAdminMutation(UPDATE_SETTINGS);
  /** Resolves to the settings as saved, or null when the API refused or could not be reached. */
  const save = useCallback(
    async (input: Record<string, unknown>): Promise<StoreSettings | null> => {
      const payload = (await run({ input }))?.updateStoreSettings;
      setErrors(payload?.errors ?? []);
      setSaved(Boolean(payload?.settings));
      return payload?.settings ?? null;
    },
    [run],
  );
  const changed = useCallback(() => setSaved(false), []);
  return { save, errors, saved, changed, state };
}
