/** Segments: the saved ones, and the rule builder with a live count (segmentPreview). */
import { Box, Text } from "@saleor/macaw-ui";
import { useCallback, useState } from "react";
import { SEGMENTS, SEGMENT_PREVIEW } from "../api/queries";
import { useAdminQuery } from "../api/useAdmin";
import { ErrorState, Loading, Section } from "../components/ui";
import { useDashboard } from "../dashboard";
import { formatCount, useLocale, useT } from "../i18n";
import { RuleBuilder } from "../segments/RuleBuilder";
import type { Rule } from "../segments/ruleLanguage";

/** Where a new segment starts: contacts who gave marketing consent in the last year. */
export const STARTING_RULE: Rule = { all: [{ field: "marketing_consent_at", op: "within_days", value: 365 }] };

interface SegmentRow {
  id: string;
  name: string;
  contactCount: number;
}

/** Counts a rule's contacts through the admin API (used by the builder and the wizard). */
export function useSegmentPreview(): (rule: Rule) => Promise<number> {
  const { request } = useDashboard();
  return useCallback(async (rule: Rule) => {
    const data = await request<{ segmentPreview: { count: number } }>(SEGMENT_PREVIEW, { rule });
    return data.segmentPreview.count;
  }, [request]);
}

export function SegmentsPage() {
  const t = useT();
  const locale = useLocale();
  const { state, reload } = useAdminQuery<{ segments: SegmentRow[] }>(SEGMENTS);
  const [rule, setRule] = useState<Rule>(STARTING_RULE);
  const preview = useSegmentPreview();
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <Section title={t("segments.saved")}>
        {state.kind === "loading" && <Loading />}
        {state.kind === "error" && <ErrorState message={state.message} onRetry={reload} />}
        {state.kind === "loaded" &&
          (state.data.segments.length === 0 ? (
            <Text size={3}>{t("page.empty")}</Text>
          ) : (
            <ul>
              {state.data.segments.map((s) => (
                <li key={s.id}>
                  <Text size={3}>
                    {s.name} — {t("rule.preview.count", { count: formatCount(locale, s.contactCount) })}
                  </Text>
                </li>
              ))}
            </ul>
          ))}
      </Section>
      <Section title={t("segments.new")}>
        <RuleBuilder value={rule} onChange={setRule} onPreview={preview} currency="TRY" />
      </Section>
    </Box>
  );
}
