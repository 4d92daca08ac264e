import type { LicenseDecision } from './LicenseDecision';

export type LicenseSource = 'live' | 'cache' | 'grace';

/** The body of `GET /api/licenses/{instanceId}`. Times are ISO strings. */
export interface LicenseAnswer extends LicenseDecision {
  source: LicenseSource;
  /** When Jira gave the decision; for `unknown`, when it was last tried. */
  checkedAt: string;
  /** With `source: grace`: until when the last good decision stands in for Jira. */
  graceUntil?: string;
}

export interface LicenseCheck {
  answer: LicenseAnswer;
  /** Epoch ms until which the answer may be reused; after it the license must be checked again. */
  reuseUntil: number;
}
