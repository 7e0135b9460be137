/**
 * A controlled editor for the segment rule language: nested all/any groups, NOT, and
 * conditions from FIELD_SPECS. Shows validateRule's errors where they occur and a live
 * count of matching contacts, with a sample of them, from `onPreview` (the page wires it to
 * `segmentPreview`).
 */
import { Button } from "@saleor/macaw-ui";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { formatCount, useLocale, useT } from "../i18n";
import { SelectField, TextInput } from "../components/ui";
import {
  CHECKOUT_STATES,
  CHECKOUT_STATE_LABELS,
  FIELDS,
  FIELD_SPECS,
  OP_LABELS,
  isAll,
  isAny,
  isNot,
  makeCondition,
  opsFor,
  valueKind,
  type Condition,
  type ConditionValue,
  type Field,
  type Op,
  type Rule,
  type ValueKind,
} from "./ruleLanguage";
import { validateRule, type RuleError } from "./validateRule";
import "./RuleBuilder.css";

/** A contact in the preview's sample (the phone comes masked from the API). */
export interface SampleContact {
  id: string;
  name: string | null;
  phone: string | null;
  country: string | null;
}

/** A count alone, or a count with the first matching contacts. */
export type PreviewResult = number | { count: number; sample: SampleContact[] };

export interface RuleBuilderProps {
  value: Rule;
  onChange: (rule: Rule) => void;
  /** Counts the contacts matching a valid rule (the backend's `segmentPreview`). */
  onPreview?: (rule: Rule) => Promise<PreviewResult>;
  /** Store currency shown next to money inputs, e.g. "TRY". */
  currency?: string;
  /** Debounce before asking for a count, in ms. */
  previewDelayMs?: number;
}

interface NodeProps {
  rule: Rule;
  path: string;
  label: string;
  errors: RuleError[];
  onChange: (rule: Rule) => void;
  currency?: string;
}

const join = (base: string, key: string | number) => (base ? `${base}.${key}` : String(key));

export function RuleBuilder({ value, onChange, onPreview, currency, previewDelayMs = 400 }: RuleBuilderProps) {
  const t = useT();
  const errors = useMemo(() => validateRule(value), [value]);
  return (
    <section className="ulak-rules" aria-label={t("rule.builderLabel")}>
      <RuleNode rule={value} path="" label="1" errors={errors} onChange={onChange} currency={currency} />
      {errors.some((e) => e.path === "") && <ErrorList errors={errors.filter((e) => e.path === "")} id="rule-root-errors" />}
      <PreviewCount rule={value} valid={errors.length === 0} onPreview={onPreview} delayMs={previewDelayMs} />
    </section>
  );
}

function ErrorList({ errors, id }: { errors: RuleError[]; id: string }) {
  const locale = useLocale();
  if (errors.length === 0) return null;
  return (
    <ul className="ulak-rule-errors" id={id}>
      {errors.map((e, i) => (
        <li key={i} data-code={e.code}>
          {locale === "tr" ? e.message_tr : e.message_en}
        </li>
      ))}
    </ul>
  );
}

function RuleNode(props: NodeProps): ReactNode {
  const { rule } = props;
  if (isAll(rule) || isAny(rule)) return <GroupNode {...props} />;
  if (isNot(rule)) return <NotNode {...props} />;
  return <ConditionNode {...props} rule={rule as Condition} />;
}

