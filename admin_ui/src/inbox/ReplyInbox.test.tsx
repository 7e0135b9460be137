import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderWithApi } from "../test/render";
import { ReplyInbox } from "./ReplyInbox";

const thread = (id: string, firstName: string, text: string, answered: boolean) => ({
  contact: { id, firstName, lastName: null, phone: "+905320000000", serviceWindowOpenUntil: "2026-03-02T12:00:00+00:00" },
  lastMessageAt: "2026-03-01T12:00:00+00:00",
  lastMessageText: text,
  lastMessageType: "text",
  buttonPayload: null,
  answered,
});
const INBOX = { total: 2, unanswered: 1, threads: [thread("2", "Mehmet", "Beden değişimi?", false), thread("1", "Ayşe", "Kargom nerede?", true)] };

describe("ReplyInbox", () => {
  it("lists the waiting customer first and sends the typed answer as a service reply", async () => {
    const sent: Record<string, unknown>[] = [];
    renderWithApi(<ReplyInbox />, (query, variables) => {
      if (query.includes("UlakSendSupportReply")) {
        sent.push(variables);
        return { sendSupportReply: { message: { id: "outbound:9", status: "SCHEDULED" }, errors: [] } };
      }
      if (query.includes("UlakThread")) return { conversation: { edges: [{ node: { id: "inbound:1", direction: "INBOUND", at: "2026-03-01T12:00:00+00:00", text: "Beden değişimi?", templateName: null, kind: null, status: null, statusReason: null, statusReasonText: null, errorCode: null, errorMessage: null } }], pageInfo: { hasNextPage: false, endCursor: null } } };
      return { replyInbox: INBOX };
    });
    const list = await screen.findByTestId("reply-inbox");
    const rows = within(list).getAllByRole("button");
    expect(rows[0]!.textContent).toContain("Mehmet");
    expect(rows[0]!.textContent).toContain("Waiting for an answer");
    expect(rows[1]!.textContent).toContain("Answered");
    expect(screen.getByText("1 waiting for an answer · 2 in the last 24 hours")).toBeTruthy();
    await userEvent.click(rows[0]!);
    await userEvent.type(await screen.findByLabelText("Your answer"), "Evet, değişim ücretsiz.");
    await userEvent.click(screen.getByRole("button", { name: "Send answer" }));
    await waitFor(() => expect(sent).toEqual([{ contactId: "2", text: "Evet, değişim ücretsiz." }]));
    expect(await screen.findByText("Answer queued: it goes out in a few seconds.")).toBeTruthy();
    // the box is emptied once sent, and typing again takes the confirmation away
    expect(screen.getByLabelText("Your answer")).toHaveProperty("value", "");
    await userEvent.type(screen.getByLabelText("Your answer"), "B");
    expect(screen.queryByText("Answer queued: it goes out in a few seconds.")).toBeNull();
  });

  it("shows the closed-window refusal in Turkish", async () => {
    renderWithApi(
      <ReplyInbox />,
      (query) => {
        if (query.includes("UlakSendSupportReply")) return { sendSupportReply: { message: null, errors: [{ field: "contactId", code: "WINDOW_CLOSED", message: "Closed.", messageTr: "Pencere kapandı." }] } };
        if (query.includes("UlakThread")) return { conversation: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } } };
        return { replyInbox: INBOX };
      },
      "tr",
    );
    const list = await screen.findByTestId("reply-inbox");
    await userEvent.click(within(list).getAllByRole("button")[0]!);
    await userEvent.type(await screen.findByLabelText("Yanıtınız"), "Merhaba");
    await userEvent.click(screen.getByRole("button", { name: "Yanıtı gönder" }));
    expect(await screen.findByText("Pencere kapandı.")).toBeTruthy();
  });

  it("says so when nobody wrote in the last 24 hours", async () => {
    renderWithApi(<ReplyInbox />, () => ({ replyInbox: { total: 0, unanswered: 0, threads: [] } }));
    expect(await screen.findByText("No customer wrote in the last 24 hours.")).toBeTruthy();
  });
});
