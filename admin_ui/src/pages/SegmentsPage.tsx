/**
 * Segments: the saved ones with their sizes, and the rule builder with a live count and
 * sample (segmentPreview); saving creates or updates a segment (createSegment/updateSegment).
 */
import { PlanLock } from "../plans/PlanLock";
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useCallback, useMemo, useState } from "react";
import { Controller, useForm } from "react-hook-form";
import { CREATE_SEGMENT, DELETE_SEGMENT, SEGMENTS, SEGMENT_PREVIEW, UPDATE_SEGMENT } from "../api/queries";
import { useAdminMutation, useAdminQuery } from "../api/useAdmin";
import { useOnEdit } from "../components/formFields";
import { type AdminError, AdminErrors, ConfirmDialog, ErrorState, Loading, Section, TextField } from "../components/ui";
import { useDashboard } from "../dashboard";
import { formatCount, useLocale, useT } from "../i18n";
import { RuleBuilder, type PreviewResult, type SampleContact } from "../segments/RuleBuilder";
import type { Rule } from "../segments/ruleLanguage";
import { validateRule } from "../segments/validateRule";
import type { Payload } from "./types";

/** Where a new segment starts: contacts who gave marketing consent in the last year. */
export const STARTING_RULE: Rule = { all: [{ field: "marketing_consent_at", op: "within_days", value: 365 }] };

export interface SegmentRow {
  id: string;
  name: string;
  rule: Rule;
  contactCount: number | null;
  updatedAt: string;
}

export type AudienceChoice = { rule: Rule } | { builtin: string } | { segmentId: string };

interface PreviewAnswer {
  segmentPreview: { count: number; sample: SampleContact[]; errors: AdminError[] };
}

/**
 * Counts an audience (a rule, a built-in or a saved segment) through the admin API; a refusal
 * (invalid rule, a plan without own segments) becomes an error in the dashboard's language.
 */
export function useSegmentPreview(): (audience: AudienceChoice) => Promise<{ count: number; sample: SampleContact[] }> {
  const { request } = useDashboard();
  const locale = useLocale();
  return useCallback(
    async (audience: AudienceChoice) => {
      const data = await request<PreviewAnswer>(SEGMENT_PREVIEW, audience);
      const { count, sample, errors } = data.segmentPreview;
      if (errors.length > 0) throw new Error(errors.map((e) => (locale === "tr" ? e.messageTr : e.message)).join(" "));
      return { count, sample };
    },
    [request, locale],
  );
}

