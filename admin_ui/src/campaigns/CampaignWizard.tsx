/**
 * The campaign wizard's frame: segment → template → schedule → review. Each step's content
 * comes from the page; the wizard owns the order, the step indicator and Back/Next.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState, type ReactNode } from "react";
import { useT, type MessageKey } from "../i18n";

export const WIZARD_STEPS = ["segment", "template", "schedule", "review"] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

const STEP_TITLES: Record<WizardStep, MessageKey> = {
  segment: "wizard.segment",
  template: "wizard.template",
  schedule: "wizard.schedule",
  review: "wizard.review",
};

export interface CampaignWizardProps {
  steps: Record<WizardStep, ReactNode>;
  /** Whether the merchant may leave a step forward (its inputs are complete). */
  canAdvance?: (step: WizardStep) => boolean;
  onLaunch: () => void;
  launching?: boolean;
}

export function CampaignWizard({ steps, canAdvance = () => true, onLaunch, launching }: CampaignWizardProps) {
  const t = useT();
  const [index, setIndex] = useState(0);
  const step = WIZARD_STEPS[index] ?? "segment";
  const last = index === WIZARD_STEPS.length - 1;
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <ol className="ulak-steps" aria-label={t("wizard.steps")}>
        {WIZARD_STEPS.map((s, i) => (
          <li key={s} aria-current={i === index ? "step" : undefined}>
            {i + 1}. {t(STEP_TITLES[s])}
          </li>
        ))}
      </ol>
      <Box as="section" aria-labelledby="wizard-step-title" display="flex" flexDirection="column" gap={3}>
        <Text as="h4" size={5} fontWeight="bold" id="wizard-step-title">
          {t(STEP_TITLES[step])}
        </Text>
        {steps[step]}
      </Box>
      <Box display="flex" gap={2}>
        <Button variant="secondary" disabled={index === 0} onClick={() => setIndex((i) => Math.max(0, i - 1))}>
          {t("wizard.back")}
        </Button>
        {last ? (
          <Button onClick={onLaunch} disabled={launching}>
            {t("wizard.launch")}
          </Button>
        ) : (
          <Button disabled={!canAdvance(step)} onClick={() => setIndex((i) => Math.min(WIZARD_STEPS.length - 1, i + 1))}>
            {t("wizard.next")}
          </Button>
        )}
      </Box>
    </Box>
  );
}
