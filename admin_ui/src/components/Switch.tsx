/** An on/off switch: a native checkbox with role="switch", so Space toggles it and readers say "on/off". */
import type { ReactNode } from "react";

export function Switch({ checked, onChange, children }: { checked: boolean; onChange: (checked: boolean) => void; children: ReactNode }) {
  return (
    <label className="ulak-check">
      <input type="checkbox" role="switch" checked={checked} onChange={(e) => onChange(e.target.checked)} /> {children}
    </label>
  );
}
