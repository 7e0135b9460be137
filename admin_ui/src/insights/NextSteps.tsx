/**
 * The dashboard's empty state: nothing sent in the period, so it offers the next step from
 * what is not set up yet (the API's `setup`): connect a number, turn on order updates, turn on
 * cart recovery, create a campaign.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useT, type MessageKey } from "../i18n";
import "./insights.css";

export interface Setup {
  whatsappConnected: boolean;
  orderUpdatesOn: boolean;
  cartRecoveryOn: boolean;
  campaigns: number;
}

interface Step {
  title: MessageKey;
  why: MessageKey;
  href: string;
}

export function nextSteps(setup: Setup): Step[] {
  const steps: Step[] = [];
  if (!setup.whatsappConnected) steps.push({ title: "empty.connect", why: "empty.connectWhy", href: "#/onboarding" });
  if (!setup.orderUpdatesOn) steps.push({ title: "empty.orderUpdates", why: "empty.orderUpdatesWhy", href: "#/flows" });
  if (!setup.cartRecoveryOn) steps.push({ title: "empty.recovery", why: "empty.recoveryWhy", href: "#/flows" });
  if (setup.campaigns === 0) steps.push({ title: "empty.campaign", why: "empty.campaignWhy", href: "#/campaigns" });
  return steps;
}

export function NextSteps({ setup }: { setup: Setup }) {
  const t = useT();
  const steps = nextSteps(setup);
  return (
    <Box display="flex" flexDirection="column" gap={3} data-testid="next-steps">
      <Text as="h3" size={5} fontWeight="bold">
        {t("empty.title")}
      </Text>
      {steps.length === 0 ? (
        <Text size={3}>{t("empty.waiting")}</Text>
      ) : (
        <ul className="ulak-next">
          {steps.map((s) => (
            <li key={s.title}>
              <Text size={4} fontWeight="bold">
                {t(s.title)}
              </Text>
              <Text size={3}>{t(s.why)}</Text>
              <Box>
                <Button variant="secondary" onClick={() => (window.location.hash = s.href)}>
                  {t(s.title)}
                </Button>
              </Box>
            </li>
          ))}
        </ul>
      )}
    </Box>
  );
}
