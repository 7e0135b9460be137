/** Which component draws which page. */
import type { ComponentType } from "react";
import { CampaignsPage } from "./CampaignsPage";
import { ContactsPage } from "./ContactsPage";
import { DashboardPage } from "./DashboardPage";
import { FlowsPage } from "./FlowsPage";
import { InboxPage } from "./InboxPage";
import { OnboardingPage } from "./OnboardingPage";
import type { PageId } from "./pages";
import { SegmentsPage } from "./SegmentsPage";
import { SettingsPage } from "./SettingsPage";
import { TemplatesPage } from "./TemplatesPage";

const PAGE_COMPONENTS: Record<PageId, ComponentType> = {
  onboarding: OnboardingPage,
  dashboard: DashboardPage,
  inbox: InboxPage,
  templates: TemplatesPage,
  flows: FlowsPage,
  segments: SegmentsPage,
  campaigns: CampaignsPage,
  contacts: ContactsPage,
  settings: SettingsPage,
};

export function PageView({ page }: { page: PageId }) {
  const Page = PAGE_COMPONENTS[page];
  return <Page />;
}
