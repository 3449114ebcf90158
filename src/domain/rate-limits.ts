/**
 * Each key's budget: its own override if set, else its workspace plan's, else
 * the instance default (RATE_LIMIT_PER_MINUTE). Documented in docs/rate-limits.md.
 */
import type { Budget } from '../platform/rate-limiter.js';

export const PLANS = ['standard', 'professional', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

export const PLAN_BUDGETS: Record<Plan, Budget> = {
  standard: { perMinute: 100, burst: 100 },
  professional: { perMinute: 300, burst: 300 },
  enterprise: { perMinute: 500, burst: 1000 },
};

export function budgetFor(plan: string | null, keyOverride: number | null, instanceDefault: number): Budget {
  if (keyOverride !== null) return { perMinute: keyOverride, burst: keyOverride };
  const planBudget = plan !== null ? PLAN_BUDGETS[plan as Plan] : undefined;
  return planBudget ?? { perMinute: instanceDefault, burst: instanceDefault };
}
