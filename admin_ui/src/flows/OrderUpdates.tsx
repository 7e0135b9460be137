/**
 * Order updates on one screen: one main switch for the group, then each event named, with its
 * own switch, what it does, its message and (shipping) the tracking-link carrier. A flow that
 * is on but skipping shows the API's alert and the fix.
 */
import { Box, Select, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { UPDATE_FLOW } from "../api/queries";
import { useAdminMutation } from "../api/useAdmin";
import { Switch } from "../components/Switch";
import { AdminErrors, Section, type AdminError } from "../components/ui";
import { useT } from "../i18n";
import type { Flow, Payload } from "../pages/types";
import { FlowAlerts } from "./FlowAlerts";
import { FlowPreview, type LibraryTemplate } from "./FlowPreview";
import { flowAboutKey, flowTitleKey } from "./names";

export interface Carrier {
  key: string;
  name: string;
  trackingUrl: string;
  confirmed: boolean;
}

const AUTO = "";

function CarrierSelect({ flow, carriers, onSaved }: { flow: Flow; carriers: Carrier[]; onSaved: () => void }) {
  const t = useT();
  const update = useAdminMutation<{ updateFlow: Payload }>(UPDATE_FLOW);
  const [errors, setErrors] = useState<AdminError[]>([]);
  const current = typeof flow.options?.carrier === "string" ? flow.options.carrier : AUTO;
  const options = [
    { label: t("flows.carrierAuto"), value: AUTO },
    ...carriers.map((c) => ({ label: c.confirmed ? c.name : t("flows.carrierUnconfirmed", { name: c.name }), value: c.key })),
  ];
  const value = options.find((o) => o.value === current) ?? options[0]!;
  return (
    <Box display="flex" flexDirection="column" gap={1} data-testid="carrier">
      <Select
        label={t("flows.carrier")}
        options={options}
        value={value}
        onChange={async (picked: { value: string }) => {
          const data = await update.run({ id: flow.id, input: { options: { carrier: picked.value || null } } });
          setErrors(data?.updateFlow.errors ?? []);
          if (data && data.updateFlow.errors.length === 0) onSaved();
        }}
      />
      <AdminErrors errors={errors} />
    </Box>
  );
}

export function OrderUpdates({
  flows,
  carriers,
  library,
  setEnabled,
  reload,
}: {
  flows: Flow[];
  carriers: Carrier[];
  library: LibraryTemplate[];
  setEnabled: (flows: Flow[], enabled: boolean) => Promise<void>;
  reload: () => void;
}) {
  const t = useT();
  const on = flows.filter((f) => f.enabled).length;
  return (
    <Section
      title={t("flows.orderUpdates")}
      id="order-updates"
      actions={
        <Switch checked={on === flows.length} onChange={(enabled) => setEnabled(flows, enabled)}>
          {t("flows.orderUpdatesSwitch")}
        </Switch>
      }
    >
      <Text as="p" size={3} color="default2">
        {t("flows.orderUpdatesAbout")} {t("flows.orderUpdatesCount", { on, total: flows.length })}
      </Text>
      <Box as="ul" display="flex" flexDirection="column" gap={3} padding={0} margin={0} style={{ listStyle: "none" }} aria-label={t("flows.orderUpdates")}>
        {flows.map((flow) => {
          const about = flowAboutKey(flow.key);
          return (
            <Box as="li" key={flow.id} display="flex" flexDirection="column" gap={2} paddingTop={3} borderTopWidth={1} borderTopStyle="solid" borderColor="default1" data-testid={`flow-${flow.key}`}>
              <Switch checked={flow.enabled} onChange={(enabled) => setEnabled([flow], enabled)}>
                <Text size={4} fontWeight="bold">
                  {t(flowTitleKey(flow.key))}
                </Text>
              </Switch>
              {about && (
                <Text size={3} color="default2">
                  {t(about)}
                </Text>
              )}
              {flow.enabled && <FlowAlerts alerts={flow.alerts ?? []} />}
              {flow.key === "order_fulfilled" && <CarrierSelect flow={flow} carriers={carriers} onSaved={reload} />}
              <FlowPreview name={flow.templateNames?.[0]} library={library} />
            </Box>
          );
        })}
      </Box>
    </Section>
  );
}
