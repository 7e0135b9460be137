/** Reasons with their counts: good outcomes (the goal came first) apart from problems. */
import { Text } from "@saleor/macaw-ui";
import { Section, StatusBadge } from "../components/ui";
import { formatCount, useLocale } from "../i18n";
import { useReasons } from "../messages/reasons";
import "./insights.css";

export interface ReasonCount {
  reason: string;
  count: number;
}

export function ReasonList({ title, help, empty, reasons, good, testId }: { title: string; help?: string; empty: string; reasons: ReasonCount[]; good: boolean; testId: string }) {
  const locale = useLocale();
  const words = useReasons();
  return (
    <Section title={title}>
      {help && (
        <Text as="p" size={3}>
          {help}
        </Text>
      )}
      {reasons.length === 0 ? (
        <Text size={3}>{empty}</Text>
      ) : (
        <ul className="ulak-reasons" data-testid={testId}>
          {reasons.map((r) => {
            const w = words(r.reason);
            return (
              <li key={r.reason}>
                <span>
                  <Text size={3}>{w.text}</Text>
                  {!good && w.fix && (
                    <Text as="p" size={2} color="default2">
                      {w.fix}
                    </Text>
                  )}
                </span>
                <StatusBadge tone={good ? "success" : "warning"}>{formatCount(locale, r.count)}</StatusBadge>
              </li>
            );
          })}
        </ul>
      )}
    </Section>
  );
}
