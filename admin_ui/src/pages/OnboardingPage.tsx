/** From install to the first message: connect a number (or the sandbox), send a test, switch a flow on, name the storefront. */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { CONNECT_WHATSAPP, FLOWS, ONBOARDING, SEND_TEST_MESSAGE } from "../api/queries";
import { useAdminMutation, useAdminQuery } from "../api/useAdmin";
import { FormCheckField } from "../components/formFields";
import { type AdminError, AdminErrors, Checklist, ErrorState, Loading, QueryView, StatusBadge, TextField } from "../components/ui";
import { Switch } from "../components/Switch";
import { formatTier, useCode, useLocale, useT } from "../i18n";
import { flowTitleKey } from "../flows/names";
import { StorefrontStep } from "../settings/StorefrontStep";
import { useFlowSwitch } from "./FlowsPage";
import { MessagingLimitPanel } from "./MessagingLimitPanel";
import type { Flow, WhatsAppAccount } from "./types";

export const isActive = (account: WhatsAppAccount) => account.status.toUpperCase() === "ACTIVE";

export function AccountCard({ account }: { account: WhatsAppAccount }) {
  const t = useT();
  const code = useCode();
  const locale = useLocale();
  return (
    <Box display="flex" flexWrap="wrap" gap={3} alignItems="center" padding={3} borderRadius={3} borderWidth={1} borderStyle="solid" borderColor="default1" data-testid="whatsapp-account">
      <Text size={5} fontWeight="bold">
        {account.displayPhone || account.phoneNumberId}
      </Text>
      {account.isSandbox && <StatusBadge tone="info">{t("onboarding.sandbox")}</StatusBadge>}
      {account.isDefault && <StatusBadge tone="neutral">{t("onboarding.default")}</StatusBadge>}
      <StatusBadge tone={isActive(account) ? "success" : "warning"}>{code("AccountStatus", account.status.toLowerCase())}</StatusBadge>
      {account.statusReason && (
        <Text size={3} color="warning1">
          {account.statusReason}
        </Text>
      )}
      {account.qualityRating && (
        <Text size={3} color="default2">
          {t("quality.line", { quality: code("Quality", account.qualityRating) })}
        </Text>
      )}
      {account.messagingLimitTier && (
        <Text size={3} color="default2">
          {t("tier.line", { tier: formatTier(locale, account.messagingLimitTier) })}
        </Text>
      )}
    </Box>
  );
}

interface ConnectInput {
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
  sandbox: boolean;
}

/** The number's ids and token, kept by react-hook-form; the API checks them (its errors show inline). */
function ConnectForm({ onConnected }: { onConnected: () => void }) {
  const t = useT();
  const { control, register, handleSubmit, watch } = useForm<ConnectInput>({ defaultValues: { phoneNumberId: "", wabaId: "", accessToken: "", sandbox: false } });
  // macaw-ui floats its label only over a field that has a value, so the fields stay controlled.
  const values = watch();
  const [errors, setErrors] = useState<AdminError[]>([]);
  const { run, state } = useAdminMutation(CONNECT_WHATSAPP);
  const submit = handleSubmit(async (input) => {
    const data = await run({ input });
    const payload = data?.connectWhatsApp;
    setErrors(payload?.errors ?? []);
    if (payload?.account) onConnected();
  });
  const invalid = (field: string) => errors.some((er) => er.field === field);
  return (
    <Box as="form" onSubmit={submit} display="flex" flexDirection="column" gap={3} aria-label={t("onboarding.connectForm")}>
      <div className="ulak-grid">
        <TextField label={t("onboarding.phoneNumberId")} id="wa-pnid" aria-invalid={invalid("phoneNumberId")} autoComplete="off" value={values.phoneNumberId} {...register("phoneNumberId")} />
        <TextField label={t("onboarding.wabaId")} id="wa-waba" aria-invalid={invalid("wabaId")} autoComplete="off" value={values.wabaId} {...register("wabaId")} />
        <TextField label={t("onboarding.accessToken")} hint={t("onboarding.accessTokenHint")} id="wa-token" type="password" aria-invalid={invalid("accessToken")} autoComplete="off" value={values.accessToken} {...register("accessToken")} />
      </div>
      <FormCheckField control={control} name="sandbox">
        {t("onboarding.useSandbox")}
      </FormCheckField>
      <AdminErrors errors={errors} />
      {state.kind === "error" && <ErrorState message={state.message} />}
      <Box>
        <Button type="submit" disabled={state.kind === "running"}>
          {state.kind === "running" ? t("onboarding.checking") : t("onboarding.connect")}
        </Button>
      </Box>
    </Box>
  );
}

