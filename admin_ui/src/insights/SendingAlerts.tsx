/**
 * Open sending-health alerts (a red or flagged number, a template paused for quality, an
 * impending recategorisation) with their reason and fix in the merchant's language — the
 * `sendingAlerts` query (delivery's quality rules). Staff without MANAGE_APPS cannot read it:
 * then the section is left out rather than shown as an error.
 */
import { Text } from "@saleor/macaw-ui";
import { SENDING_ALERTS } from "../api/queries";
import { useAdminQuery } from "../api/useAdmin";
import { Section } from "../components/ui";
import { formatDateTime, useLocale, useT } from "../i18n";
import { reasonWords, type ReasonText } from "../messages/reasons";
import "./insights.css";

interface SendingAlert {
  reason: ReasonText;
  subject: string;
  detail: Record<string, unknown>;
  openedAt: string;
}

export function SendingAlerts() {
  const t = useT();
  const locale = useLocale();
  const { state } = useAdminQuery<{ sendingAlerts: SendingAlert[] }>(SENDING_ALERTS);
  if (state.kind !== "loaded") return null;
  const alerts = state.data.sendingAlerts;
  return (
    <Section title={t("alerts.title")} id="sending-health">
      {alerts.length === 0 ? (
        <Text size={3} color="success1" data-testid="alerts-none">
          {t("alerts.none")}
        </Text>
      ) : (
        <ul className="ulak-alerts" role="list">
          {alerts.map((a) => {
            const words = reasonWords(locale, a.reason.code, null, a.reason);
            const what = [a.detail.phone, a.detail.template].filter((v): v is string => typeof v === "string").join(" · ");
            return (
              <li key={`${a.reason.code}:${a.subject}`} data-testid="sending-alert">
                <Text size={4} fontWeight="bold">
                  {words.text}
                  {what ? ` — ${what}` : ""}
                </Text>
                {words.fix && <Text size={3}>{t("alerts.fix", { fix: words.fix })}</Text>}
                <Text size={2} color="default2">
                  {t("alerts.since", { when: formatDateTime(locale, a.openedAt) })}
                </Text>
              </li>
            );
          })}
        </ul>
      )}
    </Section>
  );
}
