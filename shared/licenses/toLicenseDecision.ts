import { unknownDecision, unlicensedDecision, type LicenseDecision, type LicenseStatus } from './LicenseDecision';
import { upmLicenseSchema } from './upmLicenseSchema';

/**
 * UPM `LicenseError` values and what each means for the add-in. ROLE_EXCEEDED is the
 * role-based form of a user-tier mismatch (more users in the app's role than licensed);
 * every other error, known or added by a later UPM, makes the license `invalid`.
 */
const statusForError: Readonly<Record<string, LicenseStatus>> = {
  EXPIRED: 'expired',
  USER_MISMATCH: 'user_mismatch',
  ROLE_EXCEEDED: 'user_mismatch',
};

/**
 * Maps the body of UPM's license resource to a decision. Pure and total: anything that is
 * not a license representation becomes `unknown` (never licensed here; the caller applies
 * the policy for unknown), never an exception. UPM's own `valid`/`error` verdict rules;
 * a license whose expiry date has passed counts as expired even if UPM has not noticed yet.
 */
export function toLicenseDecision(upmBody: unknown, now: number): LicenseDecision {
  const parsed = upmLicenseSchema.safeParse(upmBody);
  if (!parsed.success) return unknownDecision(false);
  const license = parsed.data;

  const hasLicense = license.valid != null || license.rawLicense != null || license.error != null;
  if (!hasLicense) return unlicensedDecision;
  if (license.valid == null && license.error == null) return unknownDecision(false);

  const evaluation = license.evaluation ?? false;
  const expiresAt = license.expiryDate == null ? null : new Date(license.expiryDate).toISOString();
  const maxUsers = license.maximumNumberOfUsers != null && license.maximumNumberOfUsers > 0 ? license.maximumNumberOfUsers : null;
  const decide = (status: LicenseStatus): LicenseDecision => ({
    licensed: status === 'active' || status === 'evaluation',
    status,
    evaluation,
    expiresAt,
    maxUsers,
  });

  if (license.error != null) return decide(statusForError[license.error] ?? 'invalid');
  if (license.valid !== true) return decide('invalid');
  if (license.expiryDate != null && license.expiryDate <= now) return decide('expired');
  return decide(evaluation ? 'evaluation' : 'active');
}
