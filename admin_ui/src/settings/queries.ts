/**
 * The settings page's documents: the store's settings and plan, its staff test numbers and its
 * pickup point (plugin/admin_api/domains/store.py, staff_numbers.py, pickup.py). They are listed
 * in the one DOCUMENTS table of ../api/queries.ts, so the schema test validates them too.
 */
import { ADMIN_ERRORS } from "../api/fragments";
import type { UlakChangePlanMutation, UlakClearPickupPointMutation, UlakPickupPointQuery, UlakPlanUsageQuery, UlakSetPickupPointMutation, UlakSetStaffTestNumbersMutation, UlakSettingsQuery, UlakStaffTestNumbersQuery, UlakUpdateSettingsMutation } from "../api/generated";
import { typed } from "../api/typed";

const SETTINGS_FIELDS = `timezone defaultRegion defaultLocale quietHoursStart quietHoursEnd quietHoursTransactional marketingCap24h marketingCap7d recoveryPauseAfterOrderHours optoutKeywords optinKeywords resumeKeywords tierReservePercent storefrontUrl checkoutUrlTemplate storefrontOrigins optinDailyLimit updatedAt`;

const USAGE_FIELDS = `plan monthlyQuota usedThisMonth remaining periodStart priceTry warningLevel resetsAt resetsOn heldMessages`;

const PICKUP_FIELDS = `latitude longitude name address`;

export const SETTINGS = typed<UlakSettingsQuery>(`query UlakSettings {
  storeSettings { ${SETTINGS_FIELDS} }
  planUsage { ${USAGE_FIELDS} }
}`);

/** The plan quota's counter alone: the dashboard's 80 % / 100 % banner. */
export const PLAN_USAGE = typed<UlakPlanUsageQuery>(`query UlakPlanUsage {
  planUsage { ${USAGE_FIELDS} }
}`);

export const UPDATE_SETTINGS = typed<UlakUpdateSettingsMutation>(`mutation UlakUpdateSettings($input: StoreSettingsInput!) {
  updateStoreSettings(input: $input) { settings { ${SETTINGS_FIELDS} } ${ADMIN_ERRORS} }
}`);

export const CHANGE_PLAN = typed<UlakChangePlanMutation>(`mutation UlakChangePlan($plan: Plan!) {
  changePlan(plan: $plan) { usage { ${USAGE_FIELDS} } ${ADMIN_ERRORS} }
}`);

export const STAFF_TEST_NUMBERS = typed<UlakStaffTestNumbersQuery>(`query UlakStaffTestNumbers {
  staffTestNumbers
}`);

export const SET_STAFF_TEST_NUMBERS = typed<UlakSetStaffTestNumbersMutation>(`mutation UlakSetStaffTestNumbers($numbers: [String!]!) {
  setStaffTestNumbers(numbers: $numbers) { numbers ${ADMIN_ERRORS} }
}`);

export const PICKUP_POINT = typed<UlakPickupPointQuery>(`query UlakPickupPoint {
  pickupPoint { ${PICKUP_FIELDS} }
}`);

export const SET_PICKUP_POINT = typed<UlakSetPickupPointMutation>(`mutation UlakSetPickupPoint($latitude: Float!, $longitude: Float!, $name: String!, $address: String!) {
  setPickupPoint(latitude: $latitude, longitude: $longitude, name: $name, address: $address) { pickupPoint { ${PICKUP_FIELDS} } ${ADMIN_ERRORS} }
}`);

export const CLEAR_PICKUP_POINT = typed<UlakClearPickupPointMutation>(`mutation UlakClearPickupPoint {
  clearPickupPoint { ${ADMIN_ERRORS} }
}`);

export const SETTINGS_DOCUMENTS = {
  SETTINGS,
  PLAN_USAGE,
  UPDATE_SETTINGS,
  CHANGE_PLAN,
  STAFF_TEST_NUMBERS,
  SET_STAFF_TEST_NUMBERS,
  PICKUP_POINT,
  SET_PICKUP_POINT,
  CLEAR_PICKUP_POINT,
} as const;
