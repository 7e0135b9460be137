/** Meta's messaging limit for the store's number: the 24-hour window, the campaigns' share and the reserve for order updates. */
import { Box, Text } from "@saleor/macaw-ui";
import { MESSAGING_LIMIT } from "../api/queries";
import { useAdminQuery } from "../api/useAdmin";
import { formatCount, formatDateTime, useLocale, useT } from "../i18n";
import type { MessagingLimit } from "./types";

export function MessagingLimitView({ limit }: { limit: MessagingLimit }) {
  const t = useT();
  const locale = useLocale();
  const n = (value: number) => formatCount(locale, value);
  const lines: string[] = [];
  if (limit.tier === null) {
    lines.push(t("limit.unlimited"));
  } else {
    lines.push(t("limit.tier", { tier: n(limit.tier) }), t("limit.used", { used: n(limit.used) }));
    lines.push(t("limit.campaigns", { count: n(limit.marketingAvailable ?? 0) }));
    lines.push(t("limit.orders", { count: n(limit.available ?? 0) }));
    if (limit.reserve > 0) lines.push(t("limit.reserve", { count: n(limit.reserve) }));
    if (limit.nextFreeAt) lines.push(t("limit.nextFree", { at: formatDateTime(locale, limit.nextFreeAt) }));
  }
  if (limit.throughputMps !== null) lines.push(t("limit.throughput", { mps: n(limit.throughputMps) }));
  if (limit.readAt) lines.push(t("limit.readAt", { at: formatDateTime(locale, limit.readAt) }));
  return (
    <Box display="flex" flexDirection="column" gap={1} padding={3} borderRadius={3} borderWidth={1} borderStyle="solid" borderColor="default1" data-testid="messaging-limit" role="group" aria-label={t("limit.title")}>
      <Text size={4} fontWeight="bold">
        {t("limit.title")}
      </Text>
      {lines.map((line) => (
        <Text key={line} size={3} color="default2">
          {line}
        </Text>
      ))}
      <Text size={2} color="default2">
        {t("limit.help")}
      </Text>
    </Box>
  );
}

/** Loads the figures; shows nothing while they load or when the API cannot give them. */
export function MessagingLimitPanel() {
  const { state } = useAdminQuery<{ messagingLimit?: MessagingLimit }>(MESSAGING_LIMIT);
  if (state.kind !== "loaded" || !state.data.messagingLimit) return null;
  return <MessagingLimitView limit={state.data.messagingLimit} />;
}
