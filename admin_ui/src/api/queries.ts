/**
 * Every admin API document the UI sends, in one place. `src/api/schema.test.ts` validates
 * each one against the exported SDL (graphql/admin.graphql) so a renamed field fails the
 * build, not the merchant.
 *
 * Documents whose root field the SDL does not have yet are listed in PENDING with the
 * operation they wait for. Their pages send them anyway and show the API's honest error
 * until the backend lands; the schema test validates them as soon as the root field exists.
 */

const ADMIN_ERRORS = `errors { field code message messageTr }`;

const ACCOUNT_FIELDS = `id phoneNumberId wabaId displayPhone isSandbox isDefault status statusReason qualityRating messagingLimitTier sentThisMonth createdAt`;

const SETTINGS_FIELDS = `timezone defaultRegion defaultLocale quietHoursStart quietHoursEnd quietHoursTransactional marketingCap24h marketingCap7d recoveryPauseAfterOrderHours optoutKeywords optinKeywords resumeKeywords updatedAt`;

const USAGE_FIELDS = `plan monthlyQuota usedThisMonth remaining periodStart priceTry`;

// --- in graphql/admin.graphql on main -------------------------------------------------------

export const ONBOARDING = `query UlakOnboarding {
  store { name domain status plan }
  whatsappAccounts { ${ACCOUNT_FIELDS} }
}`;

export const CONNECT_WHATSAPP = `mutation UlakConnectWhatsApp($input: ConnectWhatsAppInput!) {
  connectWhatsApp(input: $input) { account { ${ACCOUNT_FIELDS} } ${ADMIN_ERRORS} }
}`;

export const DISCONNECT_WHATSAPP = `mutation UlakDisconnectWhatsApp($id: ID!) {
  disconnectWhatsApp(id: $id) { account { id status } ${ADMIN_ERRORS} }
}`;

export const SETTINGS = `query UlakSettings {
  storeSettings { ${SETTINGS_FIELDS} }
  planUsage { ${USAGE_FIELDS} }
}`;

export const UPDATE_SETTINGS = `mutation UlakUpdateSettings($input: StoreSettingsInput!) {
  updateStoreSettings(input: $input) { settings { ${SETTINGS_FIELDS} } ${ADMIN_ERRORS} }
}`;

export const CHANGE_PLAN = `mutation UlakChangePlan($plan: Plan!) {
  changePlan(plan: $plan) { usage { ${USAGE_FIELDS} } ${ADMIN_ERRORS} }
}`;

// --- expected from branch adminapi2 (contacts, consent, templates, test message) ------------

const TEMPLATE_FIELDS = `id name language category status quality rejectedReason starterKey components updatedAt`;

export const TEMPLATES = `query UlakTemplates($first: Int) {
  templates(first: $first) { edges { node { ${TEMPLATE_FIELDS} } } }
}`;

export const CREATE_TEMPLATE = `mutation UlakCreateTemplate($input: TemplateInput!) {
  createTemplate(input: $input) { template { ${TEMPLATE_FIELDS} } ${ADMIN_ERRORS} }
}`;

export const SUBMIT_TEMPLATE = `mutation UlakSubmitTemplate($id: ID!) {
  submitTemplate(id: $id) { template { id status rejectedReason } ${ADMIN_ERRORS} }
}`;

export const INSTALL_STARTER_TEMPLATES = `mutation UlakInstallStarterTemplates {
  installStarterTemplates { templates { id name status } ${ADMIN_ERRORS} }
}`;

export const SEND_TEST_MESSAGE = `mutation UlakSendTestMessage($input: SendTestMessageInput!) {
  sendTestMessage(input: $input) { message { id status } ${ADMIN_ERRORS} }
}`;

export const CONTACTS = `query UlakContacts($search: String, $first: Int) {
  contacts(search: $search, first: $first) {
    edges { node { id phone name email whatsappConsent lastInboundAt } }
  }
}`;

export const CONTACT = `query UlakContact($id: ID!) {
  contact(id: $id) {
    id phone name email whatsappConsent serviceWindowOpenUntil
    consentEvents { id purpose action source occurredAt note }
    conversation { id direction text templateName status skipReason failureReason occurredAt }
  }
}`;

