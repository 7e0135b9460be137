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

// --- from branch adminapi2 (contacts, consent, templates, test message; not merged yet) ----

const TEMPLATE_FIELDS = `id name language category status quality rejectedReason starterKey components updatedAt`;

const TEMPLATE_PROBLEMS = `problems { path code severity message messageTr }`;

export const TEMPLATES = `query UlakTemplates($first: Int) {
  templates(first: $first) { edges { node { ${TEMPLATE_FIELDS} } } }
}`;

export const SAVE_TEMPLATE_DRAFT = `mutation UlakSaveTemplateDraft($input: TemplateDraftInput!) {
  saveTemplateDraft(input: $input) { template { ${TEMPLATE_FIELDS} } ${ADMIN_ERRORS} ${TEMPLATE_PROBLEMS} }
}`;

export const SUBMIT_TEMPLATE = `mutation UlakSubmitTemplate($id: ID!) {
  submitTemplate(id: $id) { template { id status rejectedReason } ${ADMIN_ERRORS} }
}`;

export const INSTALL_STARTER_TEMPLATES = `mutation UlakInstallStarterTemplates($submit: Boolean!) {
  installStarterTemplates(submit: $submit) { templates { id name status } ${ADMIN_ERRORS} }
}`;

export const SEND_TEST_MESSAGE = `mutation UlakSendTestMessage($phone: String!, $templateId: ID, $text: String) {
  sendTestMessage(phone: $phone, templateId: $templateId, text: $text) { message { id status statusReason } ${ADMIN_ERRORS} }
}`;

const CONSENTS = `consents { purpose granted action at source }`;

export const CONTACTS = `query UlakContacts($search: String, $first: Int) {
  contacts(search: $search, first: $first) {
    edges { node { id phone firstName lastName email lastInboundAt ${CONSENTS} } }
  }
}`;

export const CONTACT = `query UlakContact($id: ID!) {
  contact(id: $id) {
    id phone firstName lastName email lastInboundAt serviceWindowOpen serviceWindowOpenUntil ${CONSENTS}
    consentTimeline { id purpose action source occurredAt textVersion }
  }
  conversation(contactId: $id, first: 50) {
    edges { node { id direction at text templateName kind status statusReason errorCode errorMessage } }
  }
}`;

export const SEND_SUPPORT_REPLY = `mutation UlakSendSupportReply($contactId: ID!, $text: String!) {
  sendSupportReply(contactId: $contactId, text: $text) { message { id status } ${ADMIN_ERRORS} }
}`;

export const EXPORT_CONTACT = `mutation UlakExportContact($id: ID!) {
  exportContact(id: $id) { export ${ADMIN_ERRORS} }
}`;

export const ERASE_CONTACT = `mutation UlakEraseContact($id: ID!) {
  eraseContact(id: $id, confirm: true) { contact { id } ${ADMIN_ERRORS} }
}`;

// --- from branch adminapi3: flows, segments, campaigns, dashboard ---------------------------

export const FLOWS = `query UlakFlows {
  flows { id key enabled channels steps { position delayMinutes templateName } funnel { entered sent delivered read clicked converted } }
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

export const CAMPAIGNS = `query UlakCampaigns($first: Int) {
  campaigns(first: $first) { edges { node { id name status scheduledAt recipients sent delivered read failed } } }
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
  SAVE_TEMPLATE_DRAFT,
  SUBMIT_TEMPLATE,
  INSTALL_STARTER_TEMPLATES,
  SEND_TEST_MESSAGE,
  CONTACTS,
  CONTACT,
  SEND_SUPPORT_REPLY,
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
 * TODO(adminapi2, written against its SDL, not merged yet): templates, saveTemplateDraft,
 *   submitTemplate, installStarterTemplates, sendTestMessage, contacts, contact (+ conversation),
 *   sendSupportReply, exportContact, eraseContact.
 * Remove an entry once its operation is in graphql/admin.graphql (the test then validates it).
 */
export const PENDING: Partial<Record<DocumentName, string>> = {
  TEMPLATES: "Query.templates",
  SAVE_TEMPLATE_DRAFT: "Mutation.saveTemplateDraft",
  SUBMIT_TEMPLATE: "Mutation.submitTemplate",
  INSTALL_STARTER_TEMPLATES: "Mutation.installStarterTemplates",
  SEND_TEST_MESSAGE: "Mutation.sendTestMessage",
  CONTACTS: "Query.contacts",
  CONTACT: "Query.contact",
  SEND_SUPPORT_REPLY: "Mutation.sendSupportReply",
  EXPORT_CONTACT: "Mutation.exportContact",
  ERASE_CONTACT: "Mutation.eraseContact",
};
