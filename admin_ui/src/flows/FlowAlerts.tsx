/**
 * What a switched-on flow skips or fails and how to fix it: the API's FlowAlert, whose reason
 * words and fix come from the one reason table (plugin/delivery/reasons.py).
 */
import { Box, Text } from "@saleor/macaw-ui";
import { formatDateTime, useLocale, useT } from "../i18n";
import { reasonWords } from "../messages/reasons";
import type { FlowAlert } from "../pages/types";

export function FlowAlerts({ alerts }: { alerts: FlowAlert[] }) {
  const t = useT();
  const locale = useLocale();
  if (alerts.length === 0) return null;
  return (
    <Box role="alert" className="ulak-flow-alert" display="flex" flexDirection="column" gap={2} padding={3} borderRadius={3}>
      <Text size={3} fontWeight="bold" color="critical1">
        {t("flows.alertTitle")}
      </Text>
      {alerts.map((a) => {
        const words = reasonWords(locale, a.reason.code, null, a.reason);
        return (
          <Box key={a.reason.code + (a.templateName ?? "")} display="flex" flexDirection="column" gap={1}>
            <Text size={3} fontWeight="medium">
              {words.text}
              {a.templateName ? ` (${a.templateName})` : ""}
            </Text>
            {a.firstSeenAt && (
              <Text size={2} color="default2">
                {t("flows.alertSince", { date: formatDateTime(locale, a.firstSeenAt) })}
              </Text>
            )}
            {words.fix && (
              <Text as="p" size={3}>
                <strong>{t("flows.alertFix")}:</strong> {words.fix}
              </Text>
            )}
          </Box>
        );
      })}
    </Box>
  );
}