export const REPLY_TO_CONTACT = `mutation UlakReplyToContact($id: ID!, $text: String!) {
  replyToContact(id: $id, text: $text) { message { id status } ${ADMIN_ERRORS} }
}`;

export const EXPORT_CONTACT = `mutation UlakExportContact($id: ID!) {
  exportContact(id: $id) { json ${ADMIN_ERRORS} }
}`;

export const ERASE_CONTACT = `mutation UlakEraseContact($id: ID!) {
  eraseContact(id: $id) { ${ADMIN_ERRORS} }
}`;

// --- expected later: flows, segments, campaigns, dashboard ----------------------------------

export const FLOWS = `query UlakFlows {
  flows { id key enabled channel steps { position delayMinutes templateName } funnel { entered sent delivered read clicked converted } }
}`;

export const SET_FLOW_ENABLED = `mutation UlakSetFlowEnabled($id: ID!, $enabled: Boolean!) {
  setFlowEnabled(id: $id, enabled: $enabled) { flow { id enabled } ${ADMIN_ERRORS} }
}`;

export const SEGMENTS = `query UlakSegments {
  segments { id name rule contactCount }
}`;

export const SEGMENT_PREVIEW = `query UlakSegmentPreview($rule: JSON!) {
  segmentPreview(rule: $rule) { count sample { id phone name } }
}`;

export const CAMPAIGNS = `query UlakCampaigns {
  campaigns { id name status scheduledAt recipients sent delivered read failed }
}`;

export const DASHBOARD = `query UlakDashboard($days: Int!) {
  dashboardMetrics(days: $days) {
    daily { date sent delivered read clicked replied optedOut revenue cost }
    topSkipReasons { reason count }
    topFailureReasons { reason count }
  }
}`;

/** All documents, by a stable name (the schema test walks this). */
export const DOCUMENTS = {
  ONBOARDING,
  CONNECT_WHATSAPP,
  DISCONNECT_WHATSAPP,
  SETTINGS,
  UPDATE_SETTINGS,
  CHANGE_PLAN,
  TEMPLATES,
  CREATE_TEMPLATE,
  SUBMIT_TEMPLATE,
  INSTALL_STARTER_TEMPLATES,
  SEND_TEST_MESSAGE,
  CONTACTS,
  CONTACT,
  REPLY_TO_CONTACT,
  EXPORT_CONTACT,
  ERASE_CONTACT,
  FLOWS,
  SET_FLOW_ENABLED,
  SEGMENTS,
  SEGMENT_PREVIEW,
  CAMPAIGNS,
  DASHBOARD,
} as const;

export type DocumentName = keyof typeof DOCUMENTS;

/**
 * Documents waiting for their operation in the SDL, with the root field they need.
 * TODO(adminapi2): templates, createTemplate, submitTemplate, installStarterTemplates,
 *   sendTestMessage, contacts, contact, replyToContact, exportContact, eraseContact.
 * TODO(flows): flows, setFlowEnabled. TODO(campaigns): segments, segmentPreview, campaigns.
 * TODO(analytics): dashboardMetrics.
 * Remove an entry once its operation is in graphql/admin.graphql (the test then validates it).
 */
export const PENDING: Partial<Record<DocumentName, string>> = {
  TEMPLATES: "Query.templates",
  CREATE_TEMPLATE: "Mutation.createTemplate",
  SUBMIT_TEMPLATE: "Mutation.submitTemplate",
  INSTALL_STARTER_TEMPLATES: "Mutation.installStarterTemplates",
  SEND_TEST_MESSAGE: "Mutation.sendTestMessage",
  CONTACTS: "Query.contacts",
  CONTACT: "Query.contact",
  REPLY_TO_CONTACT: "Mutation.replyToContact",
  EXPORT_CONTACT: "Mutation.exportContact",
  ERASE_CONTACT: "Mutation.eraseContact",
  FLOWS: "Query.flows",
  SET_FLOW_ENABLED: "Mutation.setFlowEnabled",
  SEGMENTS: "Query.segments",
  SEGMENT_PREVIEW: "Query.segmentPreview",
  CAMPAIGNS: "Query.campaigns",
  DASHBOARD: "Query.dashboardMetrics",
};
