/** Small building blocks shared by the pages, drawn with macaw-ui so they look like the dashboard. */
import { Box, Button, Checkbox, Input, RadioGroup, Select, Text, Textarea } from "@saleor/macaw-ui";
import { forwardRef, useEffect, useId, useRef, type ComponentProps, type ReactNode } from "react";
import type { QueryState } from "../api/useAdmin";
import { useLocale, useT } from "../i18n";
import "./ui.css";

/** One AdminError from a mutation payload. */
export interface AdminError {
  field: string | null;
  code: string;
  message: string;
  messageTr: string;
}

export function Section({ title, children, actions, id }: { title: string; children: ReactNode; actions?: ReactNode; id?: string }) {
  const headingId = useId();
  return (
    <Box
      as="section"
      id={id}
      aria-labelledby={headingId}
      display="flex"
      flexDirection="column"
      gap={3}
      padding={5}
      borderRadius={4}
      borderWidth={1}
      borderStyle="solid"
      borderColor="default1"
      backgroundColor="default1"
    >
      <Box display="flex" justifyContent="space-between" alignItems="center" gap={3} flexWrap="wrap">
        <Text as="h3" size={5} fontWeight="bold" id={headingId}>
          {title}
        </Text>
        {actions && <Box display="flex" gap={2}>{actions}</Box>}
      </Box>
      {children}
    </Box>
  );
}

/** macaw-ui's Input, but its <input> keeps its native role: macaw-ui sets role="input", an
 * abstract ARIA role that screen readers cannot announce (axe: aria-roles, critical). */
export const TextInput = forwardRef<HTMLInputElement, ComponentProps<typeof Input>>(function TextInput(props, ref) {
  return <Input {...props} ref={ref} role={props.role} />;
});

/** The ids a field is described by: its own `aria-describedby` plus its hint's, once each. */
function describedBy(own: string | undefined, hintId: string | undefined): string | undefined {
  const ids = new Set([...(own ?? "").split(" "), hintId ?? ""].filter(Boolean));
  return ids.size > 0 ? [...ids].join(" ") : undefined;
}

/** The hint under a field, with the id `aria-describedby` points at (`<id>-hint`). */
function Hint({ id, hint }: { id: string; hint: ReactNode }) {
  return <span id={`${id}-hint`}>{hint}</span>;
}

type FieldProps = { id: string; label: ReactNode; hint?: ReactNode };

/** The props macaw-ui's Input and Textarea share: label, error look, hint and its id. */
function fieldProps(id: string, label: ReactNode, hint: ReactNode, own: { "aria-invalid"?: unknown; "aria-describedby"?: string; error?: boolean }) {
  const invalid = own["aria-invalid"] === true || own["aria-invalid"] === "true";
  return {
    id,
    label,
    error: own.error ?? invalid,
    "aria-describedby": describedBy(own["aria-describedby"], hint ? `${id}-hint` : undefined),
    helperText: hint ? <Hint id={id} hint={hint} /> : undefined,
  };
}

/** A macaw-ui text input with its label; `hint` is shown under it and announced with it. */
export const TextField = forwardRef<HTMLInputElement, Omit<ComponentProps<typeof Input>, "label" | "helperText" | "id"> & FieldProps>(function TextField({ id, label, hint, ...props }, ref) {
  return <TextInput {...props} ref={ref} {...fieldProps(id, label, hint, props)} />;
});

/** A macaw-ui textarea with its label and hint (see TextField). */
export const TextAreaField = forwardRef<HTMLTextAreaElement, Omit<ComponentProps<typeof Textarea>, "label" | "helperText" | "id"> & FieldProps>(function TextAreaField({ id, label, hint, rows = 3, ...props }, ref) {
  return <Textarea {...props} ref={ref} rows={rows} {...fieldProps(id, label, hint, props)} />;
});

export interface Choice<V extends string = string> {
  value: V;
  label: string;
}

/**
 * macaw-ui's Select (a listbox combobox) for one of `options`. Its name comes from `label`
 * (macaw-ui names the combobox by aria-labelledby, so an aria-label would not reach it);
 * `shortLabel` is shown instead where the row already says which condition it is (the rule
 * builder: "Field" on screen, "Field (Condition 1.2)" to readers).
 */