function GroupNode({ rule, path, label, errors, onChange, currency }: NodeProps) {
  const t = useT();
  const key: "all" | "any" = isAll(rule) ? "all" : "any";
  const members: Rule[] = isAll(rule) ? rule.all : isAny(rule) ? rule.any : [];
  const membersPath = join(path, key);
  const groupName = t("rule.groupLabel", { path: label });
  const set = (next: Rule[], k: "all" | "any" = key) => onChange(k === "all" ? { all: next } : { any: next });
  const ownErrors = errors.filter((e) => e.path === membersPath);
  const errorId = `rule-err-${membersPath}`;

  return (
    <fieldset className="ulak-rule-group" aria-label={groupName} aria-describedby={ownErrors.length ? errorId : undefined}>
      <legend>{t(key === "all" ? "rule.group.all" : "rule.group.any")}</legend>
      <div className="ulak-rule-inline">
        <SelectField
          label={`${t("rule.combinator")} (${groupName})`}
          shortLabel={t("rule.combinator")}
          options={[
            { value: "all" as const, label: t("rule.combinator.all") },
            { value: "any" as const, label: t("rule.combinator.any") },
          ]}
          value={key}
          onChange={(k) => set(members, k)}
        />
      </div>
      {members.length === 0 && <p className="ulak-rule-hint">{t("rule.emptyGroup")}</p>}
      <ErrorList errors={ownErrors} id={errorId} />
      {members.length > 0 && (
        <ol className="ulak-rule-members">
          {members.map((m, i) => {
            const childLabel = `${label}.${i + 1}`;
            const childName = isAll(m) || isAny(m) ? t("rule.groupLabel", { path: childLabel }) : t("rule.condition", { path: childLabel });
            return (
              <li key={i}>
                <RuleNode
                  rule={m}
                  path={join(membersPath, i)}
                  label={childLabel}
                  errors={errors}
                  currency={currency}
                  onChange={(next) => set(members.map((x, j) => (j === i ? next : x)))}
                />
                <div className="ulak-rule-actions">
                  {!isNot(m) && (
                    <Button type="button" variant="tertiary" size="small" aria-label={`${t("rule.wrapNot")} (${childName})`} onClick={() => set(members.map((x, j) => (j === i ? { not: x } : x)))}>
                      {t("rule.wrapNot")}
                    </Button>
                  )}
                  <Button type="button" variant="tertiary" size="small" aria-label={`${t("rule.remove")} (${childName})`} onClick={() => set(members.filter((_, j) => j !== i))}>
                    {t("rule.remove")}
                  </Button>
                </div>
              </li>
            );
          })}
        </ol>
      )}
      <div className="ulak-rule-actions">
        <Button type="button" variant="secondary" size="small" aria-label={`${t("rule.addCondition")} (${groupName})`} onClick={() => set([...members, makeCondition("tags")])}>
          + {t("rule.addCondition")}
        </Button>
        <Button type="button" variant="secondary" size="small" aria-label={`${t("rule.addGroup")} (${groupName})`} onClick={() => set([...members, { all: [] }])}>
          + {t("rule.addGroup")}
        </Button>
      </div>
    </fieldset>
  );
}

function NotNode({ rule, path, label, errors, onChange, currency }: NodeProps) {
  const t = useT();
  if (!isNot(rule)) return null;
  const inner = rule.not;
  const innerName = isAll(inner) || isAny(inner) ? t("rule.groupLabel", { path: label }) : t("rule.condition", { path: label });
  return (
    <div className="ulak-rule-not" role="group" aria-label={`${t("rule.not")} (${innerName})`}>
      <p className="ulak-rule-not-label">{t("rule.not")}</p>
      <RuleNode rule={inner} path={join(path, "not")} label={label} errors={errors} onChange={(next) => onChange({ not: next })} currency={currency} />
      <Button type="button" variant="tertiary" size="small" aria-label={`${t("rule.unwrapNot")} (${innerName})`} onClick={() => onChange(inner)}>
        {t("rule.unwrapNot")}
      </Button>
    </div>
  );
}

function ConditionNode({ rule, path, label, errors, onChange, currency }: NodeProps & { rule: Condition }) {
  const t = useT();
  const locale = useLocale();
  const name = t("rule.condition", { path: label });
  const field: Field = rule.field in FIELD_SPECS ? rule.field : "tags";
  const ops = opsFor(field);
  const kind = valueKind(field, rule.op);
  const prefix = path ? `${path}.` : "";
  const mine = errors.filter((e) => e.path === path || (e.path.startsWith(prefix) && !e.path.slice(prefix.length).includes(".")));
  const errorId = `rule-err-${path || "root"}`;
  const describedBy = mine.length ? errorId : undefined;

  return (
    <div className="ulak-rule-condition" role="group" aria-label={name}>
      <div className="ulak-rule-inline">
        <SelectField
          label={`${t("rule.field")} (${name})`}
          shortLabel={t("rule.field")}
          options={FIELDS.map((f) => ({ value: f, label: locale === "tr" ? FIELD_SPECS[f].label_tr : FIELD_SPECS[f].label_en }))}
          value={field}
          invalid={mine.some((e) => e.code === "unknown_field")}
          onChange={(f) => onChange(makeCondition(f))}
        />
      </div>
      <div className="ulak-rule-inline">
        <SelectField<Op | "">
          label={`${t("rule.op")} (${name})`}
          shortLabel={t("rule.op")}
          options={[...(kind ? [] : [{ value: "" as const, label: "—" }]), ...ops.map((op) => ({ value: op, label: OP_LABELS[op][locale] }))]}
          value={kind ? rule.op : ""}
          invalid={mine.some((e) => e.code === "unknown_op")}
          onChange={(op) => {
            if (op === "") return;
            const nextKind = valueKind(field, op);
            if (nextKind === kind && rule.value !== undefined) onChange({ field, op, value: rule.value });
            else onChange(makeCondition(field, op));
          }}
        />
      </div>
      {kind && kind !== "none" && (
        <ValueEditor
          key={`${field}:${kind}`}
          kind={kind}
          value={rule.value ?? null}
          name={name}
          currency={currency}
          describedBy={describedBy}
          invalid={mine.some((e) => e.path === join(path, "value"))}
          onChange={(value) => onChange({ field, op: rule.op, value })}
        />
      )}
      <ErrorList errors={mine} id={errorId} />
    </div>
  );
}

