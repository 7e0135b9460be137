/** Store-wide consent tools: import a consent CSV, and export to İYS with its deadlines. */
import { Box, Button, Text, Textarea } from "@saleor/macaw-ui";
import { useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { CONFIRM_IYS_BATCH, IMPORT_CONSENT_CSV, IYS, IYS_EXPORT } from "../api/queries";
import { useAdminMutation, useAdminQuery } from "../api/useAdmin";
import { AdminErrors, ErrorState, Section, StatusBadge, type AdminError } from "../components/ui";
import { formatCount, formatDateTime, useLocale, useT } from "../i18n";
import type { Payload } from "../pages/types";

interface ImportResult extends Payload {
  imported: number;
  skipped: number;
  failed: number;
  rows: { line: number; status: string; reason: string | null }[];
}

function download(name: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

/** The CSV text is react-hook-form's field: typed, pasted, or read from the chosen file. */
export function ConsentImport({ onImported }: { onImported: () => void }) {
  const t = useT();
  const locale = useLocale();
  const { register, handleSubmit, watch, setValue } = useForm<{ csv: string }>({ defaultValues: { csv: "" } });
  // macaw-ui floats its label only over a field that has a value, so the textarea stays controlled.
  const csv = watch("csv");
  const [result, setResult] = useState<ImportResult | null>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const picker = useRef<HTMLInputElement>(null);
  const importer = useAdminMutation<{ importConsentCsv: ImportResult }>(IMPORT_CONSENT_CSV);
  const submit = handleSubmit(async (values) => {
    const data = await importer.run({ csv: values.csv });
    setResult(data?.importConsentCsv ?? null);
    if (data && data.importConsentCsv.errors.length === 0) onImported();
  });
  const n = (x: number) => formatCount(locale, x);
  return (
    <Box as="form" onSubmit={submit} display="flex" flexDirection="column" gap={3} aria-label={t("contacts.import.title")}>
      <Text size={3} color="default2">
        {t("contacts.import.about")}
      </Text>
      {/* macaw-ui has no file field: its Button opens the (hidden) native file picker. */}
      <input
        ref={picker}
        type="file"
        hidden
        accept=".csv,text/csv"
        onChange={async (e) => {
          const file = e.target.files?.[0];
          if (!file) return;
          setValue("csv", await file.text());
          setFileName(file.name);
        }}
      />
      <Box display="flex" gap={2} alignItems="center" flexWrap="wrap">
        <Button type="button" variant="secondary" onClick={() => picker.current?.click()}>
          {t("contacts.import.file")}
        </Button>
        {fileName && (
          <Text size={3} color="default2">
            {t("contacts.import.chosen", { name: fileName })}
          </Text>
        )}
      </Box>
      <Textarea label={t("contacts.import.paste")} value={csv} {...register("csv")} rows={4} />
      {result && <AdminErrors errors={result.errors} />}
      {importer.state.kind === "error" && <ErrorState message={importer.state.message} />}
      {result && result.errors.length === 0 && (
        <Text size={3} role="status">
          {t("contacts.import.result", { imported: n(result.imported), skipped: n(result.skipped), failed: n(result.failed) })}
        </Text>
      )}
      <Box>
        <Button type="submit" disabled={!csv.trim() || importer.state.kind === "running"}>
          {t("contacts.import.submit")}
        </Button>
      </Box>
    </Box>
  );
}

interface IysData {
  iysAlerts: { eventId: string; recipient: string; status: string; deadline: string; overdue: boolean }[];
  iysBatches: { id: string; status: string; recordCount: number; createdAt: string }[];
}

export function IysPanel() {
  const t = useT();
  const locale = useLocale();
  const { state, reload } = useAdminQuery<IysData>(IYS);
  const exporter = useAdminMutation<{ iysExport: Payload & { batch: { id: string; recordCount: number; csv: string } | null } }>(IYS_EXPORT);
  const confirm = useAdminMutation<{ confirmIysBatch: Payload }>(CONFIRM_IYS_BATCH);
  const [errors, setErrors] = useState<AdminError[]>([]);
  const [nothing, setNothing] = useState(false);
  const doExport = async () => {
    const data = await exporter.run();
    setErrors(data?.iysExport.errors ?? []);
    const batch = data?.iysExport.batch;
    setNothing(Boolean(data && !batch && data.iysExport.errors.length === 0));
    if (batch) download(`iys-${batch.id}.csv`, batch.csv, "text/csv");
    reload();
  };
  const open = state.kind === "loaded" ? state.data.iysBatches.filter((b) => b.status === "open") : [];
  const alerts = state.kind === "loaded" ? state.data.iysAlerts : [];
  const overdue = alerts.filter((a) => a.overdue).length;
  return (
    <Box display="flex" flexDirection="column" gap={3}>
      <Text size={3} color="default2">
        {t("contacts.iys.about")}
      </Text>
      {state.kind === "error" && <ErrorState message={state.message} onRetry={reload} />}
      {alerts.length > 0 && (
        <Box role="alert" className="ulak-flow-alert" padding={3} borderRadius={3}>
          <Text size={3} fontWeight="bold">
            {t("contacts.iys.alerts", { count: formatCount(locale, alerts.length), overdue: formatCount(locale, overdue) })}
          </Text>
          <Text as="p" size={3}>
            {t("contacts.iys.deadline", { date: formatDateTime(locale, alerts[0]!.deadline) })}
          </Text>
        </Box>
      )}
      {open.map((b) => (
        <Box key={b.id} display="flex" gap={2} alignItems="center" flexWrap="wrap">
          <StatusBadge tone="warning">{t("contacts.iys.open")}</StatusBadge>
          <Text size={3}>{t("contacts.iys.batch", { count: formatCount(locale, b.recordCount), date: formatDateTime(locale, b.createdAt) })}</Text>
          <Button
            variant="secondary"
            onClick={async () => {
              const data = await confirm.run({ id: b.id });
              setErrors(data?.confirmIysBatch.errors ?? []);
              reload();
            }}
          >
            {t("contacts.iys.confirm")}
          </Button>
        </Box>
      ))}
      <AdminErrors errors={errors} />
      {nothing && (
        <Text size={3} role="status">
          {t("contacts.iys.nothing")}
        </Text>
      )}
      <Box>
        <Button onClick={doExport} disabled={exporter.state.kind === "running"}>
          {t("contacts.iys.export")}
        </Button>
      </Box>
    </Box>
  );
}

export function ConsentTools({ onChanged }: { onChanged: () => void }) {
  const t = useT();
  return (
    <Section title={t("contacts.tools")}>
      <details>
        <summary>
          <Text size={3} fontWeight="medium">
            {t("contacts.import.title")}
          </Text>
        </summary>
        <Box marginTop={3}>
          <ConsentImport onImported={onChanged} />
        </Box>
      </details>
      <details>
        <summary>
          <Text size={3} fontWeight="medium">
            {t("contacts.iys.title")}
          </Text>
        </summary>
        <Box marginTop={3}>
          <IysPanel />
        </Box>
      </details>
    </Section>
  );
}
