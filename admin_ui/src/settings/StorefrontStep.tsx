/**
 * The onboarding step that asks for the storefront's address: cart recovery's messages link to
 * its checkout (plugin/flows/config.checkout_url), and without one recovery does not start. When
 * the flow is on and says so (its alert `checkout_url_missing`, plugin/flows/alerts.py), the
 * API's own words and fix are shown here. The address is kept by react-hook-form.
 */
import { Box, Text } from "@saleor/macaw-ui";
import { useForm } from "react-hook-form";
import { useOnEdit } from "../components/formFields";
import { AdminErrors, TextField } from "../components/ui";
import { FlowAlerts } from "../flows/FlowAlerts";
import { useT } from "../i18n";
import type { FlowAlert, StoreSettings } from "../pages/types";
import { SaveRow } from "./parts";
import { CheckoutLinkLine } from "./StorefrontSection";
import { useSaveSettings } from "./useSaveSettings";

/** plugin/flows/recovery.py CHECKOUT_URL_MISSING: cart recovery skipped for want of a link. */
export const CHECKOUT_URL_MISSING = "checkout_url_missing";

export type StorefrontSettings = Pick<StoreSettings, "storefrontUrl" | "checkoutUrlTemplate">;

export function StorefrontStep({ settings, alerts, onSaved }: { settings: StorefrontSettings; alerts: FlowAlert[]; onSaved: () => void }) {
  const t = useT();
  const { register, handleSubmit, watch } = useForm<{ storefrontUrl: string }>({ defaultValues: { storefrontUrl: settings.storefrontUrl ?? "" } });
  // macaw-ui floats its label only over a field that has a value, so the field stays controlled.
  const url = watch("storefrontUrl");
  const { save, errors, saved, changed, state } = useSaveSettings();
  useOnEdit(watch, changed); // a change after a save takes its "Saved." away
  const submit = handleSubmit(async (values) => {
    if (await save({ storefrontUrl: values.storefrontUrl.trim() })) onSaved();
  });
  return (
    <Box display="flex" flexDirection="column" gap={3}>
      <Text as="p" size={3} color="default2">
        {t("onboarding.storefrontAbout")}
      </Text>
      <FlowAlerts alerts={alerts.filter((a) => a.reason.code === CHECKOUT_URL_MISSING)} />
      <Box as="form" onSubmit={submit} display="flex" flexDirection="column" gap={3} aria-label={t("onboarding.storefrontForm")}>
        <div className="ulak-narrow">
          <TextField
            label={t("storefront.url")}
            hint={t("storefront.urlHint")}
            id="onboarding-storefront-url"
            type="text"
            inputMode="url"
            spellCheck={false}
            placeholder="https://shop.example.com"
            value={url}
            aria-invalid={errors.some((er) => er.field === "storefrontUrl")}
            {...register("storefrontUrl")}
          />
        </div>
        <CheckoutLinkLine storefrontUrl={url} template={settings.checkoutUrlTemplate} />
        <AdminErrors errors={errors} />
        <SaveRow label={t("common.save")} state={state} saved={saved} />
      </Box>
      <Box as="a" href="#/settings" color="accent1">
        {t("onboarding.storefrontMore")}
      </Box>
    </Box>
  );
}
