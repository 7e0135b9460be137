/** Contacts: search; one contact's consent timeline and conversation; reply, export and erase. */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { CONTACT, ERASE_CONTACT, EXPORT_CONTACT, SEND_SUPPORT_REPLY } from "../api/queries";
import { useAdminMutation, useAdminQuery } from "../api/useAdmin";
import { type AdminError, AdminErrors, ConfirmDialog, ErrorState, Loading, Section, StatusBadge, TextAreaField } from "../components/ui";
import { formatDateTime, useCode, useLocale, useT } from "../i18n";
import { useReasons, type ReasonText } from "../messages/reasons";
import { ConsentTools } from "../contacts/ConsentTools";
import { ContactList, fullName } from "../contacts/ContactList";
import { ProfileFigures, RecordConsentForm, type Spend } from "../contacts/ContactProfile";
import { useContactRoute } from "../contacts/route";
import type { Connection, Payload } from "./types";

export interface ConsentState {
  purpose: "MARKETING" | "TRANSACTIONAL";
  granted: boolean;
  action: string | null;
  at: string | null;
  source: string | null;
}

interface ContactRow {
  id: string;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  lastInboundAt: string | null;
  consents: ConsentState[];
}

export interface ConsentEventRow {
  id: string;
  purpose: string;
  action: string;
  source: string;
  occurredAt: string;
  textVersion: string | null;
}

export interface MessageRow {
  id: string;
  direction: "INBOUND" | "OUTBOUND";
  at: string;
  text: string | null;
  templateName: string | null;
  kind: string | null;
  status: string | null;
  statusReason: string | null;
  statusReasonText?: ReasonText | null;
  errorCode: number | null;
  errorMessage: string | null;
  /** Still waiting: when it may go (a message held for the plan's quota: next month). */
  dueAt?: string | null;
}

interface ContactDetail extends ContactRow, Spend {
  serviceWindowOpen: boolean;
  serviceWindowOpenUntil: string | null;
  consentTimeline: ConsentEventRow[];
}


/** The marketing consent as a badge: granted, or the last action (REVOKED, LAPSED…), or none. */
export function ConsentBadge({ consents }: { consents: ConsentState[] }) {
  const t = useT();
  const code = useCode();
  const marketing = consents.find((c) => c.purpose === "MARKETING");
  if (marketing?.granted) return <StatusBadge tone="success">{t("consent.granted")}</StatusBadge>;
  if (marketing?.action) return <StatusBadge tone={marketing.action === "REVOKED" ? "critical" : "warning"}>{code("ConsentAction", marketing.action)}</StatusBadge>;
  return <StatusBadge tone="neutral">{t("consent.none")}</StatusBadge>;
}

export function ConsentTimeline({ events }: { events: ConsentEventRow[] }) {
  const t = useT();
  const code = useCode();
  const locale = useLocale();
  if (events.length === 0) return <Text size={3}>{t("contacts.noConsent")}</Text>;
  return (
    <ol className="ulak-timeline" aria-label={t("contacts.timeline")}>
      {events.map((e) => (
        <li key={e.id}>
          <Text size={3} fontWeight="bold">
            {code("ConsentAction", e.action)} · {code("ConsentPurpose", e.purpose)}
          </Text>{" "}
          <Text size={2} color="default2">
            <time dateTime={e.occurredAt}>{formatDateTime(locale, e.occurredAt)}</time> · {code("ConsentSource", e.source)}
          </Text>
          {e.textVersion && (
            <Text as="p" size={2} color="default2">
              {t("contacts.textVersion", { version: e.textVersion })}
            </Text>
          )}
        </li>
      ))}
    </ol>
  );
}