export function SelectField<V extends string>({
  label,
  options,
  value,
  onChange,
  shortLabel,
  invalid = false,
  hint,
  testId,
  disabled,
}: {
  label: string;
  options: readonly Choice<V>[];
  value: V | "";
  onChange: (value: V) => void;
  shortLabel?: string;
  invalid?: boolean;
  hint?: ReactNode;
  testId?: string;
  disabled?: boolean;
}) {
  const selected = options.find((o) => o.value === value) ?? null;
  return (
    <Select
      label={
        shortLabel ? (
          <>
            <span aria-hidden="true">{shortLabel}</span>
            <span className="ulak-visually-hidden">{label}</span>
          </>
        ) : (
          label
        )
      }
      options={options as Choice<V>[]}
      value={selected}
      onChange={(o: Choice<V>) => onChange(o.value)}
      error={invalid}
      disabled={disabled}
      helperText={hint}
      data-testid={testId}
    />
  );
}

/** A macaw-ui checkbox whose visible text is its name. */
export function CheckField({ checked, onChange, children, testId, disabled }: { checked: boolean; onChange: (checked: boolean) => void; children: ReactNode; testId?: string; disabled?: boolean }) {
  return (
    <Checkbox checked={checked} onCheckedChange={(c) => onChange(c === true)} data-testid={testId} disabled={disabled}>
      <Text size={3}>{children}</Text>
    </Checkbox>
  );
}

/** A macaw-ui radio group: a fieldset whose legend is `label`, one radio per option. */
export function RadioField<V extends string>({ name, label, options, value, onChange }: { name: string; label: string; options: readonly Choice<V>[]; value: V; onChange: (value: V) => void }) {
  return (
    <RadioGroup value={value} onValueChange={(v) => onChange(v as V)} label={label} display="flex" flexDirection="column" gap={2} className="ulak-radio-group">
      {options.map((o) => (
        <RadioGroup.Item key={o.value} id={`${name}-${o.value}`} value={o.value}>
          <Text size={3}>{o.label}</Text>
        </RadioGroup.Item>
      ))}
    </RadioGroup>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  const t = useT();
  return (
    <Box display="flex" flexDirection="column" gap={2} role="alert" className="ulak-error-state">
      <Text as="p" size={3} color="critical1">
        {t("page.error", { message })}
      </Text>
      {onRetry && (
        <Box>
          <Button variant="secondary" onClick={onRetry}>
            {t("page.retry")}
          </Button>
        </Box>
      )}
    </Box>
  );
}

export function Loading() {
  const t = useT();
  return (
    <Text as="p" size={3} color="default2" role="status">
      {t("page.loading")}
    </Text>
  );
}

/** Renders loading / error / the loaded content for a query state. */
export function QueryView<T>({ state, onRetry, children }: { state: QueryState<T>; onRetry?: () => void; children: (data: T) => ReactNode }) {
  if (state.kind === "loading") return <Loading />;
  if (state.kind === "error") return <ErrorState message={state.message} onRetry={onRetry} />;
  return <>{children(state.data)}</>;
}

/** The typed errors of a mutation payload, in the dashboard's language. */
export function AdminErrors({ errors }: { errors: readonly AdminError[] | undefined }) {
  const locale = useLocale();
  if (!errors || errors.length === 0) return null;
  return (
    <Box as="ul" role="alert" className="ulak-errors">
      {errors.map((e, i) => (
        <li key={i}>
          <Text size={3} color="critical1">
            {locale === "tr" ? e.messageTr : e.message}
          </Text>
        </li>
      ))}
    </Box>
  );
}

export type Tone = "success" | "warning" | "critical" | "info" | "neutral";

export function StatusBadge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <span className={`ulak-badge ulak-badge-${tone}`}>{children}</span>;
}

/**
 * A labelled meter: used / total, with the percentage as text too. A quota warns as it fills
 * (`level`: the API's own warning level, 80 or 100, when it gives one); `progress` (a
 * campaign's sending) is good news when full, so it keeps one colour.
 */
