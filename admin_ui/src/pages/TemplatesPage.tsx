/** Templates: the store's list with Meta status, category and quality; the editor; the starter library. */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { INSTALL_STARTER_TEMPLATES, SAVE_TEMPLATE_DRAFT, SUBMIT_TEMPLATE, TEMPLATES } from "../api/queries";
import { useAdminMutation, useAdminQuery, usePolling } from "../api/useAdmin";
import { AdminErrors, ErrorState, Loading, Section, StatusBadge, type AdminError, type Tone } from "../components/ui";
import { useCode, useT } from "../i18n";
import { TemplateEditor } from "../templates/TemplateEditor";
import type { WhatsAppTemplate } from "../templates/types";
import type { Connection, Payload } from "./types";

interface TemplateRow {
  id: string;
  name: string;
  language: string;
  category: string;
  status: string;
  quality: string | null;
  rejectedReason: string | null;
  starterKey: string | null;
}

export const STATUS_TONES: Record<string, Tone> = {
  APPROVED: "success",
  PENDING: "info",
  DRAFT: "neutral",
  REJECTED: "critical",
  PAUSED: "warning",
  DISABLED: "critical",
};

const REVIEW_POLL_MS = 3000;

const isCategory = (c: string): c is "MARKETING" | "UTILITY" | "AUTHENTICATION" => ["MARKETING", "UTILITY", "AUTHENTICATION"].includes(c);

const QUALITY_TONES: Record<string, Tone> = { GREEN: "success", YELLOW: "warning", RED: "critical" };

function TemplateList({ rows }: { rows: TemplateRow[] }) {
  const t = useT();
  const code = useCode();
  if (rows.length === 0) return <Text size={3}>{t("templates.none")}</Text>;
  return (
    <table className="ulak-table ulak-table-stack">
      <caption className="ulak-visually-hidden">{t("page.templates")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("templates.name")}</th>
          <th scope="col">{t("templates.language")}</th>
          <th scope="col">{t("templates.category")}</th>
          <th scope="col">{t("templates.status")}</th>
          <th scope="col">{t("templates.quality")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id}>
            <td data-label={t("templates.name")}>
              <span>{r.name}</span>
              {r.starterKey && (
                <>
                  {" "}
                  <StatusBadge tone="neutral">{t("templates.starter")}</StatusBadge>
                </>
              )}
              {r.rejectedReason && (
                <Text as="p" size={2} color="critical1">
                  {r.rejectedReason}
                </Text>
              )}
            </td>
            <td data-label={t("templates.language")}>{r.language}</td>
            <td data-label={t("templates.category")}>{isCategory(r.category) ? t(`category.${r.category}`) : r.category}</td>
            <td data-label={t("templates.status")}>
              <StatusBadge tone={STATUS_TONES[r.status] ?? "neutral"}>{code("TemplateStatus", r.status)}</StatusBadge>
            </td>
            <td data-label={t("templates.quality")}>{r.quality ? <StatusBadge tone={QUALITY_TONES[r.quality] ?? "neutral"}>{code("Quality", r.quality)}</StatusBadge> : "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function TemplatesPage() {
  const t = useT();
  const { state, reload } = useAdminQuery<{ templates: Connection<TemplateRow> }>(TEMPLATES, { first: 100 });
  // Meta's review answers by webhook: while a template waits for it, the list keeps itself current.
  const waiting = state.kind === "loaded" && state.data.templates.edges.some((e) => e.node.status === "PENDING");
  usePolling(reload, REVIEW_POLL_MS, waiting);
  const starters = useAdminMutation<{ installStarterTemplates: Payload }>(INSTALL_STARTER_TEMPLATES);
  const create = useAdminMutation<{ saveTemplateDraft: Payload & { template: TemplateRow | null } }>(SAVE_TEMPLATE_DRAFT);
  const submit = useAdminMutation<{ submitTemplate: Payload }>(SUBMIT_TEMPLATE);
  const [errors, setErrors] = useState<AdminError[]>([]);
  const [submitted, setSubmitted] = useState(false);

  const install = async () => {
    const data = await starters.run({ submit: true });
    setErrors(data?.installStarterTemplates.errors ?? []);
    reload();
  };
  const onSubmit = async (template: WhatsAppTemplate) => {
    setSubmitted(false);
    const created = await create.run({ input: { name: template.name, language: template.language, category: template.category, components: template.components } });
    const payload = created?.saveTemplateDraft;
    if (!payload?.template) {
      setErrors(payload?.errors ?? []);
      return;
    }
    const sent = await submit.run({ id: payload.template.id });
    setErrors(sent?.submitTemplate.errors ?? []);
    setSubmitted(Boolean(sent && sent.submitTemplate.errors.length === 0));
    reload();
  };
  const failure = [starters.state, create.state, submit.state].find((s) => s.kind === "error");
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <Section
        title={t("templates.list")}
        actions={
          <Button variant="secondary" onClick={install} disabled={starters.state.kind === "running"}>
            {t("templates.installStarters")}
          </Button>
        }
      >
        {state.kind === "loading" && <Loading />}
        {state.kind === "error" && <ErrorState message={state.message} onRetry={reload} />}
        {state.kind === "loaded" && <TemplateList rows={state.data.templates.edges.map((e) => e.node)} />}
      </Section>
      <Section title={t("templates.new")}>
        <TemplateEditor onSubmit={onSubmit} submitting={create.state.kind === "running" || submit.state.kind === "running"} />
        <AdminErrors errors={errors} />
        {failure && failure.kind === "error" && <ErrorState message={failure.message} />}
        {submitted && (
          <Text size={3} color="success1" role="status">
            {t("templates.submitted")}
          </Text>
        )}
      </Section>
    </Box>
  );
}
