import type { LicenseDecision } from './LicenseDecision';
import type { UpmLicenseFields } from './upmLicenseSchema';

/**
 * What is kept per (tenant, instance) between checks. Only a decision Jira actually gave is
 * kept as `decision`; a failed attempt (Jira unreachable, a malformed answer) leaves it as it
 * was and sets `failed`, so the grace period always runs from the last real answer.
 * Times are epoch ms.
 */
export interface LicenseState {
  tenantId: string;
  instanceId: string;
  /** The last decision Jira gave; null when it never gave one. */
  decision: LicenseDecision | null;
  /** When `decision` was obtained. */
  decidedAt: number | null;
  /** When Jira last reported a licensed app. */
  lastGoodAt: number | null;
  /** When Jira was last asked. */
  checkedAt: number;
  /** The last attempt got no decision. */
  failed: boolean;
  /** From then on, the next check asks Jira again. */
  nextCheckAt: number;
  /** UPM's own fields behind `decision`, for support. */
  upm: UpmLicenseFields | null;
}

/** The `licenses` row as this module needs it. */
export interface LicenseStore {
  get(key: { tenantId: string; instanceId: string }): Promise<LicenseState | undefined>;
  put(state: LicenseState): Promise<void>;
}