interface ValueEditorProps {
  kind: ValueKind;
  value: ConditionValue;
  name: string;
  currency?: string;
  describedBy?: string;
  invalid: boolean;
  onChange: (value: ConditionValue) => void;
}

function ValueEditor({ kind, value, name, currency, describedBy, invalid, onChange }: ValueEditorProps) {
  const t = useT();
  const locale = useLocale();
  const aria = { "aria-describedby": describedBy, "aria-invalid": invalid || undefined };
  const valueLabel = `${t("rule.value")} (${name})`;
  const suffix =
    kind === "days" ? t("rule.days") : (kind === "money" || kind === "money_range") && currency ? t("rule.currency", { currency }) : null;

  let input: ReactNode;
  switch (kind) {
    case "checkout_state":
      input = (
        <SelectField
          label={valueLabel}
          shortLabel={t("rule.value")}
          options={CHECKOUT_STATES.map((s) => ({ value: s, label: CHECKOUT_STATE_LABELS[s][locale] }))}
          value={typeof value === "string" ? (value as (typeof CHECKOUT_STATES)[number]) : ""}
          invalid={invalid}
          onChange={onChange}
        />
      );
      break;
    case "country_list":
    case "locale_list":
      input = (
        <ListInput
          label={valueLabel}
          shortLabel={t("rule.value")}
          value={Array.isArray(value) ? (value as string[]) : []}
          normalise={kind === "country_list" ? (s) => s.toUpperCase() : (s) => s}
          onChange={onChange}
          aria={aria}
          hint={t("rule.listHint")}
        />
      );
      break;
    case "int":
    case "money":
    case "days":
      input = (
        <NumberInput
          label={valueLabel}
          shortLabel={t("rule.value")}
          value={typeof value === "number" ? value : null}
          step={kind === "money" ? "0.01" : "1"}
          min={kind === "days" ? 1 : 0}
          onChange={onChange}
          aria={aria}
        />
      );
      break;
    case "int_range":
    case "money_range":
      input = <RangeInput name={name} value={Array.isArray(value) ? (value as [number, number]) : null} money={kind === "money_range"} onChange={onChange} aria={aria} />;
      break;
    default:
      input = (
        <TextInput
          type="text"
          label={t("rule.value")}
          aria-label={valueLabel}
          value={typeof value === "string" ? value : ""}
          maxLength={kind === "country" ? 2 : undefined}
          onChange={(e) => onChange(kind === "country" ? e.target.value.toUpperCase() : e.target.value)}
          error={invalid}
          {...aria}
        />
      );
  }
  return (
    <span className="ulak-rule-inline">
      {input}
      {suffix && <span className="ulak-rule-hint">{suffix}</span>}
    </span>
  );
}

type Aria = { "aria-describedby"?: string; "aria-invalid"?: boolean };

function parseNumber(text: string): number | null {
  if (text.trim() === "") return null;
  const n = Number(text.replace(",", "."));
  return Number.isFinite(n) ? n : null;
}

