export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** Date (isoformat) */
  Date: { input: string; output: string; }
  /** Date with time (isoformat) */
  DateTime: { input: string; output: string; }
  /** The `JSON` scalar type represents JSON values as specified by [ECMA-404](https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf). */
  JSON: { input: unknown; output: unknown; }
};

export type AbMetric =
  | 'CLICK'
  | 'REPLY';

/** One problem with the input; `field` is null for the whole input. */
export type AdminError = {
  code: AdminErrorCode;
  field: Maybe<Scalars['String']['output']>;
  /** In English. */
  message: Scalars['String']['output'];
  /** In Turkish. */
  messageTr: Scalars['String']['output'];
};

/** Why an input was refused (add members for new rules). */
export type AdminErrorCode =
  | 'AUDIENCE_TOO_COSTLY'
  | 'CONFIRMATION_REQUIRED'
  | 'CREDENTIALS_REJECTED'
  | 'DAILY_TIER_EXCEEDED'
  | 'FUTURE_DATE'
  | 'GRAPH_UNREACHABLE'
  | 'INVALID'
  | 'INVALID_CAMPAIGN'
  | 'INVALID_PHONE'
  | 'INVALID_RULE'
  | 'INVALID_TRANSITION'
  | 'META_REJECTED'
  | 'NOT_ALLOWED'
  | 'NOT_FOUND'
  | 'NOT_STAFF_NUMBER'
  | 'OUT_OF_RANGE'
  | 'PLAN_LIMIT'
  | 'REQUIRED'
  | 'TEST_SEND_REQUIRED'
  | 'UNIQUE'
  | 'WINDOW_CLOSED';

/** What a report is grouped by (MONTH: the cost report only). */
export type AnalyticsDimension =
  | 'CAMPAIGN'
  | 'FLOW'
  | 'FLOW_STEP'
  | 'MONTH'
  | 'TEMPLATE'
  | 'VARIANT';

export type AnalyticsExport =
  | 'COST'
  | 'DAILY'
  | 'FUNNEL'
  | 'PERFORMANCE';

/** A contact in a preview; the phone is masked. */
export type AudienceContact = {
  country: Maybe<Scalars['String']['output']>;
  firstName: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  lastName: Maybe<Scalars['String']['output']>;
  lastOrderAt: Maybe<Scalars['DateTime']['output']>;
  locale: Maybe<Scalars['String']['output']>;
  name: Maybe<Scalars['String']['output']>;
  ordersCount: Maybe<Scalars['Int']['output']>;
  phone: Maybe<Scalars['String']['output']>;
};

/** META: the WABA's currency read from the Graph API; SETTING: Meta not read yet, the store's cost currency setting stands in. */
export type BillingCurrencySource =
  | 'META'
  | 'SETTING';

export type BuiltinSegment = {
  key: Scalars['String']['output'];
  label: Scalars['String']['output'];
  labelTr: Scalars['String']['output'];
};

export type Campaign = {
  abDecideAfterHours: Scalars['Int']['output'];
  abMetric: AbMetric;
  builtinSegment: Maybe<Scalars['String']['output']>;
  cancelledAt: Maybe<Scalars['DateTime']['output']>;
  completedAt: Maybe<Scalars['DateTime']['output']>;
  costCurrency: Maybe<Scalars['String']['output']>;
  counts: CampaignCounts;
  createdAt: Scalars['DateTime']['output'];
  /** Delivered or read. */
  delivered: Scalars['Int']['output'];
  estimatedCost: Maybe<Scalars['String']['output']>;
  estimatedMessages: Maybe<Scalars['Int']['output']>;
  failed: Scalars['Int']['output'];
  /** Lift against the holdout (a few queries: ask per campaign). */
  holdoutLift: CampaignHoldoutLift;
  holdoutPercent: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  launchedAt: Maybe<Scalars['DateTime']['output']>;
  localDate: Maybe<Scalars['String']['output']>;
  localTime: Maybe<Scalars['String']['output']>;
  /** Each variant rendered by the one message builder. */
  messagePreviews: Array<CampaignMessagePreview>;
  name: Scalars['String']['output'];
  read: Scalars['Int']['output'];
  /** Snapshotted at start (0 before). */
  recipients: Scalars['Int']['output'];
  /** Null before the campaign starts (ask per campaign). */
  results: Maybe<CampaignResults>;
  rule: Maybe<Scalars['JSON']['output']>;
  /** When `send_mode` is AT. */
  scheduledAt: Maybe<Scalars['DateTime']['output']>;
  segmentId: Maybe<Scalars['ID']['output']>;
  sendMode: CampaignSendMode;
  /** Sent, delivered or read. */
  sent: Scalars['Int']['output'];
  startedAt: Maybe<Scalars['DateTime']['output']>;
  status: CampaignStatus;
  testSentAt: Maybe<Scalars['DateTime']['output']>;
  updatedAt: Scalars['DateTime']['output'];
  variants: Array<CampaignVariant>;
  winnerVariant: Maybe<Scalars['String']['output']>;
};

export type CampaignConnection = {
  edges: Array<CampaignEdge>;
  pageInfo: PageInfo;
};

/** A campaign's messages by outcome: the list and the live panel both read these (plugin/campaigns/progress.py; one grouped query per page). */
export type CampaignCounts = {
  cancelled: Scalars['Int']['output'];
  /** Delivered or read. */
  delivered: Scalars['Int']['output'];
  failed: Scalars['Int']['output'];
  /** Final: sent, skipped, failed or cancelled. */
  handled: Scalars['Int']['output'];
  /** Held by a pause; released on resume. */
  held: Scalars['Int']['output'];
  /** Not final yet: waiting, queued or in flight. */
  queued: Scalars['Int']['output'];
  /** Waiting for the end of quiet hours. */
  quietHours: Scalars['Int']['output'];
  read: Scalars['Int']['output'];
  /** Sent, delivered or read. */
  sent: Scalars['Int']['output'];
  /** Not sent by policy (consent, caps...). */
  skipped: Scalars['Int']['output'];
  /** When the next message goes out if none can go before: a scheduled campaign's start, or the earliest end of quiet hours when every waiting message waits for it. Null while messages are going out. */
  startsAt: Maybe<Scalars['DateTime']['output']>;
  /** Recipients minus the holdout: the messages the campaign means to send. */
  toSend: Scalars['Int']['output'];
};

export type CampaignEdge = {
  cursor: Scalars['String']['output'];
  node: Campaign;
};

export type CampaignEstimate = {
  audience: Scalars['Int']['output'];
  /** The currency Meta bills the account in (ISO 4217). */
  billingCurrency: Scalars['String']['output'];
  /** When Meta's answer was read; null with source SETTING. */
  billingCurrencyReadAt: Maybe<Scalars['DateTime']['output']>;
  billingCurrencySource: BillingCurrencySource;
  byCountry: Scalars['JSON']['output'];
  consented: Scalars['Int']['output'];
  cost: Scalars['String']['output'];
  costCurrency: Scalars['String']['output'];
  /** Only when the merchant set a dated exchange rate (setExchangeRate). */
  costInStoreCurrency: Maybe<ConvertedCost>;
  dailyTier: Maybe<Scalars['Int']['output']>;
  daysNeeded: Scalars['Int']['output'];
  exceedsDailyTier: Scalars['Boolean']['output'];
  holdout: Scalars['Int']['output'];
  messages: Scalars['Int']['output'];
  planLimit: Maybe<Scalars['Int']['output']>;
  /** The currency of the rate card and so of the cost figure (USD). When it is not billingCurrency, the figure is not what Meta bills in that currency. */
  rateCardCurrency: Scalars['String']['output'];
  /** YYYY-MM-DD: the rate card the figure was priced with (the store's own table's date, else the shipped card in force). */
  rateCardDate: Maybe<Scalars['String']['output']>;
  staleFigures: Array<StaleFigure>;
  /** YYYY-MM-DD from which part of the figure is only a bound (see staleFigures); null: every figure is current. */
  staleSince: Maybe<Scalars['String']['output']>;
  /** Meta's tiers of this month: above the first, list prices are an upper bound. */
  volumeTiers: Array<VolumeTier>;
  withinPlanLimit: Scalars['Boolean']['output'];
};

/** What the campaign's messages added: contacts who ordered among those sent a message (treated) against the holdout, over the attribution window from the first send. The interval is Newcombe's hybrid score 95 % interval of the difference of the rates. */
export type CampaignHoldoutLift = {
  /** treatedRate - holdoutRate. */
  absoluteLift: Scalars['Float']['output'];
  confidence: Scalars['Float']['output'];
  enoughData: Scalars['Boolean']['output'];
  /** Holdout contacts (no message). */
  holdout: Scalars['Int']['output'];
  /** Holdout contacts with an order (not cancelled) in the window. */
  holdoutConversions: Scalars['Int']['output'];
  holdoutRate: Scalars['Float']['output'];
  /** Null without enough data. */
  intervalHigh: Maybe<Scalars['Float']['output']>;
  /** Null without enough data. */
  intervalLow: Maybe<Scalars['Float']['output']>;
  method: Scalars['String']['output'];
  /** no_recipients, no_holdout or group_too_small (under 30 in a group). */
  notEnoughData: Maybe<Scalars['String']['output']>;
  /** Why there is no interval (English). */
  note: Maybe<Scalars['String']['output']>;
  /** Why there is no interval (Turkish). */
  noteTr: Maybe<Scalars['String']['output']>;
  /** treatedRate / holdoutRate - 1; null while the holdout has no conversion. */
  relativeLift: Maybe<Scalars['Float']['output']>;
  /** The first send. */
  startedAt: Maybe<Scalars['DateTime']['output']>;
  /** Contacts sent a message of the campaign. */
  treated: Scalars['Int']['output'];
  /** Treated contacts with an order (not cancelled) in the window. */
  treatedConversions: Scalars['Int']['output'];
  treatedRate: Scalars['Float']['output'];
  windowHours: Scalars['Int']['output'];
};

/** The audience is exactly one of builtinSegment, segmentId, rule. */
export type CampaignInput = {
  abDecideAfterHours?: Scalars['Int']['input'];
  abMetric?: AbMetric;
  accountId?: InputMaybe<Scalars['ID']['input']>;
  builtinSegment?: InputMaybe<Scalars['String']['input']>;
  holdoutPercent?: Scalars['Int']['input'];
  localDate?: InputMaybe<Scalars['String']['input']>;
  localTime?: InputMaybe<Scalars['String']['input']>;
  name: Scalars['String']['input'];
  rule?: InputMaybe<Scalars['JSON']['input']>;
  segmentId?: InputMaybe<Scalars['ID']['input']>;
  sendAt?: InputMaybe<Scalars['DateTime']['input']>;
  sendMode?: CampaignSendMode;
  variants: Array<CampaignVariantInput>;
};

/** One variant's message as a recipient's phone shows it. */
export type CampaignMessagePreview = {
  /** Filled as launch fills it, for the catalogue's sample contact; null when the variant cannot be sent (see problem). */
  preview: Maybe<TemplatePreview>;
  problem: Maybe<Scalars['String']['output']>;
  problemTr: Maybe<Scalars['String']['output']>;
  templateLanguage: Scalars['String']['output'];
  templateName: Scalars['String']['output'];
  variant: Scalars['String']['output'];
};

export type CampaignPayload = {
  campaign: Maybe<Campaign>;
  errors: Array<AdminError>;
};

export type CampaignProgress = {
  batches: Scalars['Int']['output'];
  byReason: Scalars['JSON']['output'];
  byStatus: Scalars['JSON']['output'];
  byVariant: Scalars['JSON']['output'];
  fanoutDone: Scalars['Boolean']['output'];
  holdout: Scalars['Int']['output'];
  queued: Scalars['Int']['output'];
  recipients: Scalars['Int']['output'];
  snapshotDone: Scalars['Boolean']['output'];
  status: CampaignStatus;
  waitingForWinner: Scalars['Int']['output'];
  winnerVariant: Maybe<Scalars['String']['output']>;
};

