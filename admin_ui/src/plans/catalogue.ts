/** The plan table as the API serves it (`planCatalogue`, from plugin/stores/plans.py). */
import { PLAN_CATALOGUE } from "../api/queries";
import { useAdminQuery } from "../api/useAdmin";
import type { Plan } from "../pages/types";

export interface PlanOffer {
  plan: Plan;
  priceTry: string;
  monthlyQuota: number;
  campaignMaxRecipients: number | null;
  features: string[];
  current: boolean;
}
export interface PlanFeature {
  code: string;
  label: string;
  labelTr: string;
  requiredPlan: Plan;
  included: boolean;
}
export interface Catalogue {
  current: Plan;
  plans: PlanOffer[];
  features: PlanFeature[];
}

export function usePlanCatalogue() {
  return useAdminQuery<{ planCatalogue: Catalogue }>(PLAN_CATALOGUE);
}
