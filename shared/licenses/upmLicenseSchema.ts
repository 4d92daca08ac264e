import { z } from 'zod';

/**
 * UPM serialises `java.util.Date` as epoch milliseconds; an ISO string is accepted too so a
 * proxy or a future UPM that formats dates does not turn a good answer into `unknown`.
 */
const upmDate = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  // ±8.64e15 ms is the range a JavaScript Date can represent.
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    ctx.addIssue({ code: 'custom', message: 'expected epoch milliseconds or an ISO date' });
    return z.NEVER;
  }
  return ms;
});

/**
 * The fields of UPM's plugin license representation
 * (`GET /rest/plugins/1.0/{appKey}-key/license`) that decide anything. Every field is
 * nullable: with no license installed UPM answers only `links` and `pluginKey`. `error` is
 * kept a free string, since UPM versions add `LicenseError` values.
 */
export const upmLicenseSchema = z.object({
  pluginKey: z.string().nullish(),
  valid: z.boolean().nullish(),
  error: z.string().nullish(),
  evaluation: z.boolean().nullish(),
  nearlyExpired: z.boolean().nullish(),
  maximumNumberOfUsers: z.number().int().nullish(),
  expiryDate: upmDate.nullish(),
  maintenanceExpiryDate: upmDate.nullish(),
  licenseType: z.string().nullish(),
  dataCenter: z.boolean().nullish(),
  subscription: z.boolean().nullish(),
  active: z.boolean().nullish(),
  rawLicense: z.string().nullish(),
});

export type UpmLicense = z.output<typeof upmLicenseSchema>;

/**
 * The UPM fields worth keeping beside a decision, for support and reporting. The raw
 * license string, the organisation and the contact e-mail are left out on purpose.
 */
export interface UpmLicenseFields {
  valid: boolean | null;
  error: string | null;
  evaluation: boolean | null;
  nearlyExpired: boolean | null;
  maximumNumberOfUsers: number | null;
  expiryDate: number | null;
  maintenanceExpiryDate: number | null;
  licenseType: string | null;
  dataCenter: boolean | null;
  subscription: boolean | null;
  active: boolean | null;
}

export const upmLicenseFieldsSchema = z.object({
  valid: z.boolean().nullable(),
  error: z.string().nullable(),
  evaluation: z.boolean().nullable(),
  nearlyExpired: z.boolean().nullable(),
  maximumNumberOfUsers: z.number().int().nullable(),
  expiryDate: z.number().nullable(),
  maintenanceExpiryDate: z.number().nullable(),
  licenseType: z.string().nullable(),
  dataCenter: z.boolean().nullable(),
  subscription: z.boolean().nullable(),
  active: z.boolean().nullable(),
});

export function toUpmLicenseFields(license: UpmLicense): UpmLicenseFields {
  return {
    valid: license.valid ?? null,
    error: license.error ?? null,
    evaluation: license.evaluation ?? null,
    nearlyExpired: license.nearlyExpired ?? null,
    maximumNumberOfUsers: license.maximumNumberOfUsers ?? null,
    expiryDate: license.expiryDate ?? null,
    maintenanceExpiryDate: license.maintenanceExpiryDate ?? null,
    licenseType: license.licenseType ?? null,
    dataCenter: license.dataCenter ?? null,
    subscription: license.subscription ?? null,
    active: license.active ?? null,
  };
}