/** A campaign's figures since its start, from the dashboard's own reports (plugin/analytics: the same rollups and attribution; revenue net of refunds). */
export type CampaignResults = {
  /** The currency Meta bills the account in (ISO 4217). */
  billingCurrency: Scalars['String']['output'];
  /** When Meta's answer was read; null with source SETTING. */
  billingCurrencyReadAt: Maybe<Scalars['DateTime']['output']>;
  billingCurrencySource: BillingCurrencySource;
  /** Tracked link clicks, bots and previews excluded. */
  clicked: Scalars['Int']['output'];
  /** Meta's charges at the rate card's prices. */
  cost: Scalars['String']['output'];
  costCurrency: Scalars['String']['output'];
  /** Only when the merchant set a dated exchange rate (setExchangeRate). */
  costInStoreCurrency: Maybe<ConvertedCost>;
  delivered: Scalars['Int']['output'];
  optedOut: Scalars['Int']['output'];
  /** Orders attributed to the campaign's messages. */
  orders: Scalars['Int']['output'];
  /** The currency of the rate card and so of the cost figure (USD). When it is not billingCurrency, the figure is not what Meta bills in that currency. */
  rateCardCurrency: Scalars['String']['output'];
  /** YYYY-MM-DD: the rate card the figure was priced with (the store's own table's date, else the shipped card in force). */
  rateCardDate: Maybe<Scalars['String']['output']>;
  read: Scalars['Int']['output'];
  replied: Scalars['Int']['output'];
  /** Currency -> net amount (text). */
  revenue: Scalars['JSON']['output'];
  sent: Scalars['Int']['output'];
  /** The campaign's start. */
  since: Scalars['DateTime']['output'];
  staleFigures: Array<StaleFigure>;
  /** YYYY-MM-DD from which part of the figure is only a bound (see staleFigures); null: every figure is current. */
  staleSince: Maybe<Scalars['String']['output']>;
  /** Meta's tiers of this month: above the first, list prices are an upper bound. */
  volumeTiers: Array<VolumeTier>;
};

export type CampaignSendMode =
  | 'AT'
  | 'LOCAL_TIME'
  | 'NOW';

export type CampaignStatus =
  | 'CANCELLED'
  | 'COMPLETED'
  | 'DRAFT'
  | 'PAUSED'
  | 'RUNNING'
  | 'SCHEDULED';

export type CampaignVariant = {
  bodyFields: Array<Scalars['String']['output']>;
  /** Button values by index: {"url": destination} (tracked when the button address is <APP_URL>/r/{{1}}), {"code": coupon}, {"tag": question}, {"payload": ...}. */
  buttons: Maybe<Scalars['JSON']['output']>;
  fallbacks: Scalars['JSON']['output'];
  /** The header value: [{"link": url}] (image, video, document), ["pickup_location"] (location) or [{"text": ...}]. */
  header: Maybe<Scalars['JSON']['output']>;
  key: Scalars['String']['output'];
  share: Scalars['Int']['output'];
  templateLanguage: Scalars['String']['output'];
  templateName: Scalars['String']['output'];
};

export type CampaignVariantInput = {
  bodyFields?: InputMaybe<Array<Scalars['String']['input']>>;
  buttons?: InputMaybe<Scalars['JSON']['input']>;
  fallbacks?: InputMaybe<Scalars['JSON']['input']>;
  header?: InputMaybe<Scalars['JSON']['input']>;
  key?: InputMaybe<Scalars['String']['input']>;
  share?: InputMaybe<Scalars['Int']['input']>;
  templateLanguage: Scalars['String']['input'];
  templateName: Scalars['String']['input'];
};

/** A shipping carrier the shipped message can link to. */
export type Carrier = {
  /** False: public sources disagree on the link's form; it may open the carrier's search page. */
  confirmed: Scalars['Boolean']['output'];
  /** The value of the order_fulfilled option `carrier`. */
  key: Scalars['String']['output'];
  name: Scalars['String']['output'];
  /** {tracking_number} marks the number. */
  trackingUrl: Scalars['String']['output'];
};

export type ChangePlanPayload = {
  errors: Array<AdminError>;
  usage: Maybe<PlanUsage>;
};

export type ConnectWhatsAppInput = {
  /** Stored encrypted; never returned. */
  accessToken: Scalars['String']['input'];
  phoneNumberId: Scalars['String']['input'];
  /** Dev mode only. */
  sandbox?: Scalars['Boolean']['input'];
  wabaId: Scalars['String']['input'];
};

export type ConsentAction =
  | 'DECLINED'
  | 'GRANTED'
  | 'LAPSED'
  | 'REQUESTED'
  | 'REVOKED';

/** What a merchant can record by hand. */
export type ConsentDecision =
  | 'GRANTED'
  | 'REVOKED';

/** One fact of the consent ledger (append-only). */
export type ConsentEvent = {
  action: ConsentAction;
  contactId: Scalars['ID']['output'];
  evidence: Scalars['JSON']['output'];
  id: Scalars['ID']['output'];
  occurredAt: Scalars['DateTime']['output'];
  purpose: ConsentPurpose;
  recordedAt: Scalars['DateTime']['output'];
  source: ConsentSource;
  textHash: Maybe<Scalars['String']['output']>;
  textVersion: Maybe<Scalars['String']['output']>;
};

/** Marketing consent as the one read model decides it now. */
export type ConsentFilter =
  | 'GRANTED'
  | 'NONE'
  | 'NOT_GRANTED'
  | 'REVOKED';

/** What became of one CSV line. */
export type ConsentImportRow = {
  contactId: Maybe<Scalars['ID']['output']>;
  line: Scalars['Int']['output'];
  reason: Maybe<Scalars['String']['output']>;
  /** imported, skipped or error. */
  status: Scalars['String']['output'];
};

