/**
 * The wizard's last step: what will happen if the merchant launches now — the message itself
 * as the backend's message builder fills it, recipients (and how many have marketing consent),
 * the estimated cost, Meta's daily tier — plus the test send to a staff phone that launching
 * requires. Pure: the page owns the API calls.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { CheckField, StatusBadge, TextField } from "../components/ui";
import { formatCount, useLocale, useT, type Locale } from "../i18n";
import { CostBasisNote } from "../cost/CostBasisNote";
import type { CostBasis } from "../cost/types";
import { CampaignMessage } from "./CampaignMessage";
import type { CampaignEstimate, CampaignMessagePreview } from "./types";

export interface ReviewSummary {
  name: string;
  audience: string;
  when: string;
}

export interface CampaignReviewProps {
  summary: ReviewSummary;
  /** Each variant rendered by the backend (null while loading). */
  previews: CampaignMessagePreview[] | null;
  estimate: CampaignEstimate | null;
  testPhone: string;
  onTestPhoneChange: (phone: string) => void;
  onSendTest: () => void;
  sendingTest?: boolean;
  testSent: boolean;
  acceptTier: boolean;
  onAcceptTierChange: (accept: boolean) => void;
}

/** "12.5" USD in the dashboard's language ("12,50 US$" / "$12.50"). */
export function formatMoney(locale: Locale, amount: string, currency: string): string {
  const n = Number(amount);
  if (!Number.isFinite(n)) return `${amount} ${currency}`;
  try {
    return new Intl.NumberFormat(locale === "tr" ? "tr-TR" : "en-US", { style: "currency", currency, maximumFractionDigits: 4 }).format(n);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** Launch is possible once a test went out, the plan allows the audience and any tier excess is accepted. */
export function reviewComplete(estimate: CampaignEstimate | null, testSent: boolean, acceptTier: boolean): boolean {
  return Boolean(estimate && testSent && estimate.withinPlanLimit && (!estimate.exceedsDailyTier || acceptTier));
}

export function CampaignReview(props: CampaignReviewProps) {
  const { summary, previews, estimate, testPhone, onTestPhoneChange, onSendTest, sendingTest, testSent, acceptTier, onAcceptTierChange } = props;
  const t = useT();
  const locale = useLocale();
  const n = (x: number) => formatCount(locale, x);
  return (
    <Box display="flex" flexDirection="column" gap={4} data-testid="campaign-review">
      <dl className="ulak-review">
        <dt>{t("campaigns.name")}</dt>
        <dd>{summary.name}</dd>
        <dt>{t("wizard.segment")}</dt>
        <dd>{summary.audience}</dd>
        <dt>{t("campaigns.when")}</dt>
        <dd>{summary.when}</dd>
        <dt>{t("review.message")}</dt>
        <dd>
          <CampaignMessage previews={previews} />
        </dd>
      </dl>
      {!estimate ? (
        <Text size={3} role="status">
          {t("review.estimating")}
        </Text>
      ) : (
        <dl className="ulak-review" aria-label={t("review.figures")}>
          <dt>{t("review.recipients")}</dt>
          <dd data-testid="review-recipients">
            {t("review.recipientsLine", { messages: n(estimate.messages), audience: n(estimate.audience), consented: n(estimate.consented) })}
            {estimate.holdout > 0 && (
              <>
                <br />
                {t("review.holdoutLine", { holdout: n(estimate.holdout) })}
              </>
            )}
          </dd>
          <dt>{t("review.cost")}</dt>
          <dd data-testid="review-cost">
            {t("review.costLine", { cost: formatMoney(locale, estimate.cost, estimate.costCurrency) })}
            {estimate.billingCurrency && <CostBasisNote basis={estimate as CostBasis} testId="review-cost-basis" />}
          </dd>
          <dt>{t("review.tier")}</dt>
          <dd data-testid="review-tier">
            {estimate.dailyTier === null ? (
              t("review.noTier")
            ) : estimate.exceedsDailyTier ? (
              <>
                <StatusBadge tone="warning">{t("review.overTier")}</StatusBadge>{" "}
                {t("review.tierOver", { tier: n(estimate.dailyTier), days: n(estimate.daysNeeded) })}
                <CheckField checked={acceptTier} onChange={onAcceptTierChange}>
                  {t("review.acceptTier", { days: n(estimate.daysNeeded) })}
                </CheckField>
              </>
            ) : (
              t("review.tierFits", { tier: n(estimate.dailyTier) })
            )}
          </dd>
          {!estimate.withinPlanLimit && estimate.planLimit !== null && (
            <>
              <dt>{t("review.plan")}</dt>
              <dd role="alert">{t("review.overPlan", { limit: n(estimate.planLimit), audience: n(estimate.audience) })}</dd>
            </>
          )}
        </dl>
      )}
      <Box
        as="form"
        display="flex"
        flexDirection="column"
        gap={2}
        aria-label={t("review.testForm")}
        onSubmit={(e) => {
          e.preventDefault();
          onSendTest();
        }}
      >
        <Text as="p" size={3} color="default2">
          {t("review.testHelp")}
        </Text>
        <Box display="flex" gap={2} alignItems="flex-end" flexWrap="wrap">
          <TextField label={t("review.testPhone")} hint={t("onboarding.testToHint")} id="campaign-test-phone" inputMode="tel" autoComplete="tel" value={testPhone} onChange={(e) => onTestPhoneChange(e.target.value)} />
          <Button type="submit" variant="secondary" disabled={!testPhone.trim() || sendingTest}>
            {t("review.sendTest")}
          </Button>
        </Box>
        <span role="status" aria-live="polite">
          {testSent && (
            <Text size={3} color="success1">
              {t("review.testSent")}
            </Text>
          )}
        </span>
      </Box>
    </Box>
  );
}