function SavedSegments({ rows, onEdit, onDeleted }: { rows: SegmentRow[]; onEdit: (row: SegmentRow) => void; onDeleted: () => void }) {
  const t = useT();
  const locale = useLocale();
  const remove = useAdminMutation<{ deleteSegment: Payload }>(DELETE_SEGMENT);
  const [doomed, setDoomed] = useState<SegmentRow | null>(null);
  const [errors, setErrors] = useState<AdminError[]>([]);
  if (rows.length === 0) return <Text size={3}>{t("segments.none")}</Text>;
  const confirmDelete = async () => {
    const row = doomed;
    setDoomed(null);
    if (!row) return;
    const data = await remove.run({ id: row.id });
    setErrors(data?.deleteSegment.errors ?? []);
    onDeleted();
  };
  return (
    <>
      <table className="ulak-table">
        <caption className="ulak-visually-hidden">{t("segments.saved")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("segments.name")}</th>
            <th scope="col">{t("segments.contacts")}</th>
            <th scope="col">{t("segments.actions")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <tr key={s.id}>
              <td>{s.name}</td>
              <td>{s.contactCount === null ? "—" : formatCount(locale, s.contactCount)}</td>
              <td>
                <Box display="flex" gap={2}>
                  <Button variant="secondary" size="small" aria-label={t("segments.editOne", { name: s.name })} onClick={() => onEdit(s)}>
                    {t("segments.edit")}
                  </Button>
                  <Button variant="secondary" size="small" aria-label={t("segments.deleteOne", { name: s.name })} onClick={() => setDoomed(s)}>
                    {t("segments.delete")}
                  </Button>
                </Box>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <AdminErrors errors={errors} />
      {remove.state.kind === "error" && <ErrorState message={remove.state.message} />}
      <ConfirmDialog
        open={doomed !== null}
        danger
        title={t("segments.deleteTitle", { name: doomed?.name ?? "" })}
        body={<Text size={3}>{t("segments.deleteBody")}</Text>}
        confirmLabel={t("segments.delete")}
        onConfirm={confirmDelete}
        onCancel={() => setDoomed(null)}
      />
    </>
  );
}

/** The segment being written: its name and rule, kept by react-hook-form. */
interface SegmentForm {
  name: string;
  rule: Rule;
}

export function SegmentsPage() {
  const t = useT();
  const { state, reload } = useAdminQuery<{ segments: SegmentRow[] }>(SEGMENTS);
  const [editing, setEditing] = useState<SegmentRow | null>(null);
  const { control, register, handleSubmit, watch, reset } = useForm<SegmentForm>({ defaultValues: { name: "", rule: STARTING_RULE } });
  // macaw-ui floats its label only over a field that has a value, so the name stays controlled.
  const name = watch("name");
  const rule = watch("rule");
  const [errors, setErrors] = useState<AdminError[]>([]);
  const [saved, setSaved] = useState<string | null>(null);
  useOnEdit(watch, () => setSaved(null)); // an edit takes "Saved." away
  const preview = useSegmentPreview();
  const onPreview = useCallback((r: Rule): Promise<PreviewResult> => preview({ rule: r }), [preview]);
  const create = useAdminMutation<{ createSegment: Payload & { segment: SegmentRow | null } }>(CREATE_SEGMENT);
  const update = useAdminMutation<{ updateSegment: Payload & { segment: SegmentRow | null } }>(UPDATE_SEGMENT);
  const ruleValid = useMemo(() => validateRule(rule).length === 0, [rule]);
  const running = create.state.kind === "running" || update.state.kind === "running";

  const startNew = () => {
    setEditing(null);
    reset({ name: "", rule: STARTING_RULE });
    setErrors([]);
    setSaved(null);
  };
  const edit = (row: SegmentRow) => {
    setEditing(row);
    reset({ name: row.name, rule: row.rule });
    setErrors([]);
    setSaved(null);
  };
  const save = handleSubmit(async (values) => {
    setSaved(null);
    const payload = editing
      ? (await update.run({ id: editing.id, name: values.name.trim(), rule: values.rule }))?.updateSegment
      : (await create.run({ name: values.name.trim(), rule: values.rule }))?.createSegment;
    setErrors(payload?.errors ?? []);
    if (payload?.segment) {
      setEditing(payload.segment);
      setSaved(payload.segment.name);
      reload();
    }
  });
  const failure = [create.state, update.state].find((s) => s.kind === "error");
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <Section title={t("segments.saved")}>
        {state.kind === "loading" && <Loading />}
        {state.kind === "error" && <ErrorState message={state.message} onRetry={reload} />}
        {state.kind === "loaded" && <SavedSegments rows={state.data.segments} onEdit={edit} onDeleted={() => { startNew(); reload(); }} />}
      </Section>
      <Section
        title={editing ? t("segments.editing", { name: editing.name }) : t("segments.new")}
        actions={
          editing ? (
            <Button variant="secondary" onClick={startNew}>
              {t("segments.startNew")}
            </Button>
          ) : undefined
        }
      >
        <PlanLock feature="own_segments" />
        <Box as="form" onSubmit={save} display="flex" flexDirection="column" gap={3} aria-label={t("segments.form")}>
          <TextField
            label={t("segments.name")}
            id="segment-name"
            value={name}
            maxLength={200}
            aria-invalid={errors.some((er) => er.field === "name") || undefined}
            {...register("name")}
          />
          <Controller control={control} name="rule" render={({ field }) => <RuleBuilder value={field.value} onChange={field.onChange} onPreview={onPreview} currency="TRY" />} />
          <AdminErrors errors={errors} />
          {failure && failure.kind === "error" && <ErrorState message={failure.message} />}
          <Box display="flex" gap={3} alignItems="center">
            <Button type="submit" disabled={!name.trim() || !ruleValid || running}>
              {t("segments.save")}
            </Button>
            <span role="status" aria-live="polite">
              {saved && (
                <Text size={3} color="success1">
                  {t("segments.saved.one", { name: saved })}
                </Text>
              )}
            </span>
          </Box>
        </Box>
      </Section>
    </Box>
  );
}
