/** A profile's figures (orders, spend, clicks), its recent orders, and recording consent by hand. */
import { Box, Button, Select, Text, Textarea } from "@saleor/macaw-ui";
import { useState } from "react";
import { Controller, useForm } from "react-hook-form";
import { CONTACT_ACTIVITY, RECORD_CONSENT } from "../api/queries";
import { useAdminMutation, useAdminQuery } from "../api/useAdmin";
import { AdminErrors, ErrorState, Section, type AdminError } from "../components/ui";
import { formatCount, formatDate, formatDateTime, formatMoney, useLocale, useT } from "../i18n";
import type { Payload } from "../pages/types";

interface Activity {
  orders: { orderId: string; createdAt: string; total: string; currency: string; status: string; cancelled: boolean }[];
  clicks: number;
  lastClickAt: string | null;
}

export interface Spend {
  ordersCount: number;
  totalSpent: { currency: string; amount: string }[];
  lastOrderAt: string | null;
}

export function ProfileFigures({ id, spend }: { id: string; spend: Spend }) {
  const t = useT();
  const locale = useLocale();
  const { state } = useAdminQuery<{ contactActivity: Activity | null }>(CONTACT_ACTIVITY, { id });
  const activity = state.kind === "loaded" ? state.data.contactActivity : null;
  const spent = spend.totalSpent.map((m) => formatMoney(locale, m.amount, m.currency)).join(" + ") || formatMoney(locale, 0, "TRY");
  return (
    <Section title={t("contacts.activity")}>
      <dl className="ulak-kv" data-testid="contact-figures">
        <div>
          <dt>{t("contacts.orders")}</dt>
          <dd>{formatCount(locale, spend.ordersCount)}</dd>
        </div>
        <div>
          <dt>{t("contacts.spend")}</dt>
          <dd>{spent}</dd>
        </div>
        <div>
          <dt>{t("contacts.clicks")}</dt>
          <dd>{activity ? formatCount(locale, activity.clicks) : "…"}</dd>
        </div>
        <div>
          <dt>{t("contacts.lastOrder")}</dt>
          <dd>{spend.lastOrderAt ? formatDate(locale, spend.lastOrderAt) : "—"}</dd>
        </div>
      </dl>
      {state.kind === "error" && <ErrorState message={state.message} />}
      {activity && activity.orders.length > 0 && (
        <ul className="ulak-contact-list" aria-label={t("contacts.recentOrders")}>
          {activity.orders.map((o) => (
            <li key={o.orderId}>
              <span className="ulak-contact-link">
                <span className="ulak-contact-name">{formatMoney(locale, o.total, o.currency)}</span>
                <span className="ulak-contact-meta">
                  <time dateTime={o.createdAt}>{formatDateTime(locale, o.createdAt)}</time>
                  {o.cancelled ? ` · ${t("contacts.orderCancelled")}` : ""}
                </span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

type Decision = "GRANTED" | "REVOKED";
type Purpose = "MARKETING" | "TRANSACTIONAL";

interface RecordForm {
  purpose: Purpose;
  action: Decision;
  note: string;
}

/** Consent collected elsewhere (a signed form, a phone call), with the staff user as evidence.
 * The purpose, decision and note are react-hook-form's; a recorded consent clears only the note. */
export function RecordConsentForm({ contactId, onRecorded }: { contactId: string; onRecorded: () => void }) {
  const t = useT();
  const { control, register, handleSubmit, watch, setValue } = useForm<RecordForm>({ defaultValues: { purpose: "MARKETING", action: "GRANTED", note: "" } });
  // macaw-ui floats its label only over a field that has a value, so the note stays controlled.
  const note = watch("note");
  const [errors, setErrors] = useState<AdminError[]>([]);
  const [done, setDone] = useState(false);
  const record = useAdminMutation<{ recordConsent: Payload }>(RECORD_CONSENT);
  const purposes = [
    { value: "MARKETING", label: t("code.ConsentPurpose.MARKETING") },
    { value: "TRANSACTIONAL", label: t("code.ConsentPurpose.TRANSACTIONAL") },
  ];
  const actions = [
    { value: "GRANTED", label: t("contacts.record.granted") },
    { value: "REVOKED", label: t("contacts.record.revoked") },
  ];
  const submit = handleSubmit(async (values) => {
    setDone(false);
    const data = await record.run({ contactId, purpose: values.purpose, action: values.action, note: values.note.trim() || null });
    setErrors(data?.recordConsent.errors ?? []);
    if (data && data.recordConsent.errors.length === 0) {
      setDone(true);
      setValue("note", "");
      onRecorded();
    }
  });
  return (
    <Section title={t("contacts.record.title")}>
      <Box as="form" onSubmit={submit} display="flex" flexDirection="column" gap={3}>
        <Text size={3} color="default2">
          {t("contacts.record.about")}
        </Text>
        <div className="ulak-filter-grid">
          <Controller
            control={control}
            name="purpose"
            render={({ field }) => <Select label={t("contacts.record.purpose")} options={purposes} value={purposes.find((p) => p.value === field.value)!} onChange={(o: { value: string }) => field.onChange(o.value as Purpose)} />}
          />
          <Controller
            control={control}
            name="action"
            render={({ field }) => <Select label={t("contacts.record.action")} options={actions} value={actions.find((a) => a.value === field.value)!} onChange={(o: { value: string }) => field.onChange(o.value as Decision)} />}
          />
        </div>
        <Textarea label={t("contacts.record.note")} value={note} {...register("note")} rows={2} />
        <AdminErrors errors={errors} />
        {record.state.kind === "error" && <ErrorState message={record.state.message} />}
        {done && (
          <Text size={3} color="success1" role="status">
            {t("contacts.record.done")}
          </Text>
        )}
        <Box>
          <Button type="submit" disabled={record.state.kind === "running"}>
            {t("contacts.record.submit")}
          </Button>
        </Box>
      </Box>
    </Section>
  );
}
