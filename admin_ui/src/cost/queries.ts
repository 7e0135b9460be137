/**
 * What a cost rests on (plugin/admin_api/domains/cost_basis.py), selected on the dashboard's
 * headline and the campaign estimate, and the settings' cost and Marketing Messages API
 * documents. Listed in the one DOCUMENTS table of ../api/queries.ts, so the schema test
 * validates them.
 */
import { ADMIN_ERRORS } from "../api/fragments";

export const COST_BASIS = `billingCurrency billingCurrencySource rateCardCurrency rateCardDate staleSince
  staleFigures { country category since upperBound }
  costInStoreCurrency { amount currency exchangeRate { rate rateDate base quote } }
  volumeTiers { category region effectiveMonth tier aboveFirstTier }`;

const COST_SETTINGS_FIELDS = `billingCurrency rateCardCurrency storeCurrency exchangeRate { rate rateDate base quote }`;

export const COST_SETTINGS = `query UlakCostSettings {
  costSettings { ${COST_SETTINGS_FIELDS} }
}`;

export const SET_EXCHANGE_RATE = `mutation UlakSetExchangeRate($rate: String, $rateDate: Date) {
  setExchangeRate(rate: $rate, rateDate: $rateDate) { costSettings { ${COST_SETTINGS_FIELDS} } ${ADMIN_ERRORS} }
}`;

export const MM_API_STATUS = `query UlakMmApiStatus {
  whatsappAccounts { id displayPhone isDefault status mmApiStatus mmApiStatusReadAt marketingViaMmApi }
}`;

export const COST_DOCUMENTS = { COST_SETTINGS, SET_EXCHANGE_RATE, MM_API_STATUS } as const;
