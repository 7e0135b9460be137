/**
 * The plans side by side — Free / Silver / Gold with their price, monthly messages, campaign
 * size and features (`planCatalogue`) — the current one marked, and a confirmation naming what
 * changes before `changePlan` runs.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { CHANGE_PLAN } from "../settings/queries";
import { useAdminMutation } from "../api/useAdmin";
import { AdminErrors, ConfirmDialog, ErrorState, Loading, StatusBadge, type AdminError } from "../components/ui";
import { formatCount, formatMoney, useLocale, useT } from "../i18n";
import type { PlanUsage } from "../pages/types";
import { usePlanCatalogue, type Catalogue, type PlanOffer } from "./catalogue";
import "./plans.css";

export function PlanComparison({ onChanged }: { onChanged: (usage: PlanUsage) => void }) {
  const t = useT();
  const locale = useLocale();
  const { state, reload } = usePlanCatalogue();
  const [asked, setAsked] = useState<PlanOffer | null>(null);
  const [errors, setErrors] = useState<AdminError[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const change = useAdminMutation(CHANGE_PLAN);
  if (state.kind === "loading") return <Loading />;
  if (state.kind === "error") return <ErrorState message={state.message} onRetry={reload} />;
  const c: Catalogue = state.data.planCatalogue;
  const label = (code: string) => {
    const f = c.features.find((x) => x.code === code);
    return f ? (locale === "tr" ? f.labelTr : f.label) : code;
  };
  const price = (o: PlanOffer) => t("plans.perMonth", { price: formatMoney(locale, o.priceTry, "TRY") });
  const current = c.plans.find((o) => o.current);
  const confirm = async () => {
    if (!asked) return;
    const plan = asked.plan;
    setAsked(null);
    const data = await change.run({ plan });
    setErrors(data?.changePlan.errors ?? []);
    if (data?.changePlan.usage) {
      onChanged(data.changePlan.usage);
      setDone(t("plans.changed", { plan: t(`plan.${plan}`) }));
      reload();
    }
  };
  const gains = asked ? asked.features.filter((f) => !current?.features.includes(f)).map(label) : [];
  const loses = asked ? (current?.features ?? []).filter((f) => !asked.features.includes(f)).map(label) : [];
  return (
    <Box display="flex" flexDirection="column" gap={3}>
      <ul className="ulak-plans" aria-label={t("plans.title")}>
        {c.plans.map((o) => (
          <li key={o.plan} className="ulak-plan" aria-current={o.current ? "true" : undefined} data-testid={`plan-${o.plan}`}>
            <Box display="flex" justifyContent="space-between" alignItems="center" gap={2} flexWrap="wrap">
              <Text as="h4" size={5} fontWeight="bold">
                {t(`plan.${o.plan}`)}
              </Text>
              {o.current && <StatusBadge tone="info">{t("plans.current")}</StatusBadge>}
            </Box>
            <Text size={4} fontWeight="bold">
              {price(o)}
            </Text>
            <Text size={3}>{t("plans.quota", { count: formatCount(locale, o.monthlyQuota) })}</Text>
            <Text size={3}>{o.campaignMaxRecipients === null ? t("plans.recipientsAny") : t("plans.recipients", { count: formatCount(locale, o.campaignMaxRecipients) })}</Text>
            <ul className="ulak-plan-features">
              {c.features.map((f) => {
                const has = o.features.includes(f.code);
                return (
                  <li key={f.code} className={has ? "ulak-has" : "ulak-hasnt"}>
                    <span aria-hidden="true">{has ? "✓" : "–"}</span> <span className="ulak-visually-hidden">{has ? t("plans.includes") : t("plans.notIncluded")}: </span>
                    {label(f.code)}
                  </li>
                );
              })}
            </ul>
            <Box marginTop="auto">
              {o.current ? (
                <Text size={3} fontWeight="bold">
                  {t("plans.youAreHere")}
                </Text>
              ) : (
                <Button variant="secondary" disabled={change.state.kind === "running"} onClick={() => { setDone(null); setAsked(o); }}>
                  {t("plans.choose", { plan: t(`plan.${o.plan}`) })}
                </Button>
              )}
            </Box>
          </li>
        ))}
      </ul>
      <AdminErrors errors={errors} />
      {change.state.kind === "error" && <ErrorState message={change.state.message} />}
      <span role="status" aria-live="polite">
        {done && (
          <Text size={3} color="success1">
            {done}
          </Text>
        )}
      </span>
      <ConfirmDialog
        open={asked !== null}
        title={asked ? t("plans.confirmTitle", { plan: t(`plan.${asked.plan}`) }) : ""}
        confirmLabel={t("plans.confirm")}
        onCancel={() => setAsked(null)}
        onConfirm={confirm}
        danger={loses.length > 0}
        body={
          asked && (
            <Box display="flex" flexDirection="column" gap={2}>
              <Text size={3}>{t("plans.confirmBody", { price: formatMoney(locale, asked.priceTry, "TRY"), quota: formatCount(locale, asked.monthlyQuota) })}</Text>
              {gains.length > 0 && <Text size={3}>{t("plans.confirmGains", { features: gains.join(", ") })}</Text>}
              {loses.length > 0 && (
                <Text size={3} fontWeight="bold">
                  {t("plans.confirmLoses", { features: loses.join(", ") })}
                </Text>
              )}
            </Box>
          )
        }
      />
    </Box>
  );
}