export function QuotaBar({ label, used, total, detail, progress = false, level }: { label: string; used: number; total: number; detail: string; progress?: boolean; level?: number }) {
  const labelId = useId();
  const pct = total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 0;
  const warn = level ?? (pct >= 90 ? 100 : pct >= 75 ? 80 : 0);
  const tone = progress ? "ok" : warn >= 100 ? "critical" : warn >= 80 ? "warning" : "ok";
  return (
    <Box display="flex" flexDirection="column" gap={1}>
      <Box display="flex" justifyContent="space-between" flexWrap="wrap" columnGap={2}>
        <Text size={3} fontWeight="medium" id={labelId}>
          {label}
        </Text>
        <Text size={3} color="default2">
          {detail}
        </Text>
      </Box>
      <div
        className={`ulak-quota ulak-quota-${tone}`}
        role="meter"
        aria-labelledby={labelId}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={used}
        aria-valuetext={`${pct}%`}
      >
        <div className="ulak-quota-fill" style={{ width: `${pct}%` }} />
      </div>
    </Box>
  );
}

export interface ChecklistItem {
  key: string;
  title: string;
  done: boolean;
  content: ReactNode;
}

/** Setup steps with a progress bar; each step says whether it is done. */
export function Checklist({ items, label }: { items: ChecklistItem[]; label: string }) {
  const t = useT();
  const done = items.filter((i) => i.done).length;
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <Box display="flex" flexDirection="column" gap={1}>
        <Text size={4} fontWeight="bold" id="ulak-checklist-progress">
          {t("checklist.progress", { done, total: items.length })}
        </Text>
        <progress className="ulak-progress" max={items.length} value={done} aria-labelledby="ulak-checklist-progress" />
      </Box>
      <Box as="ol" aria-label={label} className="ulak-checklist">
        {items.map((item, i) => (
          <li key={item.key} className={item.done ? "ulak-step ulak-step-done" : "ulak-step"}>
            <Box display="flex" gap={3} alignItems="flex-start">
              <span className="ulak-step-mark" aria-hidden="true">
                {item.done ? "✓" : i + 1}
              </span>
              <Box display="flex" flexDirection="column" gap={2} flexGrow="1">
                <Text as="h3" size={5} fontWeight="bold">
                  {item.title}{" "}
                  <span className="ulak-visually-hidden">{item.done ? t("checklist.done") : t("checklist.todo")}</span>
                </Text>
                {item.content}
              </Box>
            </Box>
          </li>
        ))}
      </Box>
    </Box>
  );
}

/**
 * A modal confirmation: focus moves into it, Escape cancels, Tab stays inside, and focus
 * returns to the opener when it closes.
 */
export function ConfirmDialog({
  open,
  title,
  body,
  confirmLabel,
  onConfirm,
  onCancel,
  danger = false,
}: {
  open: boolean;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  danger?: boolean;
}) {
  const t = useT();
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const opener = document.activeElement as HTMLElement | null;
    ref.current?.querySelector<HTMLElement>("button")?.focus();
    return () => opener?.focus?.();
  }, [open]);
  if (!open) return null;
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      onCancel();
    } else if (e.key === "Tab" && ref.current) {
      const buttons = Array.from(ref.current.querySelectorAll<HTMLElement>("button"));
      const first = buttons[0];
      const last = buttons[buttons.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last?.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first?.focus();
      }
    }
  };
  return (
    <div className="ulak-backdrop">
      <div ref={ref} role="dialog" aria-modal="true" aria-labelledby={titleId} className="ulak-dialog" onKeyDown={onKeyDown}>
        <Text as="h2" size={6} fontWeight="bold" id={titleId}>
          {title}
        </Text>
        <Box marginY={3}>{body}</Box>
        <Box display="flex" gap={2} justifyContent="flex-end">
          <Button variant="secondary" onClick={onCancel}>
            {t("common.cancel")}
          </Button>
          <Button variant={danger ? "error" : "primary"} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </Box>
      </div>
    </div>
  );
}