/** The latest CSV import: committed chunk by chunk, readable while it runs. */
export type ConsentImportStatus = {
  failed: Scalars['Int']['output'];
  finishedAt: Maybe<Scalars['DateTime']['output']>;
  imported: Scalars['Int']['output'];
  processedRows: Scalars['Int']['output'];
  skipped: Scalars['Int']['output'];
  startedAt: Scalars['DateTime']['output'];
  /** running, done or failed. */
  status: Scalars['String']['output'];
  totalRows: Scalars['Int']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type ConsentPurpose =
  | 'MARKETING'
  | 'TRANSACTIONAL';

export type ConsentSource =
  | 'ADMIN'
  | 'API'
  | 'BUTTON_REPLY'
  | 'CHECKOUT'
  | 'CSV_IMPORT'
  | 'CUSTOMER'
  | 'META_ERROR'
  | 'META_PREFERENCES'
  | 'ORDER'
  | 'STOREFRONT'
  | 'SYSTEM'
  | 'WHATSAPP_KEYWORD';

/** The effective consent for one purpose, by the one read model (the latest fact wins; at equal instants a revocation wins; a vouched grant after the customer's own opt-out reads requested). */
export type ConsentState = {
  /** Null: no fact recorded. */
  action: Maybe<ConsentAction>;
  at: Maybe<Scalars['DateTime']['output']>;
  granted: Scalars['Boolean']['output'];
  purpose: ConsentPurpose;
  source: Maybe<ConsentSource>;
};

/** A person the store may message. */
export type Contact = {
  /** Every consent fact, oldest first. */
  consentTimeline: Array<ConsentEvent>;
  /** Marketing and transactional, in that order. */
  consents: Array<ConsentState>;
  country: Maybe<Scalars['String']['output']>;
  createdAt: Scalars['DateTime']['output'];
  email: Maybe<Scalars['String']['output']>;
  erasedAt: Maybe<Scalars['DateTime']['output']>;
  firstName: Maybe<Scalars['String']['output']>;
  firstOrderAt: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  lastCheckoutAt: Maybe<Scalars['DateTime']['output']>;
  lastInboundAt: Maybe<Scalars['DateTime']['output']>;
  lastName: Maybe<Scalars['String']['output']>;
  lastOrderAt: Maybe<Scalars['DateTime']['output']>;
  locale: Maybe<Scalars['String']['output']>;
  ordersCount: Scalars['Int']['output'];
  /** E.164; null when missing or erased. */
  phone: Maybe<Scalars['String']['output']>;
  phoneInvalidReason: Maybe<Scalars['String']['output']>;
  phoneStatus: PhoneStatus;
  serviceWindowOpen: Scalars['Boolean']['output'];
  /** Free text (a support reply) is allowed until then: last inbound + 24 h. */
  serviceWindowOpenUntil: Maybe<Scalars['DateTime']['output']>;
  timezone: Maybe<Scalars['String']['output']>;
  totalSpent: Array<Money>;
  undeliverableAt: Maybe<Scalars['DateTime']['output']>;
  updatedAt: Scalars['DateTime']['output'];
};

/** What the contact did: recent orders and tracked-link clicks. */
export type ContactActivity = {
  /** Counted clicks (bots and previews left out). */
  clicks: Scalars['Int']['output'];
  lastClickAt: Maybe<Scalars['DateTime']['output']>;
  /** Newest first, at most 20. */
  orders: Array<ContactOrderItem>;
};

export type ContactConnection = {
  edges: Array<ContactEdge>;
  pageInfo: PageInfo;
};

export type ContactEdge = {
  cursor: Scalars['String']['output'];
  node: Contact;
};

/** Every given filter must hold (AND). */
export type ContactFilter = {
  consent?: InputMaybe<ConsentFilter>;
  /** ISO code, e.g. TR. */
  country?: InputMaybe<Scalars['String']['input']>;
  /** The number, the email or a name. */
  search?: InputMaybe<Scalars['String']['input']>;
  /** Matches this saved segment's rule. */
  segmentId?: InputMaybe<Scalars['ID']['input']>;
  /** Has this tag (any case). */
  tag?: InputMaybe<Scalars['String']['input']>;
};

/** A page of contacts and how many match in all. */
export type ContactList = {
  edges: Array<ContactEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

/** One order of the contact (as Saleor sent it). */
export type ContactOrderItem = {
  cancelled: Scalars['Boolean']['output'];
  createdAt: Scalars['DateTime']['output'];
  currency: Scalars['String']['output'];
  orderId: Scalars['String']['output'];
  status: Scalars['String']['output'];
  /** Decimal text. */
  total: Scalars['String']['output'];
};

/** The initial import of customers and orders from Saleor. */
export type ContactSyncStatus = {
  contactsTotal: Scalars['Int']['output'];
  customersSeen: Scalars['Int']['output'];
  error: Maybe<Scalars['String']['output']>;
  finishedAt: Maybe<Scalars['DateTime']['output']>;
  ordersSeen: Scalars['Int']['output'];
  pages: Scalars['Int']['output'];
  phase: Scalars['String']['output'];
  startedAt: Scalars['DateTime']['output'];
  status: Scalars['String']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

/** A message of the conversation, either way. */
export type ConversationItem = {
  /** Received, sent, or (not yet sent) written. */
  at: Scalars['DateTime']['output'];
  buttonPayload: Maybe<Scalars['String']['output']>;
  direction: MessageDirection;
  /** Outbound and still waiting: when it may go (a message held for the plan's quota waits for the next plan month). */
  dueAt: Maybe<Scalars['DateTime']['output']>;
  /** WhatsApp's error code, if it failed. */
  errorCode: Maybe<Scalars['Int']['output']>;
  errorMessage: Maybe<Scalars['String']['output']>;
  /** "outbound:<id>" or "inbound:<id>". */
  id: Scalars['ID']['output'];
  /** Outbound only. */
  kind: Maybe<MessageKind>;
  /** Inbound only: text, button, ... */
  messageType: Maybe<Scalars['String']['output']>;
  /** Outbound only. */
  status: Maybe<MessageStatus>;
  /** Why it was not sent (suppressed/failed): the policy's reason code. */
  statusReason: Maybe<Scalars['String']['output']>;
  /** The reason code's text and fix (EN / TR). */
  statusReasonText: Maybe<ReasonText>;
  templateLanguage: Maybe<Scalars['String']['output']>;
  templateName: Maybe<Scalars['String']['output']>;
  /** What the customer read: their text, our free text, or a template's text filled with the values sent (null once erasure or retention blanked them). */
  text: Maybe<Scalars['String']['output']>;
};

export type ConversationItemConnection = {
  edges: Array<ConversationItemEdge>;
  pageInfo: PageInfo;
};

export type ConversationItemEdge = {
  cursor: Scalars['String']['output'];
  node: ConversationItem;
};

/** A cost in the store's currency at the merchant's rate. */
export type ConvertedCost = {
  /** Decimal text, 2 places. */
  amount: Scalars['String']['output'];
  currency: Scalars['String']['output'];
  exchangeRate: ExchangeRate;
};

export type CostBasis = {
  /** The currency Meta bills the account in (ISO 4217). */
  billingCurrency: Scalars['String']['output'];
  /** When Meta's answer was read; null with source SETTING. */
  billingCurrencyReadAt: Maybe<Scalars['DateTime']['output']>;
  billingCurrencySource: BillingCurrencySource;
  /** Only when the merchant set a dated exchange rate (setExchangeRate). */
  costInStoreCurrency: Maybe<ConvertedCost>;
  /** The currency of the rate card and so of the cost figure (USD). When it is not billingCurrency, the figure is not what Meta bills in that currency. */
  rateCardCurrency: Scalars['String']['output'];
  /** YYYY-MM-DD: the rate card the figure was priced with (the store's own table's date, else the shipped card in force). */
  rateCardDate: Maybe<Scalars['String']['output']>;
  staleFigures: Array<StaleFigure>;
  /** YYYY-MM-DD from which part of the figure is only a bound (see staleFigures); null: every figure is current. */
  staleSince: Maybe<Scalars['String']['output']>;
  /** Meta's tiers of this month: above the first, list prices are an upper bound. */
  volumeTiers: Array<VolumeTier>;
};

export type CostRow = {
  /** What the row's cost rests on. */
  basis: CostBasis;
  billable: Scalars['Int']['output'];
  cost: Scalars['String']['output'];
  costCurrency: Scalars['String']['output'];
  costPerOrder: Maybe<Scalars['String']['output']>;
  orders: Scalars['Int']['output'];
  sent: Scalars['Int']['output'];
  source: Scalars['String']['output'];
};

/** The currencies costs are shown in, and the merchant's rate. */
export type CostSettings = {
  /** The currency Meta bills in. */
  billingCurrency: Scalars['String']['output'];
  billingCurrencySource: BillingCurrencySource;
  /** Null: costs are shown in the billing currency only (never converted at a rate of Ulak's own). */
  exchangeRate: Maybe<ExchangeRate>;
  /** The currency costs are priced in (USD): the exchange rate's base. */
  rateCardCurrency: Scalars['String']['output'];
  storeCurrency: Scalars['String']['output'];
};

export type CostSettingsPayload = {
  costSettings: Maybe<CostSettings>;
  errors: Array<AdminError>;
};

/** One UTC day; money as decimal text. */
export type DailyMetric = {
  /** Tracked link clicks, bots and previews excluded. */
  clicked: Scalars['Int']['output'];
  cost: Scalars['String']['output'];
  date: Scalars['Date']['output'];
  delivered: Scalars['Int']['output'];
  optedOut: Scalars['Int']['output'];
  orders: Scalars['Int']['output'];
  read: Scalars['Int']['output'];
  replied: Scalars['Int']['output'];
  /** In the store's currency (the first if many). */
  revenue: Scalars['String']['output'];
  revenueByCurrency: Scalars['JSON']['output'];
  sent: Scalars['Int']['output'];
};

/** Is it working and is it paying: the range's totals. Rates are fractions 0–1 and money decimal text; revenue is in each order's currency, cost in the rate card's currency (`costCurrency`: USD, whatever Meta bills in: `billingCurrency`); in the store's currency only at the merchant's dated rate (`costInStoreCurrency`). */
export type DashboardHeadline = {
  /** The currency Meta bills the account in (ISO 4217). */
  billingCurrency: Scalars['String']['output'];
  /** When Meta's answer was read; null with source SETTING. */
  billingCurrencyReadAt: Maybe<Scalars['DateTime']['output']>;
  billingCurrencySource: BillingCurrencySource;
  /** Tracked link clicks, bots and previews excluded. */
  clicked: Scalars['Int']['output'];
  cost: Scalars['String']['output'];
  costCurrency: Scalars['String']['output'];
  /** Only when the merchant set a dated exchange rate (setExchangeRate). */
  costInStoreCurrency: Maybe<ConvertedCost>;
  delivered: Scalars['Int']['output'];
  /** delivered / sent; null: none sent */
  deliveredRate: Maybe<Scalars['String']['output']>;
  failed: Scalars['Int']['output'];
  optedOut: Scalars['Int']['output'];
  /** Orders attributed to a message (not cancelled). */
  orders: Scalars['Int']['output'];
  /** The currency of the rate card and so of the cost figure (USD). When it is not billingCurrency, the figure is not what Meta bills in that currency. */
  rateCardCurrency: Scalars['String']['output'];
  /** YYYY-MM-DD: the rate card the figure was priced with (the store's own table's date, else the shipped card in force). */
  rateCardDate: Maybe<Scalars['String']['output']>;
  read: Scalars['Int']['output'];
  /** read / delivered */
  readRate: Maybe<Scalars['String']['output']>;
  replied: Scalars['Int']['output'];
  /** Revenue in `revenueCurrency` per 1 of `costCurrency` spent; null: no cost. */
  returnOnSpend: Maybe<Scalars['String']['output']>;
  /** Net attributed revenue per currency. */
  revenue: Array<Money>;
  /** The store's currency. */
  revenueCurrency: Scalars['String']['output'];
  sent: Scalars['Int']['output'];
  staleFigures: Array<StaleFigure>;
  /** YYYY-MM-DD from which part of the figure is only a bound (see staleFigures); null: every figure is current. */
  staleSince: Maybe<Scalars['String']['output']>;
  /** Meta's tiers of this month: above the first, list prices are an upper bound. */
  volumeTiers: Array<VolumeTier>;
};

export type DashboardMetrics = {
  daily: Array<DailyMetric>;
  end: Scalars['Date']['output'];
  headline: DashboardHeadline;
  setup: DashboardSetup;
  start: Scalars['Date']['output'];
  topFailureReasons: Array<ReasonCount>;
  /** Good outcomes: messages not needed because their goal came first (the cart was ordered, the customer replied). */
  topReachedReasons: Array<ReasonCount>;
  /** Problems only: why messages were held or cancelled, outcomes excluded. */
  topSkipReasons: Array<ReasonCount>;
};

/** What is set up: the dashboard's empty states offer the next step. */
export type DashboardSetup = {
  /** Campaigns of the store, drafts included. */
  campaigns: Scalars['Int']['output'];
  cartRecoveryOn: Scalars['Boolean']['output'];
  /** At least one order update is on. */
  orderUpdatesOn: Scalars['Boolean']['output'];
  /** A number that can send. */
  whatsappConnected: Scalars['Boolean']['output'];
};

/** One message to the contact: its status and why. */
export type DeliveryExplanation = {
  createdAt: Scalars['DateTime']['output'];
  dueAt: Maybe<Scalars['DateTime']['output']>;
  errorCode: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  kind: Scalars['String']['output'];
  purpose: Scalars['String']['output'];
  sentAt: Maybe<Scalars['DateTime']['output']>;
  status: Scalars['String']['output'];
  statusReason: Maybe<Scalars['String']['output']>;
  statusReasonText: Maybe<ReasonText>;
  templateName: Maybe<Scalars['String']['output']>;
};

export type EraseContactPayload = {
  contact: Maybe<Contact>;
  errors: Array<AdminError>;
};

export type EstimateCampaignPayload = {
  errors: Array<AdminError>;
  estimate: Maybe<CampaignEstimate>;
};

/** 1 `base` = `rate` `quote`, as the merchant set it. */
export type ExchangeRate = {
  /** The rate cards' currency (USD). */
  base: Scalars['String']['output'];
  /** The store's currency. */
  quote: Scalars['String']['output'];
  /** Decimal text. */
  rate: Scalars['String']['output'];
  rateDate: Scalars['Date']['output'];
};

export type ExportContactPayload = {
  errors: Array<AdminError>;
  /** Everything held about the contact (a data-subject request). */
  export: Maybe<Scalars['JSON']['output']>;
};

/** One automated flow of the store (id = its key). */
export type Flow = {
  /** Open alerts (in a mutation payload: what stops the flow at once, such as cart recovery without a checkout URL). */
  alerts: Array<FlowAlert>;
  /** Empty: every channel. */
  channels: Array<Scalars['String']['output']>;
  enabled: Scalars['Boolean']['output'];
  /** Last 30 days; null in mutation payloads. */
  funnel: Maybe<FlowFunnel>;
  id: Scalars['ID']['output'];
  key: Scalars['String']['output'];
  options: Scalars['JSON']['output'];
  /** One of the order updates (created, paid, shipped, cancelled, refunded): the admin shows them as one group with one main switch. */
  orderUpdate: Scalars['Boolean']['output'];
  steps: Array<FlowStep>;
  /** The templates it may send, its main message first (the admin's preview). */
  templateNames: Array<Scalars['String']['output']>;
  /** Starter key -> template name. */
  templates: Scalars['JSON']['output'];
  updatedAt: Maybe<Scalars['DateTime']['output']>;
  variableMappings: Scalars['JSON']['output'];
};

/** A switched-on flow skips or fails messages for a reason the merchant can fix. */
export type FlowAlert = {
  /** The latest example, if a checkout. */
  checkoutId: Maybe<Scalars['String']['output']>;
  /** The first skip or failure (null: a setting stops the flow before any). */
  firstSeenAt: Maybe<Scalars['DateTime']['output']>;
  flowKey: Scalars['String']['output'];
  lastSeenAt: Maybe<Scalars['DateTime']['output']>;
  /** The latest example, if an order. */
  orderId: Maybe<Scalars['String']['output']>;
  /** The code, its text and its fix (EN/TR). */
  reason: ReasonText;
  templateName: Maybe<Scalars['String']['output']>;
};

/** The flow's figures over the last 30 days. */
export type FlowFunnel = {
  clicked: Scalars['Int']['output'];
  converted: Scalars['Int']['output'];
  delivered: Scalars['Int']['output'];
  entered: Scalars['Int']['output'];
  read: Scalars['Int']['output'];
  /** Currency -> amount (text). */
  recoveredRevenue: Scalars['JSON']['output'];
  sent: Scalars['Int']['output'];
  skippedByReason: Scalars['JSON']['output'];
  stoppedByReason: Scalars['JSON']['output'];
};

/** Null keeps a value. */
export type FlowInput = {
  channels?: InputMaybe<Array<Scalars['String']['input']>>;
  options?: InputMaybe<Scalars['JSON']['input']>;
  steps?: InputMaybe<Array<FlowStepInput>>;
  templates?: InputMaybe<Scalars['JSON']['input']>;
  variableMappings?: InputMaybe<Scalars['JSON']['input']>;
};

export type FlowPayload = {
  errors: Array<AdminError>;
  flow: Maybe<Flow>;
};

/** One step of cart recovery. */
export type FlowStep = {
  delayMinutes: Scalars['Int']['output'];
  discountCode: Maybe<Scalars['String']['output']>;
  /** 1 for the first message. */
  position: Scalars['Int']['output'];
  templateName: Scalars['String']['output'];
};

export type FlowStepInput = {
  delayMinutes: Scalars['Int']['input'];
  discountCode?: InputMaybe<Scalars['String']['input']>;
  /** A template key: `templates` maps it to a name, else ulak_<key>. */
  template: Scalars['String']['input'];
};

export type FunnelRow = {
  /** Tracked link clicks, bots and previews excluded. */
  clicked: Scalars['Int']['output'];
  delivered: Scalars['Int']['output'];
  failed: Scalars['Int']['output'];
  failedReasons: Scalars['JSON']['output'];
  optedOut: Scalars['Int']['output'];
  queued: Scalars['Int']['output'];
  read: Scalars['Int']['output'];
  replied: Scalars['Int']['output'];
  sent: Scalars['Int']['output'];
  skipped: Scalars['Int']['output'];
  skippedReasons: Scalars['JSON']['output'];
  source: Scalars['String']['output'];
};

export type ImportConsentCsvPayload = {
  errors: Array<AdminError>;
  failed: Scalars['Int']['output'];
  imported: Scalars['Int']['output'];
  rows: Array<ConsentImportRow>;
  skipped: Scalars['Int']['output'];
};

export type ImportTagsPayload = {
  errors: Array<AdminError>;
  failed: Scalars['Int']['output'];
  rows: Array<TagCsvRow>;
  tagged: Scalars['Int']['output'];
};

/** One recorded webhook delivery (the body is not exposed). */
export type InboxEvent = {
  attempts: Scalars['Int']['output'];
  error: Maybe<Scalars['String']['output']>;
  event: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  processedAt: Maybe<Scalars['DateTime']['output']>;
  receivedAt: Scalars['DateTime']['output'];
  source: Scalars['String']['output'];
  status: InboxStatus;
};

export type InboxEventConnection = {
  edges: Array<InboxEventEdge>;
  pageInfo: PageInfo;
};

export type InboxEventEdge = {
  cursor: Scalars['String']['output'];
  node: InboxEvent;
};

export type InboxStatus =
  | 'FAILED'
  | 'IGNORED'
  | 'INVALID'
  | 'PENDING'
  | 'PROCESSED'
  | 'UNHANDLED';

export type InstallStarterTemplatesPayload = {
  errors: Array<AdminError>;
  problems: Array<TemplateProblem>;
  templates: Array<MessageTemplate>;
};

/** A record not registered in İYS whose deadline is near or past. */
export type IysAlert = {
  deadline: Scalars['DateTime']['output'];
  eventId: Scalars['ID']['output'];
  overdue: Scalars['Boolean']['output'];
  recipient: Scalars['String']['output'];
  status: Scalars['String']['output'];
};

/** One İYS export. Open until the merchant confirms the upload (its records are then registered) or discards it (its records go to the next export). */
export type IysBatch = {
  /** When confirmed or discarded. */
  closedAt: Maybe<Scalars['DateTime']['output']>;
  closedBy: Maybe<Scalars['String']['output']>;
  createdAt: Scalars['DateTime']['output'];
  createdBy: Maybe<Scalars['String']['output']>;
  /** The records as CSV with a header row (İYS's field names). */
  csv: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** The records as a JSON list in İYS's format. */
  json: Scalars['JSON']['output'];
  recordCount: Scalars['Int']['output'];
  /** The batch's records (the same on every download). */
  records: Array<IysRecord>;
  /** open, confirmed or discarded. */
  status: Scalars['String']['output'];
};

export type IysBatchPayload = {
  batch: Maybe<IysBatch>;
  errors: Array<AdminError>;
};

export type IysExportPayload = {
  /** Null when nothing waits to be exported. */
  batch: Maybe<IysBatch>;
  errors: Array<AdminError>;
  records: Array<IysRecord>;
};

/** One consent record in İYS's format. */
export type IysRecord = {
  /** Istanbul time, YYYY-MM-DD HH:MM:SS. */
  consentDate: Scalars['String']['output'];
  recipient: Scalars['String']['output'];
  recipientType: Scalars['String']['output'];
  source: Scalars['String']['output'];
  /** ONAY or RET. */
  status: Scalars['String']['output'];
  type: Scalars['String']['output'];
};

/** One line of a checkout's story, oldest first. */
export type JourneyEntry = {
  action: Scalars['String']['output'];
  at: Scalars['DateTime']['output'];
  dueAt: Maybe<Scalars['DateTime']['output']>;
  flowKey: Scalars['String']['output'];
  messageId: Maybe<Scalars['ID']['output']>;
  reason: Maybe<Scalars['String']['output']>;
  reasonText: Maybe<ReasonText>;
  sequence: Maybe<Scalars['Int']['output']>;
  step: Maybe<Scalars['Int']['output']>;
  templateName: Maybe<Scalars['String']['output']>;
};

export type MessageDirection =
  | 'INBOUND'
  | 'OUTBOUND';

export type MessageKind =
  | 'CAMPAIGN'
  | 'CART_RECOVERY'
  | 'COD_CONFIRMATION'
  | 'OPTIN_REQUEST'
  | 'ORDER_UPDATE'
  | 'REMINDER'
  | 'SERVICE_REPLY'
  | 'TEST';

export type MessageStatus =
  | 'CANCELLED'
  | 'DELIVERED'
  | 'FAILED'
  | 'QUEUED'
  | 'READ'
  | 'SCHEDULED'
  | 'SENDING'
  | 'SENT'
  | 'SUPPRESSED'
  | 'UNKNOWN';

/** A WhatsApp message template of the store (one language). */
export type MessageTemplate = {
  category: TemplateCategory;
  /** Meta's components array. */
  components: Scalars['JSON']['output'];
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  language: Scalars['String']['output'];
  metaId: Maybe<Scalars['String']['output']>;
  name: Scalars['String']['output'];
  /** GREEN, YELLOW, RED or UNKNOWN (Meta). */
  quality: Maybe<Scalars['String']['output']>;
  rejectedReason: Maybe<Scalars['String']['output']>;
  starterKey: Maybe<Scalars['String']['output']>;
  status: TemplateStatus;
  updatedAt: Scalars['DateTime']['output'];
  /** Each URL button: are its clicks counted? Only a button whose address is the app's tracked base (trackedUrl, <APP_URL>/r/{{1}}) can be tracked. */
  urlButtons: Array<UrlButtonTracking>;
  /** Which variable fills which parameter, e.g. {"body": ["first_name"]}. */
  variableMapping: Scalars['JSON']['output'];
};

export type MessageTemplateConnection = {
  edges: Array<MessageTemplateEdge>;
  pageInfo: PageInfo;
};

export type MessageTemplateEdge = {
  cursor: Scalars['String']['output'];
  node: MessageTemplate;
};

/** Meta's messaging limit as it stands: unique recipients of business-initiated messages in the last 24 hours (moving), and the share campaigns may still use. */
export type MessagingLimit = {
  /** New recipients order updates may reach. */
  available: Maybe<Scalars['Int']['output']>;
  /** New recipients campaigns and cart recovery may still reach. */
  marketingAvailable: Maybe<Scalars['Int']['output']>;
  /** When the earliest counted recipient leaves the window. */
  nextFreeAt: Maybe<Scalars['DateTime']['output']>;
  /** When Meta's figures were read. */
  readAt: Maybe<Scalars['DateTime']['output']>;
  /** Kept for order updates (campaigns stop short). */
  reserve: Scalars['Int']['output'];
  /** Messages per second (Meta). */
  throughputMps: Maybe<Scalars['Int']['output']>;
  /** Recipients per 24 h; null: unlimited. */
  tier: Maybe<Scalars['Int']['output']>;
  /** Meta's name, e.g. "TIER_2K". */
  tierName: Maybe<Scalars['String']['output']>;
  /** Recipients counted in the last 24 hours. */
  used: Scalars['Int']['output'];
};

/** An amount in one currency (a decimal as text, exact). */
export type Money = {
  amount: Scalars['String']['output'];
  currency: Scalars['String']['output'];
};

export type Mutation = {
  /** Returns the tags added. */
  addContactTags: TagsPayload;
  /** Stop for good. */
  cancelCampaign: CampaignPayload;
  changePlan: ChangePlanPayload;
  /** Forget the store's pickup point: templates mapped to pickup_location then cannot be sent until it is set again (the flow's alert says so). */
  clearPickupPoint: PickupPointPayload;
  /** The batch was uploaded to İYS: its records are registered (again: no change; a discarded batch: INVALID_TRANSITION). */
  confirmIysBatch: IysBatchPayload;
  connectWhatsApp: WhatsAppAccountPayload;
  /** Silver and up. */
  createSegment: SegmentPayload;
  /** Delete a draft for good (returns it as it was); a launched campaign is kept (INVALID_TRANSITION): cancel it instead. */
  deleteCampaign: CampaignPayload;
  deleteSegment: SegmentPayload;
  /** Deleted at Meta too when it was submitted. */
  deleteTemplate: TemplatePayload;
  /** The batch will not be uploaded: its records go to the next export (a confirmed batch: INVALID_TRANSITION). */
  discardIysBatch: IysBatchPayload;
  disconnectWhatsApp: WhatsAppAccountPayload;
  /** Deletes the person's data for good and suppresses the number; refused (CONFIRMATION_REQUIRED) unless `confirm` is true. */
  eraseContact: EraseContactPayload;
  /** Audience, consent, cost and Meta's daily tier (remembered for launch). */
  estimateCampaign: EstimateCampaignPayload;
  exportContact: ExportContactPayload;
  /** Columns: phone (required), country, email, first_name, last_name, locale, marketing, transactional, consent_date, text_version. One report row per line. */
  importConsentCsv: ImportConsentCsvPayload;
  /** CSV with a header: "phone" or "email", and "tags" (comma-separated). */
  importTagsCsv: ImportTagsPayload;
  /** The TR/EN starter library as drafts; submitted for review when `submit`. Idempotent. */
  installStarterTemplates: InstallStarterTemplatesPayload;
  /** A new batch of the marketing grants and revocations of Turkish numbers neither registered nor in an open batch, in İYS's format. Nothing is registered until `confirmIysBatch`; a lost response is downloaded again with `iysBatch(id)` or `iysBatches`. */
  iysExport: IysExportPayload;
  /** Draft -> running or scheduled. DAILY_TIER_EXCEEDED unless acceptDailyTier. */
  launchCampaign: CampaignPayload;
  /** Hold every unsent message. */
  pauseCampaign: CampaignPayload;
  /** Consent collected elsewhere (or its revocation), with the staff user as evidence. */
  recordConsent: RecordConsentPayload;
  /** Returns the tag if removed. */
  removeContactTag: TagsPayload;
  /** Continue from the checkpoint. */
  resumeCampaign: CampaignPayload;
  /** Create a draft, or change one (`id`); a change needs a new test send. */
  saveCampaign: CampaignPayload;
  /** Create or rewrite a draft (by name and language). Blocking findings are `errors` (field = template path); all findings, warnings too, are `problems`. */
  saveTemplateDraft: TemplatePayload;
  /** Queue each variant (or `variant`) to a staff number; needed before launch. */
  sendCampaignTest: CampaignPayload;
  /** Free text to the customer, only while the 24-hour service window is open (WINDOW_CLOSED otherwise). Scheduled now; the delivery engine sends it. */
  sendSupportReply: SupportReplyPayload;
  /** A test message to a number: a template filled with sample values, or text. Scheduled now; the delivery engine sends it. */
  sendTestMessage: TestMessagePayload;
  /** 1 rate card currency (USD) = `rate` store currency on `rateDate` (not in the future); an empty or null rate forgets it. Errors: rate INVALID / OUT_OF_RANGE, rateDate REQUIRED / FUTURE_DATE, NOT_ALLOWED when both currencies are the same. */
  setExchangeRate: CostSettingsPayload;
  /** Switch a flow on or off. */
  setFlowEnabled: FlowPayload;
  /** Set the store's pickup point (latitude, longitude, name, address). */
  setPickupPoint: PickupPointPayload;
  /** Replace the store's staff test numbers (normalised with the store's default region; at most 20). */
  setStaffTestNumbers: StaffTestNumbersPayload;
  /** The store's public storefront key, created on first call (then the same). */
  storefrontKey: StorefrontKeyPayload;
  /** Send for Meta's review. */
  submitTemplate: TemplatePayload;
  /** Bring statuses, quality and components in line with Meta. */
  syncTemplates: SyncTemplatesPayload;
  /** Change a flow's channels, templates, mappings, recovery steps or options. */
  updateFlow: FlowPayload;
  updateSegment: SegmentPayload;
  updateStoreSettings: StoreSettingsPayload;
};


export type MutationAddContactTagsArgs = {
  contactId: Scalars['ID']['input'];
  tags: Array<Scalars['String']['input']>;
};


export type MutationCancelCampaignArgs = {
  id: Scalars['ID']['input'];
};


export type MutationChangePlanArgs = {
  plan: Plan;
};


export type MutationConfirmIysBatchArgs = {
  id: Scalars['ID']['input'];
};


export type MutationConnectWhatsAppArgs = {
  input: ConnectWhatsAppInput;
};


export type MutationCreateSegmentArgs = {
  name: Scalars['String']['input'];
  rule: Scalars['JSON']['input'];
};


export type MutationDeleteCampaignArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteSegmentArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteTemplateArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDiscardIysBatchArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDisconnectWhatsAppArgs = {
  id: Scalars['ID']['input'];
};


export type MutationEraseContactArgs = {
  confirm: Scalars['Boolean']['input'];
  id: Scalars['ID']['input'];
};


export type MutationEstimateCampaignArgs = {
  id: Scalars['ID']['input'];
};


export type MutationExportContactArgs = {
  id: Scalars['ID']['input'];
};


export type MutationImportConsentCsvArgs = {
  csv: Scalars['String']['input'];
};


export type MutationImportTagsCsvArgs = {
  csv: Scalars['String']['input'];
};


export type MutationInstallStarterTemplatesArgs = {
  submit: Scalars['Boolean']['input'];
};


export type MutationLaunchCampaignArgs = {
  acceptDailyTier?: Scalars['Boolean']['input'];
  id: Scalars['ID']['input'];
};


export type MutationPauseCampaignArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRecordConsentArgs = {
  action: ConsentDecision;
  contactId: Scalars['ID']['input'];
  note?: InputMaybe<Scalars['String']['input']>;
  purpose: ConsentPurpose;
};


export type MutationRemoveContactTagArgs = {
  contactId: Scalars['ID']['input'];
  tag: Scalars['String']['input'];
};


export type MutationResumeCampaignArgs = {
  id: Scalars['ID']['input'];
};


export type MutationSaveCampaignArgs = {
  id?: InputMaybe<Scalars['ID']['input']>;
  input: CampaignInput;
};


export type MutationSaveTemplateDraftArgs = {
  input: TemplateDraftInput;
};


export type MutationSendCampaignTestArgs = {
  id: Scalars['ID']['input'];
  phone: Scalars['String']['input'];
  variant?: InputMaybe<Scalars['String']['input']>;
};


export type MutationSendSupportReplyArgs = {
  contactId: Scalars['ID']['input'];
  text: Scalars['String']['input'];
};


export type MutationSendTestMessageArgs = {
  phone: Scalars['String']['input'];
  templateId?: InputMaybe<Scalars['ID']['input']>;
  text?: InputMaybe<Scalars['String']['input']>;
};


export type MutationSetExchangeRateArgs = {
  rate?: InputMaybe<Scalars['String']['input']>;
  rateDate?: InputMaybe<Scalars['Date']['input']>;
};


export type MutationSetFlowEnabledArgs = {
  enabled: Scalars['Boolean']['input'];
  id: Scalars['ID']['input'];
};


export type MutationSetPickupPointArgs = {
  address: Scalars['String']['input'];
  latitude: Scalars['Float']['input'];
  longitude: Scalars['Float']['input'];
  name: Scalars['String']['input'];
};


export type MutationSetStaffTestNumbersArgs = {
  numbers: Array<Scalars['String']['input']>;
};


export type MutationSubmitTemplateArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUpdateFlowArgs = {
  id: Scalars['ID']['input'];
  input: FlowInput;
};


export type MutationUpdateSegmentArgs = {
  id: Scalars['ID']['input'];
  name: Scalars['String']['input'];
  rule: Scalars['JSON']['input'];
};


export type MutationUpdateStoreSettingsArgs = {
  input: StoreSettingsInput;
};

export type PageInfo = {
  endCursor: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor: Maybe<Scalars['String']['output']>;
};

export type PerformanceRow = {
  /** What the row's cost rests on. */
  basis: CostBasis;
  conversionRate: Maybe<Scalars['String']['output']>;
  cost: Scalars['String']['output'];
  costCurrency: Scalars['String']['output'];
  costPerOrder: Maybe<Scalars['String']['output']>;
  delivered: Scalars['Int']['output'];
  orders: Scalars['Int']['output'];
  /** Currency -> net amount (text). */
  revenue: Scalars['JSON']['output'];
  revenuePerMessage: Scalars['JSON']['output'];
  sent: Scalars['Int']['output'];
  source: Scalars['String']['output'];
};

export type PhoneStatus =
  | 'ERASED'
  | 'INVALID'
  | 'MISSING'
  | 'VALID';

/** Where a LOCATION header mapped to pickup_location points. */
export type PickupPoint = {
  address: Scalars['String']['output'];
  latitude: Scalars['Float']['output'];
  longitude: Scalars['Float']['output'];
  name: Scalars['String']['output'];
};

export type PickupPointPayload = {
  errors: Array<AdminError>;
  pickupPoint: Maybe<PickupPoint>;
};

export type Plan =
  | 'FREE'
  | 'GOLD'
  | 'SILVER';

export type PlanCatalogue = {
  current: Plan;
  features: Array<PlanFeature>;
  /** Cheapest first. */
  plans: Array<PlanOffer>;
};

/** A feature a plan may include, named in English and Turkish. */
export type PlanFeature = {
  /** e.g. ab_testing, own_segments, scheduling. */
  code: Scalars['String']['output'];
  /** The store's current plan includes it. */
  included: Scalars['Boolean']['output'];
  label: Scalars['String']['output'];
  labelTr: Scalars['String']['output'];
  /** The cheapest plan that includes it. */
  requiredPlan: Plan;
};

/** One plan of the comparison (plugin/stores/plans.py). */
export type PlanOffer = {
  /** Null: no limit of ours. */
  campaignMaxRecipients: Maybe<Scalars['Int']['output']>;
  current: Scalars['Boolean']['output'];
  /** Codes of the features it includes. */
  features: Array<Scalars['String']['output']>;
  monthlyQuota: Scalars['Int']['output'];
  plan: Plan;
  /** Monthly price in Turkish lira. */
  priceTry: Scalars['String']['output'];
};

/** The plan's monthly marketing quota: the one counter the send-time policy enforces. Transactional messages are never counted nor held. */
export type PlanUsage = {
  /** Marketing messages waiting for the quota (reason quota_exceeded). */
  heldMessages: Scalars['Int']['output'];
  /** Marketing messages a month. */
  monthlyQuota: Scalars['Int']['output'];
  periodStart: Scalars['DateTime']['output'];
  plan: Plan;
  /** Monthly price in Turkish lira. */
  priceTry: Scalars['String']['output'];
  remaining: Scalars['Int']['output'];
  /** The next month's first instant: the counter starts again and marketing held for the quota goes out (at once after an upgrade). */
  resetsAt: Scalars['DateTime']['output'];
  /** resetsAt as a date of the store's calendar (its time zone). */
  resetsOn: Scalars['Date']['output'];
  /** Marketing messages counted this month (the store's time zone): sent, in flight or of unknown outcome; failed and unbilled messages are not counted. */
  usedThisMonth: Scalars['Int']['output'];
  /** 100 when the quota is used up, 80 from 80 % on, else 0: the admin warns. */
  warningLevel: Scalars['Int']['output'];
};

export type Query = {
  /** Meta's charges. */
  analyticsCost: Array<CostRow>;
  /** The report as CSV text. */
  analyticsCsv: Scalars['String']['output'];
  /** Default: the last 30 days. */
  analyticsFunnel: Array<FunnelRow>;
  /** Revenue is net of refunds. */
  analyticsPerformance: Array<PerformanceRow>;
  builtinSegments: Array<BuiltinSegment>;
  campaign: Maybe<Campaign>;
  /** Live; null for an unknown id. */
  campaignProgress: Maybe<CampaignProgress>;
  /** Newest first. */
  campaigns: CampaignConnection;
  /** The carriers the shipped message links to (option `carrier`). */
  carriers: Array<Carrier>;
  /** What the flows did about one Saleor checkout, oldest first. */
  checkoutJourney: Array<JourneyEntry>;
  /** Null before the first import. */
  consentImportStatus: Maybe<ConsentImportStatus>;
  contact: Maybe<Contact>;
  /** The contact's recent orders and link clicks (null for an unknown contact). */
  contactActivity: Maybe<ContactActivity>;
  /** Newest first, with the total matching `filter`. Erased contacts are not listed. */
  contactList: ContactList;
  /** Null before the first sync. */
  contactSyncStatus: Maybe<ContactSyncStatus>;
  /** Newest first; `search` matches the number, the email or a name. Erased contacts are not listed. */
  contacts: ContactConnection;
  /** A contact's inbound and outbound messages merged, newest first (empty for an unknown contact). */
  conversation: ConversationItemConnection;
  costSettings: CostSettings;
  /** The last `days` UTC days, today included. */
  dashboardMetrics: DashboardMetrics;
  /** "Why didn't she get it?": the contact's latest messages, newest first. */
  deliveryExplanation: Array<DeliveryExplanation>;
  /** Null for an unknown key. */
  flow: Maybe<Flow>;
  /** What switched-on flows skip or fail, why and how to fix it; oldest first. */
  flowAlerts: Array<FlowAlert>;
  /** Every flow, in a fixed order, with its funnel. */
  flows: Array<Flow>;
  /** Newest first. */
  inboxEvents: InboxEventConnection;
  /** Consent records not yet registered in İYS (an unconfirmed batch's too) whose 3-business-day limit is within a day or past. */
  iysAlerts: Array<IysAlert>;
  /** One batch, to download again (records, csv or json); null if unknown. */
  iysBatch: Maybe<IysBatch>;
  /** The İYS batches, newest first. */
  iysBatches: Array<IysBatch>;
  /** Meta's messaging limit for the store's number and its 24-hour window. */
  messagingLimit: MessagingLimit;
  /** The store's pickup point: what a LOCATION header mapped to pickup_location shows (null until set). */
  pickupPoint: Maybe<PickupPoint>;
  /** The plans compared (price, quota, features) and which one is the store's. */
  planCatalogue: PlanCatalogue;
  planUsage: PlanUsage;
  /** Render and validate an unsaved draft (nothing is stored). */
  previewDraft: TemplatePreview;
  /** Every reason code a message can carry, with its text and fix (EN/TR). */
  reasonCodes: Array<ReasonText>;
  /** Customers who wrote in the last 24 hours (the service window), this store's only; `first` at most 200. */
  replyInbox: ReplyInbox;
  segment: Maybe<Segment>;
  /** Give exactly one of `rule`, `builtin` (a builtinSegments key) or `segmentId`. */
  segmentPreview: SegmentPreview;
  /** By name. */
  segments: Array<Segment>;
  /** Open sending-health alerts, newest first (empty: every number and template is in good standing). */
  sendingAlerts: Array<SendingAlert>;
  /** The store's staff test numbers (E.164): test sends go only to these, at once and past quiet hours, caps and quota, and record no consent. */
  staffTestNumbers: Array<Scalars['String']['output']>;
  store: Store;
  storeSettings: StoreSettings;
  template: Maybe<MessageTemplate>;
  /** `values`: variable key -> text, e.g. {"first_name": "Ayşe"}; the rest take the catalogue's samples. Null for an unknown template. */
  templatePreview: Maybe<TemplatePreview>;
  /** Recently changed first. */
  templates: MessageTemplateConnection;
  /** The URL-button address whose clicks Ulak counts (<APP_URL>/r/{{1}}); the template editor offers it for every URL button. */
  trackedUrl: Scalars['String']['output'];
  /** The variables a template may use; only those of `flow` when given. */
  variableCatalogue: Array<TemplateVariable>;
  viewer: Viewer;
  whatsappAccounts: Array<WhatsAppAccount>;
};


export type QueryAnalyticsCostArgs = {
  by: AnalyticsDimension;
  end?: InputMaybe<Scalars['Date']['input']>;
  start?: InputMaybe<Scalars['Date']['input']>;
};


export type QueryAnalyticsCsvArgs = {
  by?: AnalyticsDimension;
  end?: InputMaybe<Scalars['Date']['input']>;
  kind: AnalyticsExport;
  start?: InputMaybe<Scalars['Date']['input']>;
};


export type QueryAnalyticsFunnelArgs = {
  by: AnalyticsDimension;
  end?: InputMaybe<Scalars['Date']['input']>;
  start?: InputMaybe<Scalars['Date']['input']>;
};


export type QueryAnalyticsPerformanceArgs = {
  by: AnalyticsDimension;
  end?: InputMaybe<Scalars['Date']['input']>;
  start?: InputMaybe<Scalars['Date']['input']>;
};


export type QueryCampaignArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCampaignProgressArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCampaignsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<CampaignStatus>;
};


export type QueryCheckoutJourneyArgs = {
  checkoutId: Scalars['String']['input'];
};


export type QueryContactArgs = {
  id: Scalars['ID']['input'];
};


export type QueryContactActivityArgs = {
  contactId: Scalars['ID']['input'];
};


export type QueryContactListArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ContactFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryContactsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  search?: InputMaybe<Scalars['String']['input']>;
};


export type QueryConversationArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  contactId: Scalars['ID']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryDashboardMetricsArgs = {
  days?: Scalars['Int']['input'];
};


export type QueryDeliveryExplanationArgs = {
  contactId: Scalars['ID']['input'];
  limit?: Scalars['Int']['input'];
};


export type QueryFlowArgs = {
  id: Scalars['ID']['input'];
};


export type QueryInboxEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<InboxStatus>;
};