function TestMessageForm({ account }: { account: WhatsAppAccount | undefined }) {
  const t = useT();
  const [to, setTo] = useState("");
  const [errors, setErrors] = useState<AdminError[]>([]);
  const [sent, setSent] = useState(false);
  const { run, state } = useAdminMutation(SEND_TEST_MESSAGE);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const data = await run({ phone: to, text: t("onboarding.testText") });
    setErrors(data?.sendTestMessage.errors ?? []);
    setSent(Boolean(data?.sendTestMessage.message));
  };
  return (
    <Box as="form" onSubmit={submit} display="flex" flexDirection="column" gap={3} aria-label={t("onboarding.testForm")}>
      <div className="ulak-narrow">
      <TextField label={t("onboarding.testTo")} hint={t("onboarding.testToHint")} id="test-to" inputMode="tel" value={to} onChange={(e) => setTo(e.target.value)} placeholder="+90 555 123 45 67" aria-describedby="test-to-hint" />
      </div>
      <AdminErrors errors={errors} />
      {state.kind === "error" && <ErrorState message={state.message} />}
      {sent && (
        <Text size={3} color="success1" role="status">
          {t("onboarding.testSent")}
        </Text>
      )}
      <Box>
        <Button type="submit" variant="secondary" disabled={!account || !to || state.kind === "running"}>
          {t("onboarding.sendTest")}
        </Button>
      </Box>
    </Box>
  );
}

/** The first step: one switch turns every order update on (each can be tuned on the Flows page). */
function OrderUpdatesStep({ flows, onChange }: { flows: Flow[]; onChange: () => void }) {
  const t = useT();
  const { setEnabled, errors } = useFlowSwitch(onChange);
  const updates = flows.filter((f) => f.orderUpdate);
  if (updates.length === 0) return <Text size={3}>{t("page.empty")}</Text>;
  const allOn = updates.every((f) => f.enabled);
  return (
    <Box display="flex" flexDirection="column" gap={2}>
      <Text size={3} color="default2">
        {t("onboarding.orderUpdatesAbout", { events: updates.map((f) => t(flowTitleKey(f.key))).join(", ") })}
      </Text>
      <Switch checked={allOn} onChange={(enabled) => setEnabled(updates, enabled)}>
        {t("flows.orderUpdatesSwitch")}
      </Switch>
      <AdminErrors errors={errors} />
      <Box as="a" href="#/flows" color="accent1">
        {t("onboarding.tuneFlows")}
      </Box>
    </Box>
  );
}

export function OnboardingPage() {
  const t = useT();
  const { state, reload } = useAdminQuery(ONBOARDING);
  const flows = useAdminQuery<{ flows: Flow[] }>(FLOWS);
  if (state.kind === "loading") return <Loading />;
  if (state.kind === "error") return <ErrorState message={state.message} onRetry={reload} />;
  const accounts = state.data.whatsappAccounts;
  const active = accounts.find(isActive);
  const sandbox = accounts.find((a) => a.isSandbox);
  const sentSomething = accounts.some((a) => a.sentThisMonth > 0);
  const updatesOn = flows.state.kind === "loaded" && flows.state.data.flows.some((f) => f.orderUpdate && f.enabled);
  const recoveryAlerts = (flows.state.kind === "loaded" && flows.state.data.flows.find((f) => f.key === "cart_recovery")?.alerts) || [];
  const storefrontSaved = () => {
    reload();
    flows.reload();
  };
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <Text as="p" size={4} color="default2">
        {t("onboarding.intro", { store: state.data.store.name })}
      </Text>
      <Checklist
        label={t("onboarding.steps")}
        items={[
          {
            key: "orderUpdates",
            title: t("onboarding.step.orderUpdates"),
            done: updatesOn,
            content: <QueryView state={flows.state} onRetry={flows.reload}>{(data) => <OrderUpdatesStep flows={data.flows} onChange={flows.reload} />}</QueryView>,
          },
          {
            key: "connect",
            title: t("onboarding.step.connect"),
            done: Boolean(active),
            content: (
              <Box display="flex" flexDirection="column" gap={3}>
                {sandbox && (
                  <Text size={3} role="status">
                    {t("onboarding.sandboxReady")}
                  </Text>
                )}
                {accounts.map((a) => (
                  <AccountCard key={a.id} account={a} />
                ))}
                {active && <MessagingLimitPanel />}
                <details open={!active}>
                  <summary>
                    <Text size={3} fontWeight="medium">
                      {active ? t("onboarding.connectAnother") : t("onboarding.connectOwn")}
                    </Text>
                  </summary>
                  <Box marginTop={3}>
                    <ConnectForm onConnected={reload} />
                  </Box>
                </details>
              </Box>
            ),
          },
          { key: "test", title: t("onboarding.step.test"), done: sentSomething, content: <TestMessageForm account={active} /> },
          {
            key: "storefront",
            title: t("onboarding.step.storefront"),
            done: Boolean(state.data.storeSettings.storefrontUrl),
            content: <StorefrontStep settings={state.data.storeSettings} alerts={recoveryAlerts} onSaved={storefrontSaved} />,
          },
        ]}
      />
    </Box>
  );
}
