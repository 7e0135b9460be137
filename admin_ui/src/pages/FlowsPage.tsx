/** Flows: each one on/off, its steps and delays, templates, channel, and its funnel. */
import { Box, Text } from "@saleor/macaw-ui";
import { FLOWS, SET_FLOW_ENABLED } from "../api/queries";
import { useAdminMutation, useAdminQuery } from "../api/useAdmin";
import { BarChart } from "../components/Chart";
import { Switch } from "../components/Switch";
import { ErrorState, Loading, Section } from "../components/ui";
import { formatCount, useLocale, useT } from "../i18n";
import { flowTitleKey } from "./OnboardingPage";
import type { Flow, Payload } from "./types";

export function FlowsPage() {
  const t = useT();
  const locale = useLocale();
  const { state, reload } = useAdminQuery<{ flows: Flow[] }>(FLOWS);
  const toggle = useAdminMutation<{ setFlowEnabled: Payload }>(SET_FLOW_ENABLED);
  if (state.kind === "loading") return <Loading />;
  if (state.kind === "error") return <ErrorState message={state.message} onRetry={reload} />;
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      {toggle.state.kind === "error" && <ErrorState message={toggle.state.message} />}
      {state.data.flows.map((flow) => (
        <Section
          key={flow.id}
          title={t(flowTitleKey(flow.key))}
          actions={
            <Switch
              label={t(flowTitleKey(flow.key))}
              checked={flow.enabled}
              onChange={async (enabled) => {
                await toggle.run({ id: flow.id, enabled });
                reload();
              }}
            >
              {flow.enabled ? t("flows.on") : t("flows.off")}
            </Switch>
          }
        >
          <Text size={3} color="default2">
            {t("flows.channel", { channel: flow.channels.join(", ") || "*" })}
          </Text>
          <ol>
            {flow.steps.map((s) => (
              <li key={s.position}>
                <Text size={3}>{t("flows.step", { delay: s.delayMinutes, template: s.templateName ?? "—" })}</Text>
              </li>
            ))}
          </ol>
          {flow.funnel && (
            <BarChart
              title={t("flows.funnel")}
              labels={[t("metric.entered"), t("metric.sent"), t("metric.delivered"), t("metric.read"), t("metric.clicked"), t("metric.converted")]}
              series={[{ label: t("dashboard.count"), values: [flow.funnel.entered, flow.funnel.sent, flow.funnel.delivered, flow.funnel.read, flow.funnel.clicked, flow.funnel.converted] }]}
              format={(n) => formatCount(locale, n)}
            />
          )}
        </Section>
      ))}
    </Box>
  );
}
