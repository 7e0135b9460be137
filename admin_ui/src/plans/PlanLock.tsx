/**
 * Says a feature is locked before the merchant builds it: "A/B tests need the Gold plan",
 * with a link to the plans. Reads the plan table from the API (`planCatalogue`), so the lock
 * and the server's PLAN_LIMIT refusal follow the same rule. Renders nothing when included.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useT } from "../i18n";
import { useLocale } from "../i18n";
import { usePlanCatalogue } from "./catalogue";

export function PlanLock({ feature }: { feature: string }) {
  const t = useT();
  const locale = useLocale();
  const { state } = usePlanCatalogue();
  if (state.kind !== "loaded") return null;
  const c = state.data.planCatalogue;
  const f = c.features.find((x) => x.code === feature);
  if (!f || f.included) return null;
  const name = locale === "tr" ? f.labelTr : f.label;
  const plan = t(`plan.${f.requiredPlan}`);
  return (
    <Box role="note" display="flex" flexDirection="column" gap={2} padding={3} borderRadius={3} borderWidth={1} borderStyle="solid" borderColor="default1" backgroundColor="default2" data-testid={`plan-lock-${feature}`}>
      <Text size={4} fontWeight="bold">
        {t("plans.locked", { feature: name.charAt(0).toLocaleUpperCase(locale) + name.slice(1), plan })}
      </Text>
      <Text size={3}>{t("plans.lockedBody", { current: t(`plan.${c.current}`), feature: name, plan })}</Text>
      <Box>
        <Button variant="secondary" onClick={() => (window.location.hash = "#/settings")}>
          {t("plans.seePlans")}
        </Button>
      </Box>
    </Box>
  );
}
