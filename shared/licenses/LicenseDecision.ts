import { z } from 'zod';

export const licenseStatuses = ['active', 'evaluation', 'expired', 'user_mismatch', 'invalid', 'unlicensed', 'unknown'] as const;
export type LicenseStatus = (typeof licenseStatuses)[number];

/**
 * What the app's license, as the instance's plugin manager reports it, means for the add-in.
 * `expiresAt` is when the app stops working (evaluation and subscription licenses), not the
 * end of maintenance; `maxUsers` is null for an unlimited or unstated tier.
 */
export interface LicenseDecision {
  licensed: boolean;
  status: LicenseStatus;
  evaluation: boolean;
  expiresAt: string | null;
  maxUsers: number | null;
}

/** Also the check on a decision read back from storage: a stored row is outside input too. */
export const licenseDecisionSchema = z.object({
  licensed: z.boolean(),
  status: z.enum(licenseStatuses),
  evaluation: z.boolean(),
  expiresAt: z.iso.datetime().nullable(),
  maxUsers: z.number().int().positive().nullable(),
});

/** A decision Jira gave, good or bad, as opposed to one we could not obtain. */
export function isDefinitive(decision: LicenseDecision): boolean {
  return decision.status !== 'unknown';
}

/** No license installed for the app (UPM answers 404 or a representation without one). */
export const unlicensedDecision: LicenseDecision = Object.freeze({
  licensed: false,
  status: 'unlicensed',
  evaluation: false,
  expiresAt: null,
  maxUsers: null,
});

/** No decision could be had; `licensed` is the operator's policy for that case. */
export function unknownDecision(licensed: boolean): LicenseDecision {
  return { licensed, status: 'unknown', evaluation: false, expiresAt: null, maxUsers: null };
}
