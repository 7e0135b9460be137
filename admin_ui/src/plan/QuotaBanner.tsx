/**
 * The plan quota's warning at 80 % and 100 % (planUsage.warningLevel, the same counter the
 * send-time policy enforces): what happens to marketing now, when it goes, and how to upgrade.
 */
import { Box, Text } from "@saleor/macaw-ui";
import { PLAN_USAGE } from "../settings/queries";
import { useAdminQuery } from "../api/useAdmin";
import { formatCount, formatDate, useLocale, useT } from "../i18n";
import type { PlanUsage } from "../pages/types";

export function QuotaBanner({ usage, showUpgrade = false }: { usage: PlanUsage; showUpgrade?: boolean }) {
  const t = useT();
  const locale = useLocale();
  if (usage.warningLevel < 80) return null;
  const full = usage.warningLevel >= 100;
  const values = {
    used: formatCount(locale, usage.usedThisMonth),
    total: formatCount(locale, usage.monthlyQuota),
    held: formatCount(locale, usage.heldMessages),
    date: formatDate(locale, `${usage.resetsOn}T12:00:00Z`),
    percent: usage.monthlyQuota > 0 ? Math.floor((usage.usedThisMonth * 100) / usage.monthlyQuota) : 100,
  };
  return (
    <Box role={full ? "alert" : "status"} className={`ulak-quota-banner ulak-quota-banner-${full ? "critical" : "warning"}`} display="flex" flexDirection="column" gap={1} padding={3} borderRadius={3}>
      <Text size={4} fontWeight="bold" color={full ? "critical1" : "warning1"}>
        {t(full ? "quota.fullTitle" : "quota.nearlyTitle", values)}
      </Text>
      <Text as="p" size={3}>
        {t(full ? "quota.fullBody" : "quota.nearlyBody", values)}
      </Text>
      {showUpgrade && (
        <Text as="p" size={3}>
          {t("quota.upgrade")}
        </Text>
      )}
    </Box>
  );
}

/** The banner with its own read of planUsage (the dashboard has no other use for it). */
export function PlanQuotaBanner() {
  const { state } = useAdminQuery(PLAN_USAGE);
  if (state.kind !== "loaded") return null;
  return <QuotaBanner usage={state.data.planUsage} showUpgrade />;
}
