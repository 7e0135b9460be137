/**
 * The campaign wizard's frame: segment → template → schedule → review. Each step's content
 * comes from the page; the wizard owns the order, the step indicator and Back/Next. Leaving a
 * step forward runs the page's check first (`onAdvance`: the step's fields, saving the draft
 * before the review) and stays put when it says no.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useEffect, useRef, useState, type ReactNode } from "react";
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
  /** Runs when Next is pressed on `step`; the wizard moves on only when it returns true. */
  onAdvance?: (step: WizardStep) => boolean | Promise<boolean>;
  onLaunch: () => void;
  /** Launch is held until the review is complete (test sent, limits accepted). */
  launchDisabled?: boolean;
  launching?: boolean;
  /** Where the wizard opens (a resumed draft opens at its review). */
  initialStep?: WizardStep;
}

export function CampaignWizard({ steps, onAdvance, onLaunch, launchDisabled, launching, initialStep = "segment" }: CampaignWizardProps) {
  const t = useT();
  const [index, setIndex] = useState(() => Math.max(0, WIZARD_STEPS.indexOf(initialStep)));
  const [advancing, setAdvancing] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);
  const step = WIZARD_STEPS[index] ?? "segment";
  const last = index === WIZARD_STEPS.length - 1;

  // Keyboard and screen-reader users land on the new step's title, not on a vanished button.
  useEffect(() => {
    if (moved.current) heading.current?.focus();
  }, [index]);

  const go = (to: number) => {
    moved.current = true;
    setIndex(Math.max(0, Math.min(WIZARD_STEPS.length - 1, to)));
  };
  const next = async () => {
    setAdvancing(true);
    try {
      if (onAdvance && !(await onAdvance(step))) return;
      go(index + 1);
    } finally {
      setAdvancing(false);
    }
  };

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
        <Text as="h4" size={5} fontWeight="bold" id="wizard-step-title" ref={heading} tabIndex={-1}>
          {t(STEP_TITLES[step])}
        </Text>
        {steps[step]}
      </Box>
      <Box display="flex" gap={2}>
        <Button variant="secondary" disabled={index === 0 || advancing || launching} onClick={() => go(index - 1)}>
          {t("wizard.back")}
        </Button>
        {last ? (
          <Button onClick={onLaunch} disabled={launching || launchDisabled}>
            {launching ? t("wizard.launching") : t("wizard.launch")}
          </Button>
        ) : (
          <Button disabled={advancing} onClick={next}>
            {advancing ? t("wizard.working") : t("wizard.next")}
          </Button>
        )}
      </Box>
    </Box>
  );
}