function NumberInput({ label, shortLabel, value, step, min, onChange, aria }: { label: string; shortLabel: string; value: number | null; step: string; min: number; onChange: (v: number | null) => void; aria: Aria }) {
  const [draft, setDraft] = useState(value === null ? "" : String(value));
  useEffect(() => {
    if (value !== null && value !== parseNumber(draft)) setDraft(String(value));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <TextInput
      type="number"
      inputMode="decimal"
      label={shortLabel}
      aria-label={label}
      error={aria["aria-invalid"]}
      step={step}
      min={min}
      value={draft}
      onChange={(e) => {
        setDraft(e.target.value);
        onChange(parseNumber(e.target.value));
      }}
      {...aria}
    />
  );
}

function RangeInput({ name, value, money, onChange, aria }: { name: string; value: [number, number] | null; money: boolean; onChange: (v: [number, number] | null) => void; aria: Aria }) {
  const t = useT();
  const [from, setFrom] = useState(value ? String(value[0]) : "");
  const [to, setTo] = useState(value ? String(value[1]) : "");
  const emit = (a: string, b: string) => {
    const x = parseNumber(a);
    const y = parseNumber(b);
    onChange(x !== null && y !== null ? [x, y] : null);
  };
  const step = money ? "0.01" : "1";
  return (
    <span className="ulak-rule-inline">
      <TextInput type="number" step={step} min={0} label={t("rule.from")} aria-label={`${t("rule.from")} (${name})`} value={from} onChange={(e) => { setFrom(e.target.value); emit(e.target.value, to); }} {...aria} />
      <span aria-hidden="true">–</span>
      <TextInput type="number" step={step} min={0} label={t("rule.to")} aria-label={`${t("rule.to")} (${name})`} value={to} onChange={(e) => { setTo(e.target.value); emit(from, e.target.value); }} {...aria} />
    </span>
  );
}

function ListInput({ label, shortLabel, value, normalise, onChange, aria, hint }: { label: string; shortLabel: string; value: string[]; normalise: (s: string) => string; onChange: (v: string[]) => void; aria: Aria; hint: string }) {
  const parse = (text: string) => text.split(",").map((s) => normalise(s.trim())).filter(Boolean);
  const [draft, setDraft] = useState(value.join(", "));
  useEffect(() => {
    if (JSON.stringify(parse(draft)) !== JSON.stringify(value)) setDraft(value.join(", "));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <TextInput
      type="text"
      label={shortLabel}
      aria-label={label}
      placeholder={hint}
      value={draft}
      onChange={(e) => {
        setDraft(e.target.value);
        onChange(parse(e.target.value));
      }}
      {...aria}
    />
  );
}

type PreviewState =
  | { kind: "idle" }
  | { kind: "invalid" }
  | { kind: "loading" }
  | { kind: "count"; count: number; sample: SampleContact[] }
  | { kind: "error"; message: string };

function PreviewCount({ rule, valid, onPreview, delayMs }: { rule: Rule; valid: boolean; onPreview?: (rule: Rule) => Promise<PreviewResult>; delayMs: number }) {
  const t = useT();
  const locale = useLocale();
  const [state, setState] = useState<PreviewState>({ kind: "idle" });
  const [nonce, setNonce] = useState(0);
  const latest = useRef(0);
  const ruleJson = JSON.stringify(rule);

  useEffect(() => {
    if (!onPreview) return;
    if (!valid) {
      setState({ kind: "invalid" });
      return;
    }
    const request = ++latest.current;
    const timer = setTimeout(() => {
      setState({ kind: "loading" });
      onPreview(JSON.parse(ruleJson) as Rule).then(
        (result) =>
          request === latest.current &&
          setState(typeof result === "number" ? { kind: "count", count: result, sample: [] } : { kind: "count", count: result.count, sample: result.sample }),
        (err: unknown) => request === latest.current && setState({ kind: "error", message: err instanceof Error ? err.message : String(err) }),
      );
    }, delayMs);
    return () => clearTimeout(timer);
  }, [ruleJson, valid, onPreview, delayMs, nonce]);

  if (!onPreview) return null;
  let text: string;
  switch (state.kind) {
    case "idle":
      text = t("rule.preview.idle");
      break;
    case "invalid":
      text = t("rule.preview.invalid");
      break;
    case "loading":
      text = t("rule.preview.loading");
      break;
    case "count":
      text = t(state.count === 1 ? "rule.preview.one" : "rule.preview.count", { count: formatCount(locale, state.count) });
      break;
    case "error":
      text = t("rule.preview.error", { message: state.message });
      break;
  }
  return (
    <div className="ulak-rule-preview">
      <h3>{t("rule.preview")}</h3>
      <p aria-live="polite" data-testid="rule-preview" data-state={state.kind}>
        {text}
      </p>
      <Button type="button" variant="secondary" size="small" disabled={!valid} onClick={() => setNonce((n) => n + 1)}>
        {t("rule.preview.refresh")}
      </Button>
      {state.kind === "count" && state.sample.length > 0 && <SampleList sample={state.sample} />}
    </div>
  );
}

function SampleList({ sample }: { sample: SampleContact[] }) {
  const t = useT();
  return (
    <table className="ulak-rule-sample">
      <caption>{t("rule.preview.sample")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("rule.preview.name")}</th>
          <th scope="col">{t("rule.preview.phone")}</th>
          <th scope="col">{t("rule.preview.country")}</th>
        </tr>
      </thead>
      <tbody>
        {sample.map((c) => (
          <tr key={c.id}>
            <td>{c.name ?? "—"}</td>
            <td>{c.phone ?? "—"}</td>
            <td>{c.country ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
