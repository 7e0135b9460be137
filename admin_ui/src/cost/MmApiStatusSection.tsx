/**
 * The settings page's "Marketing Messages API": whether Meta says the WhatsApp Business Account
 * is onboarded (`mmApiStatus`, read from the Graph API at connect and every few hours:
 * plugin/whatsapp/mm_status.py), when Meta was last read, what it means, and which road the
 * number's marketing takes now (a webhook or an error from Meta may have moved it since).
 */
import { Box, Text } from "@saleor/macaw-ui";
import { StatusBadge, type Tone } from "../components/ui";
import { formatDateTime, useLocale, useT, type Translate } from "../i18n";
import { LoadedSection } from "../settings/parts";
import { MM_API_STATUS } from "./queries";
import type { MmApiAccount } from "./types";

/** Meta's status in words, with the badge's tone: onboarded, not onboarded, or unknown. */
export function mmApiStatusText(t: Translate, status: string | null): { text: string; tone: Tone } {
  const s = (status ?? "").toUpperCase();
  if (s === "ONBOARDED") return { text: t("mmapi.ONBOARDED"), tone: "success" };
  if (s === "ELIGIBLE") return { text: t("mmapi.ELIGIBLE"), tone: "warning" };
  if (s.startsWith("PENDING_")) return { text: t("mmapi.pending", { status: s }), tone: "warning" };
  if (s.startsWith("INELIGIBLE_")) return { text: t("mmapi.ineligible", { status: s }), tone: "warning" };
  if (!s) return { text: t("mmapi.unknown"), tone: "neutral" };
  return { text: t("mmapi.other", { status: s }), tone: "neutral" };
}

function AccountMmStatus({ account }: { account: MmApiAccount }) {
  const t = useT();
  const locale = useLocale();
  const { text, tone } = mmApiStatusText(t, account.mmApiStatus);
  return (
    <Box display="flex" flexDirection="column" gap={1} data-testid="mm-api-status">
      <Text as="p" size={3}>
        {account.displayPhone && <strong>{account.displayPhone} </strong>}
        <StatusBadge tone={tone}>{account.mmApiStatus ?? "—"}</StatusBadge> {text}
      </Text>
      <Text as="p" size={2} color="default2">
        {account.mmApiStatusReadAt ? t("mmapi.readAt", { at: formatDateTime(locale, account.mmApiStatusReadAt) }) : t("mmapi.neverRead")}{" "}
        {t(account.marketingViaMmApi ? "mmapi.viaMmApi" : "mmapi.viaCloudApi")}
      </Text>
    </Box>
  );
}

export function MmApiStatusSection() {
  const t = useT();
  return (
    <LoadedSection<{ whatsappAccounts?: MmApiAccount[] }> title={t("mmapi.title")} about={t("mmapi.about")} document={MM_API_STATUS}>
      {(data) => {
        const numbers = (data.whatsappAccounts ?? []).filter((a) => a.status !== "disconnected");
        if (numbers.length === 0) return <Text as="p" size={3}>{t("mmapi.noNumber")}</Text>;
        return numbers.map((a) => <AccountMmStatus key={a.id} account={a} />);
      }}
    </LoadedSection>
  );
}
