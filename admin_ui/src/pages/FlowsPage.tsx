/** Flows: order updates as one group, then each other flow named, with steps, delays, alerts and funnel. */
import { Box, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { FLOW_EXTRAS, FLOWS, SET_FLOW_ENABLED } from "../api/queries";
import { useAdminMutation, useAdminQuery } from "../api/useAdmin";
import { BarChart } from "../components/Chart";
import { Switch } from "../components/Switch";
import { AdminErrors, ErrorState, Loading, Section, type AdminError } from "../components/ui";
import { FlowAlerts } from "../flows/FlowAlerts";
import { FlowPreview, type LibraryTemplate } from "../flows/FlowPreview";
import { flowAboutKey, flowTitleKey } from "../flows/names";
import { OrderUpdates, type Carrier } from "../flows/OrderUpdates";
import { formatCount, formatDuration, useLocale, useT } from "../i18n";
import type { Connection, Flow, Payload } from "./types";

/** Switches flows on or off one by one; the first refusal stops and is shown. */
export function useFlowSwitch(after: () => void) {
  const toggle = useAdminMutation<{ setFlowEnabled: Payload }>(SET_FLOW_ENABLED);
  const [errors, setErrors] = useState<AdminError[]>([]);
  const setEnabled = async (flows: Flow[], enabled: boolean) => {
    setErrors([]);
    for (const flow of flows) {
      if (flow.enabled === enabled) continue;
      const data = await toggle.run({ id: flow.id, enabled });
      const errs = data?.setFlowEnabled.errors ?? [];
      if (errs.length > 0 || !data) {
        setErrors(errs);
        break;
      }
    }
    after();
  };
  return { setEnabled, errors, state: toggle.state };
}

function OtherFlow({ flow, library, setEnabled }: { flow: Flow; library: LibraryTemplate[]; setEnabled: (flows: Flow[], enabled: boolean) => Promise<void> }) {
  const t = useT();
  const locale = useLocale();
  const title = t(flowTitleKey(flow.key));
  const about = flowAboutKey(flow.key);
  return (
    <Section
      title={title}
      actions={
        <Switch label={title} checked={flow.enabled} onChange={(enabled) => setEnabled([flow], enabled)}>
          {flow.enabled ? t("flows.on") : t("flows.off")}
        </Switch>
      }
    >
      {about && (
        <Text size={3} color="default2">
          {t(about)}
        </Text>
      )}
      {flow.enabled && <FlowAlerts alerts={flow.alerts ?? []} />}
      <Text size={3} color="default2">
        {t("flows.channel", { channel: flow.channels.join(", ") || t("flows.allChannels") })}
      </Text>
      {flow.steps.length > 0 && (
        <Box>
          <Text as="h4" size={3} fontWeight="bold">
            {t("flows.steps")}
          </Text>
          <ol aria-label={t("flows.steps")}>
            {flow.steps.map((s) => (
              <li key={s.position}>
                <Text size={3}>{t("flows.stepLine", { delay: formatDuration(locale, s.delayMinutes), template: s.templateName ?? "—" })}</Text>
                <FlowPreview name={s.templateName ?? undefined} library={library} />
              </li>
            ))}
          </ol>
        </Box>
      )}
      {flow.steps.length === 0 && <FlowPreview name={flow.templateNames?.[0]} library={library} />}
      {flow.funnel && flow.funnel.entered > 0 && (
        <BarChart
          title={t("flows.funnel")}
          labels={[t("metric.entered"), t("metric.sent"), t("metric.delivered"), t("metric.read"), t("metric.clicked"), t("metric.converted")]}
          series={[{ label: t("dashboard.count"), values: [flow.funnel.entered, flow.funnel.sent, flow.funnel.delivered, flow.funnel.read, flow.funnel.clicked, flow.funnel.converted] }]}
          format={(n) => formatCount(locale, n)}
        />
      )}
    </Section>
  );
}

interface Extras {
  carriers: Carrier[];
  templates: Connection<LibraryTemplate>;
}

export function FlowsPage() {
  const t = useT();
  const { state, reload } = useAdminQuery<{ flows: Flow[] }>(FLOWS);
  const extras = useAdminQuery<Extras>(FLOW_EXTRAS);
  const { setEnabled, errors, state: toggleState } = useFlowSwitch(reload);
  if (state.kind === "loading") return <Loading />;
  if (state.kind === "error") return <ErrorState message={state.message} onRetry={reload} />;
  const carriers = extras.state.kind === "loaded" ? extras.state.data.carriers : [];
  const library = extras.state.kind === "loaded" ? extras.state.data.templates.edges.map((e) => e.node) : [];
  const orderUpdates = state.data.flows.filter((f) => f.orderUpdate);
  const others = state.data.flows.filter((f) => !f.orderUpdate);
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      {toggleState.kind === "error" && <ErrorState message={toggleState.message} />}
      <AdminErrors errors={errors} />
      {orderUpdates.length > 0 && <OrderUpdates flows={orderUpdates} carriers={carriers} library={library} setEnabled={setEnabled} reload={reload} />}
      <Text as="h3" size={6} fontWeight="bold">
        {t("flows.otherFlows")}
      </Text>
      {others.map((flow) => (
        <OtherFlow key={flow.id} flow={flow} library={library} setEnabled={setEnabled} />
      ))}
    </Box>
  );
}
