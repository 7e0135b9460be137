/**
 * The admin API documents each page calls. The backend schema (graphql/admin.graphql) is
 * being written alongside this UI: these names are the intended ones and must be checked
 * against the exported SDL once it lands. Until then a page shows the API's real answer —
 * data, or the error it returns — and never invented data.
 */
import type { PageId } from "../pages/pages";

export const PAGE_QUERIES: Record<PageId, string> = {
  onboarding: `query UlakOnboarding { onboarding { steps { key done } } }`,
  dashboard: `query UlakDashboard { dashboardStats { sent delivered read clicked } }`,
  templates: `query UlakTemplates { templates { id name language category status } }`,
  flows: `query UlakFlows { flows { id kind enabled } }`,
  segments: `query UlakSegments { segments { id name } }`,
  campaigns: `query UlakCampaigns { campaigns { id name status } }`,
  contacts: `query UlakContacts { contacts(first: 20) { id } }`,
  settings: `query UlakSettings { settings { quietHoursStart quietHoursEnd } }`,
};

export const SEGMENT_PREVIEW = `query UlakSegmentPreview($rule: JSON!) { segmentPreview(rule: $rule) { count } }`;
