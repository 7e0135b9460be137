/**
 * The replies inbox: customers who wrote in the last 24 hours (their service window), the
 * unanswered first (`replyInbox`), each opening its conversation (`conversation`) with a reply
 * box that sends a service reply (`sendSupportReply`, refused with WINDOW_CLOSED once the
 * window has closed). Nothing here decides who is waiting: the API's query does.
 */
import { Box, Button, Text, Textarea } from "@saleor/macaw-ui";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { REPLY_INBOX, SEND_SUPPORT_REPLY, THREAD } from "../api/queries";
import { useAdminMutation, useAdminQuery } from "../api/useAdmin";
import { useOnEdit } from "../components/formFields";
import { AdminErrors, ErrorState, Loading, Section, StatusBadge, type AdminError } from "../components/ui";
import { formatCount, formatDateTime, useLocale, useT } from "../i18n";
import { Conversation, type MessageRow } from "../pages/ContactsPage";
import type { Connection, Payload } from "../pages/types";
import "./inbox.css";

export interface ReplyThread {
  contact: { id: string; firstName: string | null; lastName: string | null; phone: string | null; serviceWindowOpenUntil: string | null };
  lastMessageAt: string;
  lastMessageText: string | null;
  lastMessageType: string | null;
  buttonPayload: string | null;
  answered: boolean;
}
interface Inbox {
  total: number;
  unanswered: number;
  threads: ReplyThread[];
}

function useName() {
  const t = useT();
  return (c: ReplyThread["contact"]) => [c.firstName, c.lastName].filter(Boolean).join(" ") || t("inbox.unknown", { phone: c.phone ?? "" });
}

/** One conversation and its reply box; the reply's text is react-hook-form's, emptied once sent. */
function Thread({ thread, onSent, onClose }: { thread: ReplyThread; onSent: () => void; onClose: () => void }) {
  const t = useT();
  const name = useName()(thread.contact);
  const { register, handleSubmit, watch, reset } = useForm<{ text: string }>({ defaultValues: { text: "" } });
  // macaw-ui floats its label only over a field that has a value, so the reply box stays controlled.
  const text = watch("text");
  const [errors, setErrors] = useState<AdminError[]>([]);
  const [sent, setSent] = useState(false);
  useOnEdit(watch, () => setSent(false)); // typing again takes "Sent." away
  const convo = useAdminQuery<{ conversation: Connection<MessageRow> }>(THREAD, { id: thread.contact.id });
  const reply = useAdminMutation<{ sendSupportReply: Payload }>(SEND_SUPPORT_REPLY);
  const send = handleSubmit(async (values) => {
    const data = await reply.run({ contactId: thread.contact.id, text: values.text });
    const errs = data?.sendSupportReply.errors ?? [];
    setErrors(errs);
    if (data && errs.length === 0) {
      reset();
      setSent(true);
      convo.reload();
      onSent();
    }
  });
  return (
    <Section title={t("inbox.thread", { name })} actions={<Button variant="secondary" onClick={onClose}>{t("inbox.close")}</Button>}>
      {convo.state.kind === "loading" && <Loading />}
      {convo.state.kind === "error" && <ErrorState message={convo.state.message} onRetry={convo.reload} />}
      {convo.state.kind === "loaded" && <Conversation messages={convo.state.data.conversation.edges.map((e) => e.node).reverse()} />}
      <Box as="form" onSubmit={send} display="flex" flexDirection="column" gap={2}>
        <Textarea label={t("inbox.reply")} value={text} {...register("text")} rows={3} id="inbox-reply" />
        <AdminErrors errors={errors} />
        {reply.state.kind === "error" && <ErrorState message={reply.state.message} />}
        <Box display="flex" gap={3} alignItems="center" flexWrap="wrap">
          <Button type="submit" disabled={reply.state.kind === "running" || text.trim() === ""}>
            {reply.state.kind === "running" ? t("inbox.sending") : t("inbox.send")}
          </Button>
          <span role="status" aria-live="polite">
            {sent && (
              <Text size={3} color="success1">
                {t("inbox.sent")}
              </Text>
            )}
          </span>
        </Box>
      </Box>
    </Section>
  );
}

function Preview({ thread }: { thread: ReplyThread }) {
  const t = useT();
  if (thread.lastMessageText) return <>{thread.lastMessageText}</>;
  if (thread.buttonPayload) return <>{t("inbox.button", { payload: thread.buttonPayload })}</>;
  return <>{t("inbox.media", { type: thread.lastMessageType ?? "?" })}</>;
}

export function ReplyInbox() {
  const t = useT();
  const locale = useLocale();
  const name = useName();
  const { state, reload } = useAdminQuery<{ replyInbox: Inbox }>(REPLY_INBOX);
  const [open, setOpen] = useState<string | null>(null);
  if (state.kind === "loading") return <Loading />;
  if (state.kind === "error") return <ErrorState message={state.message} onRetry={reload} />;
  const inbox = state.data.replyInbox;
  const current = inbox.threads.find((th) => th.contact.id === open) ?? null;
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <Text as="p" size={3}>
        {t("inbox.about")}
      </Text>
      {inbox.total === 0 ? (
        <Section title={t("inbox.empty")}>
          <Text size={3}>{t("inbox.emptyHint")}</Text>
        </Section>
      ) : (
        <div className="ulak-split">
          <Section title={t("inbox.counts", { unanswered: formatCount(locale, inbox.unanswered), total: formatCount(locale, inbox.total) })}>
            <ul className="ulak-inbox" data-testid="reply-inbox">
              {inbox.threads.map((th) => (
                <li key={th.contact.id}>
                  {/* named by what it shows (name, status, message, time), as a voice user reads it */}
                  <button type="button" className="ulak-inbox-row" aria-pressed={th.contact.id === open} onClick={() => setOpen(th.contact.id)}>
                    <span className="ulak-inbox-head">
                      <Text size={4} fontWeight="bold">
                        {name(th.contact)}
                      </Text>
                      <StatusBadge tone={th.answered ? "success" : "warning"}>{th.answered ? t("inbox.answered") : t("inbox.waiting")}</StatusBadge>
                    </span>
                    <Text size={3} className="ulak-inbox-text">
                      <Preview thread={th} />
                    </Text>
                    <Text size={2} color="default2">
                      <time dateTime={th.lastMessageAt}>{formatDateTime(locale, th.lastMessageAt)}</time>
                      {th.contact.serviceWindowOpenUntil && ` · ${t("inbox.closesAt", { when: formatDateTime(locale, th.contact.serviceWindowOpenUntil) })}`}
                    </Text>
                  </button>
                </li>
              ))}
            </ul>
          </Section>
          {current && <Thread key={current.contact.id} thread={current} onSent={reload} onClose={() => setOpen(null)} />}
        </div>
      )}
    </Box>
  );
}
