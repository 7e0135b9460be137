/**
 * macaw-ui's Combobox for one of many `options` (the ~400 IANA time zones): the merchant types
 * to narrow the list (macaw-ui filters by the label's text) and picks one. Emptying the text
 * clears the choice (`onChange("")`), which the form then calls missing.
 *
 * macaw-ui draws its open/close arrow as an icon carrying downshift's toggle-button ARIA
 * (aria-expanded on an <svg>: axe aria-allowed-attr, critical). The arrow is for the pointer
 * only (tabindex -1; the input itself opens the list from the keyboard), so it is hidden from
 * assistive technology.
 */
import { Combobox, Text } from "@saleor/macaw-ui";
import { type ReactNode, useEffect, useRef } from "react";
import { useT } from "../i18n";
import type { Choice } from "./ui";

export function ComboboxField<V extends string>({
  id,
  label,
  options,
  value,
  onChange,
  invalid = false,
  hint,
  testId,
}: {
  id: string;
  label: string;
  options: readonly Choice<V>[];
  value: V | "";
  onChange: (value: V | "") => void;
  invalid?: boolean;
  hint?: ReactNode;
  testId?: string;
}) {
  const t = useT();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.closest("label")?.querySelector(`[id$="-toggle-button"]`)?.setAttribute("aria-hidden", "true");
  });
  return (
    // the value goes in as its option: macaw-ui hands back an option when the value was empty
    <Combobox<Choice<V>, Choice<V>>
      ref={input}
      id={id}
      label={label}
      options={options as Choice<V>[]}
      value={options.find((o) => o.value === value) ?? null}
      onChange={(o) => onChange(o?.value ?? "")}
      error={invalid}
      aria-invalid={invalid || undefined}
      aria-describedby={hint ? `${id}-hint` : undefined}
      helperText={hint ? <span id={`${id}-hint`}>{hint}</span> : undefined}
      data-testid={testId}
    >
      <Combobox.NoOptions>
        <Text size={3}>{t("common.noMatch")}</Text>
      </Combobox.NoOptions>
    </Combobox>
  );
}
