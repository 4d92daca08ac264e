import type { LoadedInstance } from '../jira/InstanceService';

/** What the instance's plugin manager said: a license representation, or 404 (no such app or license). */
export type UpmLicenseResult = { found: true; body: unknown } | { found: false };

/**
 * Asks one instance's UPM for the app's license. Throws (an AppError) when no answer that
 * means anything came: unreachable, timed out, refused credentials, an unexpected status.
 */
export interface UpmLicenseSource {
  fetchLicense(instance: LoadedInstance): Promise<UpmLicenseResult>;
}