export type QueryIysBatchArgs = {
  id: Scalars['ID']['input'];
};


export type QueryIysBatchesArgs = {
  limit?: Scalars['Int']['input'];
};


export type QueryPreviewDraftArgs = {
  input: TemplateDraftInput;
  values?: InputMaybe<Scalars['JSON']['input']>;
};


export type QueryReplyInboxArgs = {
  first?: Scalars['Int']['input'];
};


export type QuerySegmentArgs = {
  id: Scalars['ID']['input'];
};


export type QuerySegmentPreviewArgs = {
  builtin?: InputMaybe<Scalars['String']['input']>;
  rule?: InputMaybe<Scalars['JSON']['input']>;
  segmentId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryTemplateArgs = {
  id: Scalars['ID']['input'];
};


export type QueryTemplatePreviewArgs = {
  id: Scalars['ID']['input'];
  values?: InputMaybe<Scalars['JSON']['input']>;
};


export type QueryTemplatesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  category?: InputMaybe<TemplateCategory>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<TemplateStatus>;
};


export type QueryVariableCatalogueArgs = {
  flow?: InputMaybe<Scalars['String']['input']>;
};

export type ReasonCount = {
  count: Scalars['Int']['output'];
  reason: Scalars['String']['output'];
};

/** A reason code, what it means and how to fix it (EN / TR). */
export type ReasonText = {
  /** The store's setup is at fault: a switched-on flow that meets it alerts. */
  alerts: Scalars['Boolean']['output'];
  code: Scalars['String']['output'];
  /** What the merchant can do (English). */
  fix: Maybe<Scalars['String']['output']>;
  /** What the merchant can do (Turkish). */
  fixTr: Maybe<Scalars['String']['output']>;
  /** A good outcome: the message was not needed because its goal came first (the cart was ordered, the customer replied). */
  reached: Scalars['Boolean']['output'];
  /** English. */
  text: Scalars['String']['output'];
  /** Turkish. */
  textTr: Scalars['String']['output'];
};

