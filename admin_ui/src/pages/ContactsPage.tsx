/** Contacts: search; one contact's consent timeline and conversation; reply, export and erase. */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { CONTACT, CONTACTS, ERASE_CONTACT, EXPORT_CONTACT, REPLY_TO_CONTACT } from "../api/queries";
import { useAdminMutation, useAdminQuery } from "../api/useAdmin";
import { AdminErrors, ConfirmDialog, ErrorState, Field, Loading, Section, StatusBadge, type AdminError, type Tone } from "../components/ui";
import { formatDateTime, useLocale, useT } from "../i18n";
import type { Connection, Payload } from "./types";

interface ContactRow {
  id: string;
  phone: string;
  name: string | null;
  email: string | null;
  whatsappConsent: string;
  lastInboundAt: string | null;
}

export interface ConsentEventRow {
  id: string;
  purpose: string;
  action: string;
  source: string;
  occurredAt: string;
  note: string | null;
}

export interface MessageRow {
  id: string;
  direction: "INBOUND" | "OUTBOUND";
  text: string | null;
  templateName: string | null;
  status: string | null;
  skipReason: string | null;
  failureReason: string | null;
  occurredAt: string;
}

interface ContactDetail extends ContactRow {
  serviceWindowOpenUntil: string | null;
  consentEvents: ConsentEventRow[];
  conversation: MessageRow[];
}

const CONSENT_TONES: Record<string, Tone> = { GRANTED: "success", OPTED_IN: "success", REVOKED: "critical", OPTED_OUT: "critical", NONE: "neutral" };

export function ConsentTimeline({ events }: { events: ConsentEventRow[] }) {
  const t = useT();
  const locale = useLocale();
  if (events.length === 0) return <Text size={3}>{t("contacts.noConsent")}</Text>;
  return (
    <ol className="ulak-timeline" aria-label={t("contacts.timeline")}>
      {events.map((e) => (
        <li key={e.id}>
          <Text size={3} fontWeight="bold">
            {e.action} · {e.purpose}
          </Text>{" "}
          <Text size={2} color="default2">
            <time dateTime={e.occurredAt}>{formatDateTime(locale, e.occurredAt)}</time> · {e.source}
          </Text>
          {e.note && (
            <Text as="p" size={2} color="default2">
              {e.note}
            </Text>
          )}
        </li>
      ))}
    </ol>
  );
}

export function Conversation({ messages }: { messages: MessageRow[] }) {
  const t = useT();
  const locale = useLocale();
  if (messages.length === 0) return <Text size={3}>{t("contacts.noMessages")}</Text>;
  return (
    <ol className="ulak-chat" aria-label={t("contacts.conversation")} style={{ listStyle: "none", margin: 0 }}>
      {messages.map((m) => (
        <li key={m.id} className={m.direction === "OUTBOUND" ? "ulak-chat-msg ulak-chat-out" : "ulak-chat-msg"}>
          <span className="ulak-visually-hidden">{m.direction === "OUTBOUND" ? t("contacts.us") : t("contacts.them")}: </span>
          {m.text ?? (m.templateName ? `[${m.templateName}]` : "")}
          <div className="ulak-chat-meta">
            <time dateTime={m.occurredAt}>{formatDateTime(locale, m.occurredAt)}</time>
            {m.status && ` · ${m.status}`}
            {m.skipReason && ` · ${t("contacts.skipped", { reason: m.skipReason })}`}
            {m.failureReason && ` · ${t("contacts.failed", { reason: m.failureReason })}`}
          </div>
        </li>
      ))}
    </ol>
  );
}

