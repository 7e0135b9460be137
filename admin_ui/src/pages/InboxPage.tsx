/** The replies inbox page (src/inbox). */
import { ReplyInbox } from "../inbox/ReplyInbox";

export function InboxPage() {
  return <ReplyInbox />;
}