export function Conversation({ messages }: { messages: MessageRow[] }) {
  const t = useT();
  const code = useCode();
  const reasons = useReasons();
  const locale = useLocale();
  if (messages.length === 0) return <Text size={3}>{t("contacts.noMessages")}</Text>;
  return (
    // tabIndex: it scrolls, so a keyboard user must be able to reach and scroll it too
    <ol className="ulak-chat" aria-label={t("contacts.conversation")} tabIndex={0} style={{ listStyle: "none", margin: 0 }}>
      {messages.map((m) => (
        <li key={m.id} className={m.direction === "OUTBOUND" ? "ulak-chat-msg ulak-chat-out" : "ulak-chat-msg"}>
          <span className="ulak-visually-hidden">{m.direction === "OUTBOUND" ? t("contacts.us") : t("contacts.them")}: </span>
          <span className="ulak-chat-text">
            {m.text ?? (m.templateName ? t("contacts.templateMessage", { name: m.templateName }) : "")}
          </span>
          <div className="ulak-chat-meta">
            {m.text && m.templateName && <>{t("contacts.templateMessage", { name: m.templateName })} · </>}
            <time dateTime={m.at}>{formatDateTime(locale, m.at)}</time>
            {m.status && ` · ${code("MessageStatus", m.status)}`}
            {m.statusReason && ` · ${t(m.status === "SCHEDULED" || m.status === "QUEUED" ? (m.dueAt ? "contacts.deferredUntil" : "contacts.deferred") : m.status === "FAILED" ? "contacts.failed" : "contacts.skipped", { reason: reasons(m.statusReason, m.statusReasonText).text, date: m.dueAt ? formatDateTime(locale, m.dueAt) : "" })}`}
            {!m.statusReason && m.errorMessage && ` · ${t("contacts.failed", { reason: m.errorMessage })}`}
          </div>
        </li>
      ))}
    </ol>
  );
}

function ContactView({ id, onErased }: { id: string; onErased: () => void }) {
  const t = useT();
  const locale = useLocale();
  const { state, reload } = useAdminQuery<{ contact: ContactDetail | null; conversation: Connection<MessageRow> }>(CONTACT, { id });
  const reply = useAdminMutation<{ sendSupportReply: Payload }>(SEND_SUPPORT_REPLY);
  const exporter = useAdminMutation<{ exportContact: Payload & { export: unknown } }>(EXPORT_CONTACT);
  const eraser = useAdminMutation<{ eraseContact: Payload }>(ERASE_CONTACT);
  const [text, setText] = useState("");
  const [errors, setErrors] = useState<AdminError[]>([]);
  const [confirm, setConfirm] = useState<"export" | "erase" | null>(null);

  if (state.kind === "loading") return <Loading />;
  if (state.kind === "error") return <ErrorState message={state.message} onRetry={reload} />;
  const contact = state.data.contact;
  if (!contact) return <Text size={3}>{t("page.empty")}</Text>;
  const windowOpen = contact.serviceWindowOpen && contact.serviceWindowOpenUntil !== null;
  // The API lists newest first; a chat reads oldest first.
  const messages = state.data.conversation.edges.map((e) => e.node).reverse();

  const doExport = async () => {
    setConfirm(null);
    const data = await exporter.run({ id });
    setErrors(data?.exportContact.errors ?? []);
    const exported = data?.exportContact.export;
    if (exported) {
      const url = URL.createObjectURL(new Blob([JSON.stringify(exported, null, 2)], { type: "application/json" }));
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
    const data = await reply.run({ contactId: id, text });
    setErrors(data?.sendSupportReply.errors ?? []);
    if (data && data.sendSupportReply.errors.length === 0) {
      setText("");
      reload();
    }
  };
  const failure = [reply.state, exporter.state, eraser.state].find((s) => s.kind === "error");
  return (
    <Box display="flex" flexDirection="column" gap={4} data-testid="contact-detail">
      <Box as="a" href="#/contacts" color="accent1">
        {t("contacts.back")}
      </Box>
      <Section
        title={fullName(contact) || contact.phone || id}
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
        <Box display="flex" gap={2} alignItems="center">
          <Text size={3} color="default2">
            {t("contacts.consent")}
          </Text>
          <ConsentBadge consents={contact.consents} />
        </Box>
      </Section>
      <ProfileFigures id={id} spend={contact} />
      <div className="ulak-split">
        <Section title={t("contacts.conversation")}>
          <Conversation messages={messages} />
          {windowOpen ? (
            <Box as="form" onSubmit={send} display="flex" flexDirection="column" gap={2}>
              <TextAreaField label={t("contacts.reply")} hint={t("contacts.windowOpen", { until: formatDateTime(locale, contact.serviceWindowOpenUntil!) })} id="reply-text" value={text} aria-describedby="reply-text-hint" onChange={(e) => setText(e.target.value)} />
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
          <ConsentTimeline events={contact.consentTimeline} />
        </Section>
      </div>
      <RecordConsentForm contactId={id} onRecorded={reload} />
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

/** The list (with consent tools), or a profile on its own route (#/contacts/:id). */
export function ContactsPage() {
  const id = useContactRoute();
  const [version, setVersion] = useState(0);
  if (id) return <ContactView key={id} id={id} onErased={() => (window.location.hash = "#/contacts")} />;
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <ContactList key={version} />
      <ConsentTools onChanged={() => setVersion((v) => v + 1)} />
    </Box>
  );
}