export type RecordConsentPayload = {
  contact: Maybe<Contact>;
  errors: Array<AdminError>;
  event: Maybe<ConsentEvent>;
};

export type RenderedButton = {
  code: Maybe<Scalars['String']['output']>;
  payload: Maybe<Scalars['String']['output']>;
  phoneNumber: Maybe<Scalars['String']['output']>;
  text: Scalars['String']['output'];
  type: Scalars['String']['output'];
  url: Maybe<Scalars['String']['output']>;
};

export type RenderedHeader = {
  format: Scalars['String']['output'];
  link: Maybe<Scalars['String']['output']>;
  text: Maybe<Scalars['String']['output']>;
};

export type ReplyInbox = {
  /** Unanswered first, then newest. */
  threads: Array<ReplyThread>;
  /** Customers whose service window is open. */
  total: Scalars['Int']['output'];
  unanswered: Scalars['Int']['output'];
};

/** A customer who wrote in the last 24 hours, with their last message. */
export type ReplyThread = {
  /** A service reply (yours or an automatic confirmation) followed it. */
  answered: Scalars['Boolean']['output'];
  buttonPayload: Maybe<Scalars['String']['output']>;
  contact: Contact;
  lastMessageAt: Scalars['DateTime']['output'];
  /** Null for media or a button. */
  lastMessageText: Maybe<Scalars['String']['output']>;
  /** text, button, image, ... */
  lastMessageType: Maybe<Scalars['String']['output']>;
};

