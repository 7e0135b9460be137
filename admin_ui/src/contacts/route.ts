/** "#/contacts/42" opens contact 42's profile; "#/contacts" the list (hash routes stay inside the dashboard's iframe). */
import { useEffect, useState } from "react";

export function contactIdFromHash(hash: string): string | null {
  const m = /^#\/?contacts\/([^/?#]+)/.exec(hash);
  return m ? decodeURIComponent(m[1]!) : null;
}

export const contactHref = (id: string) => `#/contacts/${encodeURIComponent(id)}`;

export function useContactRoute(): string | null {
  const [id, setId] = useState(() => contactIdFromHash(window.location.hash));
  useEffect(() => {
    const onHash = () => setId(contactIdFromHash(window.location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  return id;
}
