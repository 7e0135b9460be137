/**
 * The settings form's "Storefront" section: where cart recovery sends shoppers back to
 * (storefrontUrl, checkoutUrlTemplate, read by plugin/flows/config.checkout_url) and who may call
 * the storefront opt-in (storefrontOrigins, optinDailyLimit, read by plugin/events/storefront.py).
 * Its fields are part of the store settings form, saved with its one Save button; the API's
 * refusals of these fields are shown here, beside them. The values are react-hook-form's, read
 * from the settings form's context.
 */
import { Text } from "@saleor/macaw-ui";
import { useFormContext, useWatch } from "react-hook-form";
import { type AdminError, AdminErrors, Section, TextAreaField, TextField } from "../components/ui";
import { useT } from "../i18n";
import type { StoreSettings } from "../pages/types";

export interface StorefrontForm {
  storefrontUrl: string;
  checkoutUrlTemplate: string;
  storefrontOrigins: string;
  optinDailyLimit: string;
}

export const STOREFRONT_FIELDS: readonly string[] = ["storefrontUrl", "checkoutUrlTemplate", "storefrontOrigins", "optinDailyLimit"];

const TOKEN = "{checkout_token}";

export function toStorefrontForm(s: StoreSettings): StorefrontForm {
  return {
    storefrontUrl: s.storefrontUrl ?? "",
    checkoutUrlTemplate: s.checkoutUrlTemplate ?? "",
    storefrontOrigins: s.storefrontOrigins.join("\n"),
    optinDailyLimit: String(s.optinDailyLimit),
  };
}

/** The fields to send: an emptied URL clears it (the API stores "" as none); an emptied
 * daily limit is left out, never read as 0 (which would stop every storefront sign-up). */
export function storefrontInput(f: StorefrontForm): Record<string, unknown> {
  const limit = f.optinDailyLimit.trim();
  return {
    storefrontUrl: f.storefrontUrl.trim(),
    checkoutUrlTemplate: f.checkoutUrlTemplate.trim(),
    storefrontOrigins: f.storefrontOrigins
      .split(/[\n,]+/)
      .map((o) => o.trim())
      .filter(Boolean),
    ...(limit === "" ? {} : { optinDailyLimit: Number(limit) }),
  };
}

/** The page a cart reminder opens, as plugin/flows/config.checkout_url builds it (null: none). */
export function checkoutLink(storefrontUrl: string | null, template: string | null): string | null {
  if (template?.trim()) return template.trim();
  if (storefrontUrl?.trim()) return `${storefrontUrl.trim().replace(/\/+$/, "")}/checkout/?checkout=${TOKEN}`;
  return null;
}

/** "Cart recovery links open: …", or why cart recovery cannot start. */
export function CheckoutLinkLine({ storefrontUrl, template }: { storefrontUrl: string | null; template: string | null }) {
  const t = useT();
  const link = checkoutLink(storefrontUrl, template);
  return (
    <Text as="p" size={3} color={link ? "default2" : "warning1"} data-testid="checkout-link" style={{ overflowWrap: "anywhere" }}>
      {link ? t("storefront.link", { url: link }) : t("storefront.noLink")}
    </Text>
  );
}

/** Its fields live in the enclosing settings form (react-hook-form's FormProvider). */
export function StorefrontSection({ errors }: { errors: AdminError[] }) {
  const t = useT();
  const { register, control } = useFormContext<StorefrontForm>();
  // macaw-ui floats its label only over a field that has a value, so the fields stay controlled.
  const form = useWatch({ control });
  const invalid = (field: string) => errors.some((e) => e.field === field);
  const template = (form.checkoutUrlTemplate ?? "").trim();
  return (
    <Section title={t("storefront.title")}>
      <Text as="p" size={3} color="default2">
        {t("storefront.about")}
      </Text>
      <TextField label={t("storefront.url")} hint={t("storefront.urlHint")} id="storefront-url" type="text" inputMode="url" spellCheck={false} placeholder="https://shop.example.com" value={form.storefrontUrl} aria-invalid={invalid("storefrontUrl")} aria-describedby="storefront-url-hint" {...register("storefrontUrl")} />
      <TextField label={t("storefront.checkout")} hint={t("storefront.checkoutHint")} id="checkout-url" type="text" inputMode="url" spellCheck={false} placeholder={`https://shop.example.com/checkout/?checkout=${TOKEN}`} value={form.checkoutUrlTemplate} aria-invalid={invalid("checkoutUrlTemplate")} aria-describedby="checkout-url-hint" {...register("checkoutUrlTemplate")} />
      {template && !template.includes(TOKEN) && (
        <Text as="p" size={3} color="warning1">
          {t("storefront.noToken")}
        </Text>
      )}
      <CheckoutLinkLine storefrontUrl={form.storefrontUrl ?? null} template={form.checkoutUrlTemplate ?? null} />
      <TextAreaField label={t("storefront.origins")} hint={t("storefront.originsHint")} id="storefront-origins" rows={3} placeholder="https://shop.example.com" value={form.storefrontOrigins} aria-invalid={invalid("storefrontOrigins")} aria-describedby="storefront-origins-hint" {...register("storefrontOrigins")} />
      <div className="ulak-narrow">
        <TextField label={t("storefront.dailyLimit")} hint={t("storefront.dailyLimitHint")} id="optin-daily-limit" type="number" min={0} max={100000} step={1} value={form.optinDailyLimit} aria-invalid={invalid("optinDailyLimit")} aria-describedby="optin-daily-limit-hint" {...register("optinDailyLimit")} />
      </div>
      <AdminErrors errors={errors} />
    </Section>
  );
}
