/** The contact list: filters (consent, tag, segment, country, search), a total, and pages of 25. */
import { Box, Button, Select, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { CONTACT_LIST } from "../api/queries";
import { useAdminQuery } from "../api/useAdmin";
import { ErrorState, Loading, TextInput } from "../components/ui";
import { formatCount, useLocale, useT, type MessageKey } from "../i18n";
import { ConsentBadge, type ConsentState } from "../pages/ContactsPage";
import { contactHref } from "./route";

export const PAGE_SIZE = 25;

export interface ContactRow {
  id: string;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  country: string | null;
  lastInboundAt: string | null;
  consents: ConsentState[];
}

interface ListData {
  contactList: {
    totalCount: number;
    edges: { node: ContactRow }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
  segments: { id: string; name: string }[];
}

export interface Filters {
  search: string;
  consent: string;
  tag: string;
  segmentId: string;
  country: string;
}

const EMPTY: Filters = { search: "", consent: "", tag: "", segmentId: "", country: "" };
const CONSENTS: [string, MessageKey][] = [
  ["", "contacts.filter.any"],
  ["GRANTED", "contacts.filter.granted"],
  ["NOT_GRANTED", "contacts.filter.notGranted"],
  ["REVOKED", "contacts.filter.revoked"],
  ["NONE", "contacts.filter.none"],
];

/** The API's ContactFilter from the form (blank fields are left out). */
export function toFilter(f: Filters): Record<string, string> {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v.trim() !== "").map(([k, v]) => [k, v.trim()]));
}

export const fullName = (c: { firstName: string | null; lastName: string | null }) => [c.firstName, c.lastName].filter(Boolean).join(" ");

type Cursor = { after?: string; before?: string };

export function ContactList() {
  const t = useT();
  const locale = useLocale();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [cursor, setCursor] = useState<Cursor>({});
  const [pageIndex, setPageIndex] = useState(0);
  const variables = cursor.before ? { filter: toFilter(filters), last: PAGE_SIZE, before: cursor.before } : { filter: toFilter(filters), first: PAGE_SIZE, after: cursor.after ?? null };
  const { state, reload } = useAdminQuery<ListData>(CONTACT_LIST, variables);
  const segments = state.kind === "loaded" ? state.data.segments : [];
  const consentOptions = CONSENTS.map(([value, key]) => ({ value, label: t(key) }));
  const segmentOptions = [{ value: "", label: t("contacts.filter.anySegment") }, ...segments.map((s) => ({ value: s.id, label: s.name }))];
  const apply = (e: React.FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    setCursor({});
    setPageIndex(0);
  };
  const n = (x: number) => formatCount(locale, x);
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <Box as="form" role="search" aria-label={t("contacts.filters")} onSubmit={apply} display="flex" flexDirection="column" gap={3}>
        <TextInput label={t("contacts.search")} helperText={t("contacts.searchHint")} value={draft.search} onChange={(e) => setDraft({ ...draft, search: e.target.value })} id="contact-search" />
        <div className="ulak-filter-grid">
          <Select label={t("contacts.filter.consent")} options={consentOptions} value={consentOptions.find((o) => o.value === draft.consent) ?? consentOptions[0]!} onChange={(o: { value: string }) => setDraft({ ...draft, consent: o.value })} data-testid="filter-consent" />
          <Select label={t("contacts.filter.segment")} options={segmentOptions} value={segmentOptions.find((o) => o.value === draft.segmentId) ?? segmentOptions[0]!} onChange={(o: { value: string }) => setDraft({ ...draft, segmentId: o.value })} data-testid="filter-segment" />
          <TextInput label={t("contacts.filter.tag")} value={draft.tag} onChange={(e) => setDraft({ ...draft, tag: e.target.value })} id="filter-tag" />
          <TextInput label={t("contacts.filter.country")} helperText={t("contacts.filter.countryHint")} value={draft.country} maxLength={2} onChange={(e) => setDraft({ ...draft, country: e.target.value.toUpperCase() })} id="filter-country" />
        </div>
        <Box display="flex" gap={2} flexWrap="wrap">
          <Button type="submit">{t("contacts.searchButton")}</Button>
          <Button type="button" variant="secondary" onClick={() => { setDraft(EMPTY); setFilters(EMPTY); setCursor({}); setPageIndex(0); }}>
            {t("contacts.filter.clear")}
          </Button>
        </Box>
      </Box>
      {state.kind === "loading" && <Loading />}
      {state.kind === "error" && <ErrorState message={state.message} onRetry={reload} />}
      {state.kind === "loaded" && (() => {
        const { totalCount, edges, pageInfo } = state.data.contactList;
        if (totalCount === 0) return <Text size={3}>{t("contacts.none")}</Text>;
        const from = pageIndex * PAGE_SIZE + 1;
        const to = pageIndex * PAGE_SIZE + edges.length;
        return (
          <>
            <Text size={3} role="status" data-testid="contacts-total">
              {t("contacts.range", { from: n(from), to: n(to), total: n(totalCount) })}
            </Text>
            <ul className="ulak-contact-list" aria-label={t("page.contacts")}>
              {edges.map(({ node }) => (
                <li key={node.id}>
                  <a href={contactHref(node.id)} className="ulak-contact-link">
                    <span className="ulak-contact-name">{fullName(node) || node.phone || "—"}</span>
                    <span className="ulak-contact-meta">
                      {node.phone}
                      {node.country ? ` · ${node.country}` : ""}
                    </span>
                  </a>
                  <ConsentBadge consents={node.consents} />
                </li>
              ))}
            </ul>
            <Box as="nav" aria-label={t("contacts.pages")} display="flex" gap={2} justifyContent="space-between">
              <Button variant="secondary" disabled={pageIndex === 0} onClick={() => { setCursor({ before: pageInfo.startCursor ?? undefined }); setPageIndex((i) => Math.max(0, i - 1)); }}>
                {t("contacts.previous")}
              </Button>
              <Button variant="secondary" disabled={!pageInfo.hasNextPage || to >= totalCount} onClick={() => { setCursor({ after: pageInfo.endCursor ?? undefined }); setPageIndex((i) => i + 1); }}>
                {t("contacts.next")}
              </Button>
            </Box>
          </>
        );
      })()}
    </Box>
  );
}
