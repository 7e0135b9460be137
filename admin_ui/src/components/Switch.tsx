/**
 * An on/off switch: a native checkbox with role="switch", so Space toggles it and readers say
 * "on/off". `label` names it when the visible text is only its state (the flows page's On/Off).
 */
import type { ReactNode } from "react";

export function Switch({ checked, onChange, children, label }: { checked: boolean; onChange: (checked: boolean) => void; children: ReactNode; label?: string }) {
  return (
    <label className="ulak-check">
      <input type="checkbox" role="switch" aria-label={label} checked={checked} onChange={(e) => onChange(e.target.checked)} /> {children}
    </label>
  );
}
