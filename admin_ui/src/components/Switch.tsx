/**
 * An on/off switch: macaw-ui's Toggle with role="switch" and aria-checked (instead of the
 * Toggle's aria-pressed), so Space toggles it and readers say "on/off". `label` names it when
 * the visible text is only its state (the flows page's On/Off).
 */
import { Text, Toggle } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

export function Switch({ checked, onChange, children, label, disabled }: { checked: boolean; onChange: (checked: boolean) => void; children: ReactNode; label?: string; disabled?: boolean }) {
  return (
    <Toggle role="switch" aria-checked={checked} aria-pressed={undefined} aria-label={label} pressed={checked} onPressedChange={onChange} disabled={disabled}>
      <Text size={3}>{children}</Text>
    </Toggle>
  );
}