function ContactView({ id, onErased }: { id: string; onErased: () => void }) {
  const t = useT();
  const locale = useLocale();
  const { state, reload } = useAdminQuery<{ contact: ContactDetail | null }>(CONTACT, { id });
  const reply = useAdminMutation<{ replyToContact: Payload }>(REPLY_TO_CONTACT);
  const exporter = useAdminMutation<{ exportContact: Payload & { json: string | null } }>(EXPORT_CONTACT);
  const eraser = useAdminMutation<{ eraseContact: Payload }>(ERASE_CONTACT);
  const [text, setText] = useState("");
  const [errors, setErrors] = useState<AdminError[]>([]);
  const [confirm, setConfirm] = useState<"export" | "erase" | null>(null);

  if (state.kind === "loading") return <Loading />;
  if (state.kind === "error") return <ErrorState message={state.message} onRetry={reload} />;
  const contact = state.data.contact;
  if (!contact) return <Text size={3}>{t("page.empty")}</Text>;
  const windowOpen = contact.serviceWindowOpenUntil !== null && new Date(contact.serviceWindowOpenUntil) > new Date();

  const doExport = async () => {
    setConfirm(null);
    const data = await exporter.run({ id });
    setErrors(data?.exportContact.errors ?? []);
    const json = data?.exportContact.json;
    if (json) {
      const url = URL.createObjectURL(new Blob([json], { type: "application/json" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `contact-${id}.json`;
      a.click();
      URL.revokeObjectURL(url);
    }
  };
  const doErase = async () => {
    setConfirm(null);
    const data = await eraser.run({ id });
    setErrors(data?.eraseContact.errors ?? []);
    if (data && data.eraseContact.errors.length === 0) onErased();
  };
  const send = async (e: React.FormEvent) => {
    e.preventDefault();
    const data = await reply.run({ id, text });
    setErrors(data?.replyToContact.errors ?? []);
    if (data && data.replyToContact.errors.length === 0) {
      setText("");
      reload();
    }
  };
  const failure = [reply.state, exporter.state, eraser.state].find((s) => s.kind === "error");
  return (
    <Box display="flex" flexDirection="column" gap={4} data-testid="contact-detail">
      <Section
        title={contact.name || contact.phone}
        actions={
          <>
            <Button variant="secondary" onClick={() => setConfirm("export")}>
              {t("contacts.export")}
            </Button>
            <Button variant="error" onClick={() => setConfirm("erase")}>
              {t("contacts.erase")}
            </Button>
          </>
        }
      >
        <Text size={3}>
          {contact.phone}
          {contact.email ? ` · ${contact.email}` : ""}
        </Text>
        <Box>
          <StatusBadge tone={CONSENT_TONES[contact.whatsappConsent] ?? "neutral"}>{contact.whatsappConsent}</StatusBadge>
        </Box>
      </Section>
      <div className="ulak-split">
        <Section title={t("contacts.conversation")}>
          <Conversation messages={contact.conversation} />
          {windowOpen ? (
            <Box as="form" onSubmit={send} display="flex" flexDirection="column" gap={2}>
              <Field label={t("contacts.reply")} htmlFor="reply-text" hint={t("contacts.windowOpen", { until: formatDateTime(locale, contact.serviceWindowOpenUntil!) })}>
                <textarea id="reply-text" value={text} aria-describedby="reply-text-hint" onChange={(e) => setText(e.target.value)} />
              </Field>
              <Box>
                <Button type="submit" disabled={!text.trim() || reply.state.kind === "running"}>
                  {t("contacts.send")}
                </Button>
              </Box>
            </Box>
          ) : (
            <Text size={3} color="default2">
              {t("contacts.windowClosed")}
            </Text>
          )}
        </Section>
        <Section title={t("contacts.timeline")}>
          <ConsentTimeline events={contact.consentEvents} />
        </Section>
      </div>
      <AdminErrors errors={errors} />
      {failure && failure.kind === "error" && <ErrorState message={failure.message} />}
      <ConfirmDialog
        open={confirm === "export"}
        title={t("contacts.exportTitle")}
        body={<Text size={3}>{t("contacts.exportBody")}</Text>}
        confirmLabel={t("contacts.export")}
        onConfirm={doExport}
        onCancel={() => setConfirm(null)}
      />
      <ConfirmDialog
        open={confirm === "erase"}
        danger
        title={t("contacts.eraseTitle")}
        body={<Text size={3}>{t("contacts.eraseBody")}</Text>}
        confirmLabel={t("contacts.erase")}
        onConfirm={doErase}
        onCancel={() => setConfirm(null)}
      />
    </Box>
  );
}

export function ContactsPage() {
  const t = useT();
  const [draft, setDraft] = useState("");
  const [search, setSearch] = useState("");
  const [selected, setSelected] = useState<string | null>(null);
  const { state, reload } = useAdminQuery<{ contacts: Connection<ContactRow> }>(CONTACTS, { search: search || null, first: 50 });
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <form
        role="search"
        className="ulak-search"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(draft.trim());
          setSelected(null);
        }}
      >
        <label htmlFor="contact-search">{t("contacts.search")}</label>
        <div className="ulak-search-row">
          <input id="contact-search" type="search" value={draft} aria-describedby="contact-search-hint" onChange={(e) => setDraft(e.target.value)} />
          <Button type="submit">{t("contacts.searchButton")}</Button>
        </div>
        <span className="ulak-hint" id="contact-search-hint">
          {t("contacts.searchHint")}
        </span>
      </form>
      {state.kind === "loading" && <Loading />}
      {state.kind === "error" && <ErrorState message={state.message} onRetry={reload} />}
      {state.kind === "loaded" &&
        (state.data.contacts.edges.length === 0 ? (
          <Text size={3}>{t("contacts.none")}</Text>
        ) : (
          <table className="ulak-table">
            <caption className="ulak-visually-hidden">{t("page.contacts")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("contacts.phone")}</th>
                <th scope="col">{t("contacts.name")}</th>
                <th scope="col">{t("contacts.consent")}</th>
              </tr>
            </thead>
            <tbody>
              {state.data.contacts.edges.map(({ node }) => (
                <tr key={node.id}>
                  <td>
                    <button type="button" className="ulak-row-button" aria-pressed={selected === node.id} onClick={() => setSelected(node.id)}>
                      {node.phone}
                    </button>
                  </td>
                  <td>{node.name ?? "—"}</td>
                  <td>
                    <StatusBadge tone={CONSENT_TONES[node.whatsappConsent] ?? "neutral"}>{node.whatsappConsent}</StatusBadge>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {selected && (
        <ContactView
          key={selected}
          id={selected}
          onErased={() => {
            setSelected(null);
            reload();
          }}
        />
      )}
    </Box>
  );
}
