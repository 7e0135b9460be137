/** The admin API's cost basis, as plugin/admin_api/domains/cost_basis.py returns it. */
export interface ExchangeRate {
  rate: string;
  rateDate: string;
  base: string;
  quote: string;
}

export interface StaleFigure {
  country: string;
  category: string;
  since: string;
  upperBound: boolean;
}

export interface VolumeTier {
  category: string;
  region: string;
  effectiveMonth: string;
  tier: string;
  aboveFirstTier: boolean;
}

export interface CostBasis {
  billingCurrency: string;
  billingCurrencySource?: "META" | "SETTING"; // SETTING: Meta not read yet
  rateCardCurrency?: string; // the figure's currency (USD)
  rateCardDate: string | null;
  staleSince: string | null;
  staleFigures: StaleFigure[];
  costInStoreCurrency: { amount: string; currency: string; exchangeRate: ExchangeRate } | null;
  volumeTiers: VolumeTier[];
}

export interface CostSettings {
  billingCurrency: string;
  rateCardCurrency?: string; // the exchange rate's base (USD)
  storeCurrency: string;
  exchangeRate: ExchangeRate | null;
}

export interface MmApiAccount {
  id: string;
  displayPhone: string;
  isDefault: boolean;
  status: string;
  mmApiStatus: string | null;
  mmApiStatusReadAt: string | null;
  marketingViaMmApi: boolean;
}