/** A merchant's own segment: a name and a rule (docs/segment-rules.md). */
export type Segment = {
  /** Reachable contacts in it now (null if its rule is invalid, or if the store's segments take longer than the audience budget to count together). */
  contactCount: Maybe<Scalars['Int']['output']>;
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  rule: Scalars['JSON']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type SegmentPayload = {
  errors: Array<AdminError>;
  segment: Maybe<Segment>;
};

/** An audience's size and its first 20 contacts; `errors` when the rule is invalid (field = rule path) or the plan lacks the feature. */
export type SegmentPreview = {
  count: Scalars['Int']['output'];
  errors: Array<AdminError>;
  sample: Array<AudienceContact>;
};

/** An open sending-health alert, with its reason and fix (TR/EN). */
export type SendingAlert = {
  /** Meta's figures: the number, the template, the new category and its date. */
  detail: Scalars['JSON']['output'];
  openedAt: Scalars['DateTime']['output'];
  /** The code, its text and its fix (EN/TR). */
  reason: ReasonText;
  /** What it is about: "account:<id>", "template:<id>" or "campaign:<id>". */
  subject: Scalars['String']['output'];
};

export type StaffTestNumbersPayload = {
  errors: Array<AdminError>;
  numbers: Maybe<Array<Scalars['String']['output']>>;
};

/** A shipped rate Meta changed without a known new figure. */
export type StaleFigure = {
  /** Meta's pricing category, lower case. */
  category: Scalars['String']['output'];
  /** ISO 3166 alpha-2 of the calling code. */
  country: Scalars['String']['output'];
  /** YYYY-MM-DD: Meta's change. */
  since: Scalars['String']['output'];
  /** The change was a decrease: the figure is more than Meta bills. */
  upperBound: Scalars['Boolean']['output'];
};

/** This Saleor installation of Ulak. */
export type Store = {
  domain: Scalars['String']['output'];
  installedAt: Scalars['DateTime']['output'];
  name: Scalars['String']['output'];
  plan: Plan;
  saleorApiUrl: Scalars['String']['output'];
  status: Scalars['String']['output'];
};

export type StoreSettings = {
  attributionWindowHours: Scalars['Int']['output'];
  checkoutUrlTemplate: Maybe<Scalars['String']['output']>;
  defaultLocale: Scalars['String']['output'];
  defaultRegion: Scalars['String']['output'];
  inboxRetentionDays: Scalars['Int']['output'];
  marketingCap7d: Scalars['Int']['output'];
  marketingCap24h: Scalars['Int']['output'];
  messageRetentionDays: Scalars['Int']['output'];
  /** Storefront opt-in requests accepted per UTC day (each may send a message billed to the store); past it the storefront gets a 429. */
  optinDailyLimit: Scalars['Int']['output'];
  optinKeywords: Array<Scalars['String']['output']>;
  optinLapseDays: Scalars['Int']['output'];
  optoutKeywords: Array<Scalars['String']['output']>;
  quietHoursEnd: Scalars['String']['output'];
  quietHoursStart: Scalars['String']['output'];
  quietHoursTransactional: Scalars['Boolean']['output'];
  recoveryPauseAfterOrderHours: Scalars['Int']['output'];
  resumeKeywords: Array<Scalars['String']['output']>;
  /** Sites that may call POST /api/storefront/opt-in from a browser. */
  storefrontOrigins: Array<Scalars['String']['output']>;
  storefrontUrl: Maybe<Scalars['String']['output']>;
  /** Share of Meta's messaging limit campaigns leave for order updates (at least 50 recipients, at most half the limit; 0 turns it off). */
  tierReservePercent: Scalars['Int']['output'];
  timezone: Scalars['String']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

/** Only the fields given change. */
export type StoreSettingsInput = {
  attributionWindowHours?: InputMaybe<Scalars['Int']['input']>;
  checkoutUrlTemplate?: InputMaybe<Scalars['String']['input']>;
  defaultLocale?: InputMaybe<Scalars['String']['input']>;
  defaultRegion?: InputMaybe<Scalars['String']['input']>;
  inboxRetentionDays?: InputMaybe<Scalars['Int']['input']>;
  marketingCap7d?: InputMaybe<Scalars['Int']['input']>;
  marketingCap24h?: InputMaybe<Scalars['Int']['input']>;
  messageRetentionDays?: InputMaybe<Scalars['Int']['input']>;
  /** 0 to 100000; default 500. */
  optinDailyLimit?: InputMaybe<Scalars['Int']['input']>;
  optinKeywords?: InputMaybe<Array<Scalars['String']['input']>>;
  optinLapseDays?: InputMaybe<Scalars['Int']['input']>;
  optoutKeywords?: InputMaybe<Array<Scalars['String']['input']>>;
  /** HH:MM */
  quietHoursEnd?: InputMaybe<Scalars['String']['input']>;
  /** HH:MM */
  quietHoursStart?: InputMaybe<Scalars['String']['input']>;
  quietHoursTransactional?: InputMaybe<Scalars['Boolean']['input']>;
  recoveryPauseAfterOrderHours?: InputMaybe<Scalars['Int']['input']>;
  resumeKeywords?: InputMaybe<Array<Scalars['String']['input']>>;
  /** e.g. https://shop.example.com; [] allows server calls only. */
  storefrontOrigins?: InputMaybe<Array<Scalars['String']['input']>>;
  storefrontUrl?: InputMaybe<Scalars['String']['input']>;
  /** 0 to 50. */
  tierReservePercent?: InputMaybe<Scalars['Int']['input']>;
  timezone?: InputMaybe<Scalars['String']['input']>;
};

export type StoreSettingsPayload = {
  errors: Array<AdminError>;
  settings: Maybe<StoreSettings>;
};

export type StorefrontKeyPayload = {
  errors: Array<AdminError>;
  /** Public key for POST /api/storefront/opt-in (created once). */
  key: Maybe<Scalars['String']['output']>;
};

export type SupportReplyPayload = {
  errors: Array<AdminError>;
  message: Maybe<ConversationItem>;
};

export type SyncTemplatesPayload = {
  created: Scalars['Int']['output'];
  deleted: Scalars['Int']['output'];
  errors: Array<AdminError>;
  updated: Scalars['Int']['output'];
};

export type TagCsvRow = {
  message: Scalars['String']['output'];
  messageTr: Scalars['String']['output'];
  row: Scalars['Int']['output'];
  status: Scalars['String']['output'];
  tags: Array<Scalars['String']['output']>;
};

export type TagsPayload = {
  errors: Array<AdminError>;
  tags: Array<Scalars['String']['output']>;
};

export type TemplateCategory =
  | 'AUTHENTICATION'
  | 'MARKETING'
  | 'UTILITY';

export type TemplateDraftInput = {
  category: TemplateCategory;
  components: Scalars['JSON']['input'];
  language: Scalars['String']['input'];
  name: Scalars['String']['input'];
  variableMapping?: InputMaybe<Scalars['JSON']['input']>;
};

export type TemplatePayload = {
  errors: Array<AdminError>;
  problems: Array<TemplateProblem>;
  template: Maybe<MessageTemplate>;
};

/** What the customer's phone would show. */
export type TemplatePreview = {
  body: Scalars['String']['output'];
  buttons: Array<RenderedButton>;
  footer: Maybe<Scalars['String']['output']>;
  header: Maybe<RenderedHeader>;
  problems: Array<TemplateProblem>;
};

/** A template rule's finding; warnings never block a draft. */
export type TemplateProblem = {
  /** The rule, e.g. variable_unknown. */
  code: Scalars['String']['output'];
  message: Scalars['String']['output'];
  messageTr: Scalars['String']['output'];
  /** Where in the template, e.g. "components.1.text". */
  path: Scalars['String']['output'];
  /** error or warning. */
  severity: Scalars['String']['output'];
  /** "name:language" when several templates are reported. */
  template: Maybe<Scalars['String']['output']>;
};

export type TemplateStatus =
  | 'APPROVED'
  | 'DELETED'
  | 'DISABLED'
  | 'DRAFT'
  | 'IN_APPEAL'
  | 'PAUSED'
  | 'PENDING'
  | 'REJECTED';

export type TemplateVariable = {
  flows: Array<Scalars['String']['output']>;
  key: Scalars['String']['output'];
  labelEn: Scalars['String']['output'];
  labelTr: Scalars['String']['output'];
  sampleEn: Scalars['String']['output'];
  sampleTr: Scalars['String']['output'];
};

export type TestMessagePayload = {
  errors: Array<AdminError>;
  message: Maybe<ConversationItem>;
};

/** Whether a URL button's clicks can be counted, and how to fix it. */
export type UrlButtonTracking = {
  index: Scalars['Int']['output'];
  message: Scalars['String']['output'];
  messageTr: Scalars['String']['output'];
  text: Scalars['String']['output'];
  tracked: Scalars['Boolean']['output'];
  url: Scalars['String']['output'];
};

/** The staff user behind the token. */
export type Viewer = {
  email: Maybe<Scalars['String']['output']>;
  isStaff: Scalars['Boolean']['output'];
  userId: Maybe<Scalars['String']['output']>;
  userPermissions: Array<Scalars['String']['output']>;
};

/** Meta's volume pricing tier of the month (account_update). */
export type VolumeTier = {
  /** A discount applies: list prices are an upper bound. */
  aboveFirstTier: Scalars['Boolean']['output'];
  /** UTILITY or AUTHENTICATION, as Meta names it. */
  category: Scalars['String']['output'];
  /** YYYY-MM. */
  effectiveMonth: Scalars['String']['output'];
  /** Meta's market name, e.g. TURKEY. */
  region: Scalars['String']['output'];
  /** Monthly messages band, e.g. 25000001:50000000. */
  tier: Scalars['String']['output'];
  updatedAt: Maybe<Scalars['DateTime']['output']>;
};

/** A connected number; the access token is never returned. */
export type WhatsAppAccount = {
  createdAt: Scalars['DateTime']['output'];
  displayPhone: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  isDefault: Scalars['Boolean']['output'];
  isSandbox: Scalars['Boolean']['output'];
  /** Marketing templates go through /marketing_messages. */
  marketingViaMmApi: Scalars['Boolean']['output'];
  messagingLimitTier: Maybe<Scalars['String']['output']>;
  /** The WABA's Marketing Messages API onboarding status as last read from the Graph API (ONBOARDED, ELIGIBLE, INELIGIBLE_*, PENDING_*); null: never read. */
  mmApiStatus: Maybe<Scalars['String']['output']>;
  mmApiStatusReadAt: Maybe<Scalars['DateTime']['output']>;
  phoneNumberId: Scalars['String']['output'];
  qualityRating: Maybe<Scalars['String']['output']>;
  /** Messages Meta accepted from this number this month. */
  sentThisMonth: Scalars['Int']['output'];
  status: Scalars['String']['output'];
  statusReason: Maybe<Scalars['String']['output']>;
  wabaId: Scalars['String']['output'];
};

export type WhatsAppAccountPayload = {
  account: Maybe<WhatsAppAccount>;
  errors: Array<AdminError>;
};

export type UlakSendTestMessageMutationVariables = Exact<{
  phone: Scalars['String']['input'];
  templateId: InputMaybe<Scalars['ID']['input']>;
  text: InputMaybe<Scalars['String']['input']>;
}>;


export type UlakSendTestMessageMutation = { sendTestMessage: { message: { id: string, status: MessageStatus | null, statusReason: string | null } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakSegmentPreviewQueryVariables = Exact<{
  rule: InputMaybe<Scalars['JSON']['input']>;
  builtin: InputMaybe<Scalars['String']['input']>;
  segmentId: InputMaybe<Scalars['ID']['input']>;
}>;


export type UlakSegmentPreviewQuery = { segmentPreview: { count: number, sample: Array<{ id: string, name: string | null, phone: string | null, country: string | null, locale: string | null, ordersCount: number | null, lastOrderAt: string | null }>, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakUpdateSettingsMutationVariables = Exact<{
  input: StoreSettingsInput;
}>;


export type UlakUpdateSettingsMutation = { updateStoreSettings: { settings: { timezone: string, defaultRegion: string, defaultLocale: string, quietHoursStart: string, quietHoursEnd: string, quietHoursTransactional: boolean, marketingCap24h: number, marketingCap7d: number, recoveryPauseAfterOrderHours: number, optoutKeywords: Array<string>, optinKeywords: Array<string>, resumeKeywords: Array<string>, tierReservePercent: number, storefrontUrl: string | null, checkoutUrlTemplate: string | null, storefrontOrigins: Array<string>, optinDailyLimit: number, updatedAt: string } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakSettingsQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakSettingsQuery = { storeSettings: { timezone: string, defaultRegion: string, defaultLocale: string, quietHoursStart: string, quietHoursEnd: string, quietHoursTransactional: boolean, marketingCap24h: number, marketingCap7d: number, recoveryPauseAfterOrderHours: number, optoutKeywords: Array<string>, optinKeywords: Array<string>, resumeKeywords: Array<string>, tierReservePercent: number, storefrontUrl: string | null, checkoutUrlTemplate: string | null, storefrontOrigins: Array<string>, optinDailyLimit: number, updatedAt: string }, planUsage: { plan: Plan, monthlyQuota: number, usedThisMonth: number, remaining: number, periodStart: string, priceTry: string, warningLevel: number, resetsAt: string, resetsOn: string, heldMessages: number } };

export type UlakDisconnectWhatsAppMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakDisconnectWhatsAppMutation = { disconnectWhatsApp: { account: { id: string, status: string } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakContactListQueryVariables = Exact<{
  filter: InputMaybe<ContactFilter>;
  first: InputMaybe<Scalars['Int']['input']>;
  after: InputMaybe<Scalars['String']['input']>;
  last: InputMaybe<Scalars['Int']['input']>;
  before: InputMaybe<Scalars['String']['input']>;
}>;


export type UlakContactListQuery = { contactList: { totalCount: number, edges: Array<{ node: { id: string, phone: string | null, firstName: string | null, lastName: string | null, email: string | null, country: string | null, lastInboundAt: string | null, consents: Array<{ purpose: ConsentPurpose, granted: boolean, action: ConsentAction | null, at: string | null, source: ConsentSource | null }> } }>, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null } }, segments: Array<{ id: string, name: string }> };

export type UlakPauseCampaignMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakPauseCampaignMutation = { pauseCampaign: { campaign: { id: string, status: CampaignStatus } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakSendCampaignTestMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  phone: Scalars['String']['input'];
}>;


export type UlakSendCampaignTestMutation = { sendCampaignTest: { campaign: { id: string, testSentAt: string | null } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakSetFlowEnabledMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  enabled: Scalars['Boolean']['input'];
}>;


export type UlakSetFlowEnabledMutation = { setFlowEnabled: { flow: { id: string, enabled: boolean, alerts: Array<{ flowKey: string, firstSeenAt: string | null, lastSeenAt: string | null, templateName: string | null, orderId: string | null, checkoutId: string | null, reason: { code: string, text: string, textTr: string, fix: string | null, fixTr: string | null, alerts: boolean } }> } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakPlanCatalogueQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakPlanCatalogueQuery = { planCatalogue: { current: Plan, plans: Array<{ plan: Plan, priceTry: string, monthlyQuota: number, campaignMaxRecipients: number | null, features: Array<string>, current: boolean }>, features: Array<{ code: string, label: string, labelTr: string, requiredPlan: Plan, included: boolean }> } };

export type UlakInstallStarterTemplatesMutationVariables = Exact<{
  submit: Scalars['Boolean']['input'];
}>;


export type UlakInstallStarterTemplatesMutation = { installStarterTemplates: { templates: Array<{ id: string, name: string, status: TemplateStatus }>, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakExportContactMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakExportContactMutation = { exportContact: { export: unknown | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakMessagingLimitQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakMessagingLimitQuery = { messagingLimit: { tierName: string | null, tier: number | null, used: number, reserve: number, available: number | null, marketingAvailable: number | null, nextFreeAt: string | null, throughputMps: number | null, readAt: string | null } };

export type UlakTemplatesQueryVariables = Exact<{
  first: InputMaybe<Scalars['Int']['input']>;
}>;


export type UlakTemplatesQuery = { templates: { edges: Array<{ node: { id: string, name: string, language: string, category: TemplateCategory, status: TemplateStatus, quality: string | null, rejectedReason: string | null, starterKey: string | null, components: unknown, updatedAt: string } }> } };

export type UlakImportConsentCsvMutationVariables = Exact<{
  csv: Scalars['String']['input'];
}>;


export type UlakImportConsentCsvMutation = { importConsentCsv: { imported: number, skipped: number, failed: number, rows: Array<{ line: number, status: string, reason: string | null }>, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakLaunchCampaignMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  acceptDailyTier: Scalars['Boolean']['input'];
}>;


export type UlakLaunchCampaignMutation = { launchCampaign: { campaign: { id: string, name: string, status: CampaignStatus, sendMode: CampaignSendMode, scheduledAt: string | null, localDate: string | null, localTime: string | null, holdoutPercent: number, recipients: number, estimatedCost: string | null, estimatedMessages: number | null, costCurrency: string | null, testSentAt: string | null, launchedAt: string | null, startedAt: string | null, completedAt: string | null, cancelledAt: string | null, createdAt: string, builtinSegment: string | null, segmentId: string | null, variants: Array<{ key: string, templateName: string, templateLanguage: string, share: number, bodyFields: Array<string>, fallbacks: unknown }>, counts: { toSend: number, handled: number, queued: number, held: number, sent: number, delivered: number, read: number, failed: number, skipped: number, cancelled: number, quietHours: number, startsAt: string | null } } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakSaveCampaignMutationVariables = Exact<{
  input: CampaignInput;
  id: InputMaybe<Scalars['ID']['input']>;
}>;


export type UlakSaveCampaignMutation = { saveCampaign: { campaign: { id: string, name: string, status: CampaignStatus, sendMode: CampaignSendMode, scheduledAt: string | null, localDate: string | null, localTime: string | null, holdoutPercent: number, recipients: number, estimatedCost: string | null, estimatedMessages: number | null, costCurrency: string | null, testSentAt: string | null, launchedAt: string | null, startedAt: string | null, completedAt: string | null, cancelledAt: string | null, createdAt: string, builtinSegment: string | null, segmentId: string | null, variants: Array<{ key: string, templateName: string, templateLanguage: string, share: number, bodyFields: Array<string>, fallbacks: unknown }>, counts: { toSend: number, handled: number, queued: number, held: number, sent: number, delivered: number, read: number, failed: number, skipped: number, cancelled: number, quietHours: number, startsAt: string | null } } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakFlowsQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakFlowsQuery = { flows: Array<{ id: string, key: string, enabled: boolean, orderUpdate: boolean, channels: Array<string>, templateNames: Array<string>, options: unknown, steps: Array<{ position: number, delayMinutes: number, templateName: string, discountCode: string | null }>, funnel: { entered: number, sent: number, delivered: number, read: number, clicked: number, converted: number } | null, alerts: Array<{ flowKey: string, firstSeenAt: string | null, lastSeenAt: string | null, templateName: string | null, orderId: string | null, checkoutId: string | null, reason: { code: string, text: string, textTr: string, fix: string | null, fixTr: string | null, alerts: boolean } }> }> };

export type UlakContactQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakContactQuery = { contact: { id: string, phone: string | null, firstName: string | null, lastName: string | null, email: string | null, country: string | null, lastInboundAt: string | null, serviceWindowOpen: boolean, serviceWindowOpenUntil: string | null, ordersCount: number, lastOrderAt: string | null, totalSpent: Array<{ currency: string, amount: string }>, consents: Array<{ purpose: ConsentPurpose, granted: boolean, action: ConsentAction | null, at: string | null, source: ConsentSource | null }>, consentTimeline: Array<{ id: string, purpose: ConsentPurpose, action: ConsentAction, source: ConsentSource, occurredAt: string, textVersion: string | null }> } | null, conversation: { edges: Array<{ node: { id: string, direction: MessageDirection, at: string, text: string | null, templateName: string | null, kind: MessageKind | null, status: MessageStatus | null, statusReason: string | null, errorCode: number | null, errorMessage: string | null, dueAt: string | null, statusReasonText: { code: string, text: string, textTr: string, fix: string | null, fixTr: string | null, alerts: boolean } | null } }> } };

export type UlakIysExportMutationVariables = Exact<{ [key: string]: never; }>;


export type UlakIysExportMutation = { iysExport: { batch: { id: string, recordCount: number, csv: string } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakSubmitTemplateMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakSubmitTemplateMutation = { submitTemplate: { template: { id: string, status: TemplateStatus, rejectedReason: string | null } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakDeleteCampaignMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakDeleteCampaignMutation = { deleteCampaign: { campaign: { id: string, name: string } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakUpdateSegmentMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  name: Scalars['String']['input'];
  rule: Scalars['JSON']['input'];
}>;


export type UlakUpdateSegmentMutation = { updateSegment: { segment: { id: string, name: string, rule: unknown, contactCount: number | null, updatedAt: string } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakConfirmIysBatchMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakConfirmIysBatchMutation = { confirmIysBatch: { batch: { id: string, status: string } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakSegmentsQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakSegmentsQuery = { segments: Array<{ id: string, name: string, rule: unknown, contactCount: number | null, updatedAt: string }> };

export type UlakDeleteSegmentMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakDeleteSegmentMutation = { deleteSegment: { segment: { id: string } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakSetExchangeRateMutationVariables = Exact<{
  rate: InputMaybe<Scalars['String']['input']>;
  rateDate: InputMaybe<Scalars['Date']['input']>;
}>;


export type UlakSetExchangeRateMutation = { setExchangeRate: { costSettings: { billingCurrency: string, rateCardCurrency: string, storeCurrency: string, exchangeRate: { rate: string, rateDate: string, base: string, quote: string } | null } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakDashboardQueryVariables = Exact<{
  days: Scalars['Int']['input'];
}>;


export type UlakDashboardQuery = { dashboardMetrics: { daily: Array<{ date: string, sent: number, delivered: number, read: number, clicked: number, replied: number, optedOut: number, orders: number, revenue: string, cost: string }>, headline: { sent: number, delivered: number, read: number, clicked: number, replied: number, optedOut: number, failed: number, orders: number, deliveredRate: string | null, readRate: string | null, revenueCurrency: string, cost: string, costCurrency: string, returnOnSpend: string | null, billingCurrency: string, billingCurrencySource: BillingCurrencySource, rateCardCurrency: string, rateCardDate: string | null, staleSince: string | null, revenue: Array<{ currency: string, amount: string }>, staleFigures: Array<{ country: string, category: string, since: string, upperBound: boolean }>, costInStoreCurrency: { amount: string, currency: string, exchangeRate: { rate: string, rateDate: string, base: string, quote: string } } | null, volumeTiers: Array<{ category: string, region: string, effectiveMonth: string, tier: string, aboveFirstTier: boolean }> }, setup: { whatsappConnected: boolean, orderUpdatesOn: boolean, cartRecoveryOn: boolean, campaigns: number }, topSkipReasons: Array<{ reason: string, count: number }>, topReachedReasons: Array<{ reason: string, count: number }>, topFailureReasons: Array<{ reason: string, count: number }> } };

export type UlakReplyInboxQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakReplyInboxQuery = { replyInbox: { total: number, unanswered: number, threads: Array<{ lastMessageAt: string, lastMessageText: string | null, lastMessageType: string | null, buttonPayload: string | null, answered: boolean, contact: { id: string, firstName: string | null, lastName: string | null, phone: string | null, serviceWindowOpenUntil: string | null } }> } };

export type UlakPickupPointQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakPickupPointQuery = { pickupPoint: { latitude: number, longitude: number, name: string, address: string } | null };

export type UlakOnboardingQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakOnboardingQuery = { store: { name: string, domain: string, status: string, plan: Plan }, whatsappAccounts: Array<{ id: string, phoneNumberId: string, wabaId: string, displayPhone: string, isSandbox: boolean, isDefault: boolean, status: string, statusReason: string | null, qualityRating: string | null, messagingLimitTier: string | null, sentThisMonth: number, createdAt: string }>, storeSettings: { storefrontUrl: string | null, checkoutUrlTemplate: string | null } };

export type UlakResumeCampaignMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakResumeCampaignMutation = { resumeCampaign: { campaign: { id: string, status: CampaignStatus } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakCancelCampaignMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakCancelCampaignMutation = { cancelCampaign: { campaign: { id: string, status: CampaignStatus } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakClearPickupPointMutationVariables = Exact<{ [key: string]: never; }>;


export type UlakClearPickupPointMutation = { clearPickupPoint: { errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakCampaignProgressQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakCampaignProgressQuery = { campaign: { id: string, name: string, status: CampaignStatus, recipients: number, counts: { toSend: number, handled: number, queued: number, held: number, sent: number, delivered: number, read: number, failed: number, skipped: number, cancelled: number, quietHours: number, startsAt: string | null } } | null, campaignProgress: { status: CampaignStatus, recipients: number, holdout: number, queued: number, snapshotDone: boolean, fanoutDone: boolean, waitingForWinner: number, winnerVariant: string | null, byStatus: unknown, byReason: unknown, byVariant: unknown, batches: number } | null };

export type UlakMmApiStatusQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakMmApiStatusQuery = { whatsappAccounts: Array<{ id: string, displayPhone: string, isDefault: boolean, status: string, mmApiStatus: string | null, mmApiStatusReadAt: string | null, marketingViaMmApi: boolean }> };

export type UlakCreateSegmentMutationVariables = Exact<{
  name: Scalars['String']['input'];
  rule: Scalars['JSON']['input'];
}>;


export type UlakCreateSegmentMutation = { createSegment: { segment: { id: string, name: string, rule: unknown, contactCount: number | null, updatedAt: string } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakChangePlanMutationVariables = Exact<{
  plan: Plan;
}>;


export type UlakChangePlanMutation = { changePlan: { usage: { plan: Plan, monthlyQuota: number, usedThisMonth: number, remaining: number, periodStart: string, priceTry: string, warningLevel: number, resetsAt: string, resetsOn: string, heldMessages: number } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakCostSettingsQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakCostSettingsQuery = { costSettings: { billingCurrency: string, rateCardCurrency: string, storeCurrency: string, exchangeRate: { rate: string, rateDate: string, base: string, quote: string } | null } };

export type UlakContactsQueryVariables = Exact<{
  search: InputMaybe<Scalars['String']['input']>;
  first: InputMaybe<Scalars['Int']['input']>;
}>;


export type UlakContactsQuery = { contacts: { edges: Array<{ node: { id: string, phone: string | null, firstName: string | null, lastName: string | null, email: string | null, lastInboundAt: string | null, consents: Array<{ purpose: ConsentPurpose, granted: boolean, action: ConsentAction | null, at: string | null, source: ConsentSource | null }> } }> } };

export type UlakPlanUsageQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakPlanUsageQuery = { planUsage: { plan: Plan, monthlyQuota: number, usedThisMonth: number, remaining: number, periodStart: string, priceTry: string, warningLevel: number, resetsAt: string, resetsOn: string, heldMessages: number } };

export type UlakFlowExtrasQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakFlowExtrasQuery = { carriers: Array<{ key: string, name: string, trackingUrl: string, confirmed: boolean }>, templates: { edges: Array<{ node: { id: string, name: string, language: string, category: TemplateCategory, status: TemplateStatus, components: unknown } }> } };

export type UlakUpdateFlowMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  input: FlowInput;
}>;


export type UlakUpdateFlowMutation = { updateFlow: { flow: { id: string, options: unknown } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakSendingAlertsQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakSendingAlertsQuery = { sendingAlerts: Array<{ subject: string, detail: unknown, openedAt: string, reason: { code: string, text: string, textTr: string, fix: string | null, fixTr: string | null, alerts: boolean, reached: boolean } }> };

export type UlakEraseContactMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakEraseContactMutation = { eraseContact: { contact: { id: string } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakEstimateCampaignMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakEstimateCampaignMutation = { estimateCampaign: { estimate: { audience: number, holdout: number, consented: number, messages: number, cost: string, costCurrency: string, byCountry: unknown, dailyTier: number | null, exceedsDailyTier: boolean, daysNeeded: number, planLimit: number | null, withinPlanLimit: boolean, billingCurrency: string, billingCurrencySource: BillingCurrencySource, rateCardCurrency: string, rateCardDate: string | null, staleSince: string | null, staleFigures: Array<{ country: string, category: string, since: string, upperBound: boolean }>, costInStoreCurrency: { amount: string, currency: string, exchangeRate: { rate: string, rateDate: string, base: string, quote: string } } | null, volumeTiers: Array<{ category: string, region: string, effectiveMonth: string, tier: string, aboveFirstTier: boolean }> } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakRecordConsentMutationVariables = Exact<{
  contactId: Scalars['ID']['input'];
  purpose: ConsentPurpose;
  action: ConsentDecision;
  note: InputMaybe<Scalars['String']['input']>;
}>;


export type UlakRecordConsentMutation = { recordConsent: { event: { id: string } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakReasonCodesQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakReasonCodesQuery = { reasonCodes: Array<{ code: string, text: string, textTr: string, fix: string | null, fixTr: string | null, alerts: boolean }> };

export type UlakCampaignResultsQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakCampaignResultsQuery = { campaign: { id: string, name: string, status: CampaignStatus, holdoutPercent: number, startedAt: string | null, results: { since: string, sent: number, delivered: number, read: number, clicked: number, replied: number, optedOut: number, orders: number, revenue: unknown, cost: string, costCurrency: string, billingCurrency: string, billingCurrencySource: BillingCurrencySource, rateCardCurrency: string, rateCardDate: string | null, staleSince: string | null, staleFigures: Array<{ country: string, category: string, since: string, upperBound: boolean }>, costInStoreCurrency: { amount: string, currency: string, exchangeRate: { rate: string, rateDate: string, base: string, quote: string } } | null, volumeTiers: Array<{ category: string, region: string, effectiveMonth: string, tier: string, aboveFirstTier: boolean }> } | null, holdoutLift: { windowHours: number, treated: number, holdout: number, treatedConversions: number, holdoutConversions: number, treatedRate: number, holdoutRate: number, absoluteLift: number, intervalLow: number | null, intervalHigh: number | null, confidence: number, enoughData: boolean, notEnoughData: string | null, note: string | null, noteTr: string | null } } | null };

export type UlakStoreTimezoneQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakStoreTimezoneQuery = { storeSettings: { timezone: string } };

export type UlakCampaignOptionsQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakCampaignOptionsQuery = { segments: Array<{ id: string, name: string, contactCount: number | null }>, builtinSegments: Array<{ key: string, label: string, labelTr: string }>, templates: { edges: Array<{ node: { id: string, name: string, language: string, category: TemplateCategory, components: unknown } }> }, storeSettings: { timezone: string, quietHoursStart: string, quietHoursEnd: string, marketingCap24h: number, marketingCap7d: number }, planUsage: { plan: Plan } };

export type UlakCampaignsQueryVariables = Exact<{
  first: InputMaybe<Scalars['Int']['input']>;
}>;


export type UlakCampaignsQuery = { campaigns: { edges: Array<{ node: { id: string, name: string, status: CampaignStatus, sendMode: CampaignSendMode, scheduledAt: string | null, localDate: string | null, localTime: string | null, holdoutPercent: number, recipients: number, estimatedCost: string | null, estimatedMessages: number | null, costCurrency: string | null, testSentAt: string | null, launchedAt: string | null, startedAt: string | null, completedAt: string | null, cancelledAt: string | null, createdAt: string, builtinSegment: string | null, segmentId: string | null, variants: Array<{ key: string, templateName: string, templateLanguage: string, share: number, bodyFields: Array<string>, fallbacks: unknown }>, counts: { toSend: number, handled: number, queued: number, held: number, sent: number, delivered: number, read: number, failed: number, skipped: number, cancelled: number, quietHours: number, startsAt: string | null } } }> } };

export type UlakThreadQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakThreadQuery = { conversation: { edges: Array<{ node: { id: string, direction: MessageDirection, at: string, text: string | null, templateName: string | null, kind: MessageKind | null, status: MessageStatus | null, statusReason: string | null, errorCode: number | null, errorMessage: string | null, statusReasonText: { code: string, text: string, textTr: string, fix: string | null, fixTr: string | null, alerts: boolean } | null } }> } };

export type UlakIysQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakIysQuery = { iysAlerts: Array<{ eventId: string, recipient: string, status: string, deadline: string, overdue: boolean }>, iysBatches: Array<{ id: string, status: string, recordCount: number, createdAt: string }> };

export type UlakContactActivityQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakContactActivityQuery = { contactActivity: { clicks: number, lastClickAt: string | null, orders: Array<{ orderId: string, createdAt: string, total: string, currency: string, status: string, cancelled: boolean }> } | null };

export type UlakSaveTemplateDraftMutationVariables = Exact<{
  input: TemplateDraftInput;
}>;


export type UlakSaveTemplateDraftMutation = { saveTemplateDraft: { template: { id: string, name: string, language: string, category: TemplateCategory, status: TemplateStatus, quality: string | null, rejectedReason: string | null, starterKey: string | null, components: unknown, updatedAt: string } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }>, problems: Array<{ path: string, code: string, severity: string, message: string, messageTr: string }> } };

export type UlakSendSupportReplyMutationVariables = Exact<{
  contactId: Scalars['ID']['input'];
  text: Scalars['String']['input'];
}>;


export type UlakSendSupportReplyMutation = { sendSupportReply: { message: { id: string, status: MessageStatus | null } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakStaffTestNumbersQueryVariables = Exact<{ [key: string]: never; }>;


export type UlakStaffTestNumbersQuery = { staffTestNumbers: Array<string> };

export type UlakSetStaffTestNumbersMutationVariables = Exact<{
  numbers: Array<Scalars['String']['input']> | Scalars['String']['input'];
}>;


export type UlakSetStaffTestNumbersMutation = { setStaffTestNumbers: { numbers: Array<string> | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakSetPickupPointMutationVariables = Exact<{
  latitude: Scalars['Float']['input'];
  longitude: Scalars['Float']['input'];
  name: Scalars['String']['input'];
  address: Scalars['String']['input'];
}>;


export type UlakSetPickupPointMutation = { setPickupPoint: { pickupPoint: { latitude: number, longitude: number, name: string, address: string } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };

export type UlakCampaignMessageQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type UlakCampaignMessageQuery = { campaign: { id: string, messagePreviews: Array<{ variant: string, templateName: string, templateLanguage: string, problem: string | null, problemTr: string | null, preview: { body: string, footer: string | null, header: { format: string, text: string | null, link: string | null } | null, buttons: Array<{ type: string, text: string, url: string | null, phoneNumber: string | null, payload: string | null, code: string | null }> } | null }> } | null };

export type UlakConnectWhatsAppMutationVariables = Exact<{
  input: ConnectWhatsAppInput;
}>;


export type UlakConnectWhatsAppMutation = { connectWhatsApp: { account: { id: string, phoneNumberId: string, wabaId: string, displayPhone: string, isSandbox: boolean, isDefault: boolean, status: string, statusReason: string | null, qualityRating: string | null, messagingLimitTier: string | null, sentThisMonth: number, createdAt: string } | null, errors: Array<{ field: string | null, code: AdminErrorCode, message: string, messageTr: string }> } };
