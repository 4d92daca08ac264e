import { z } from 'zod';
import type { LicenseEntity } from '../platform/storage/licenses/licenseEntity';
import { licenseDecisionSchema } from './LicenseDecision';
import type { LicenseState } from './LicenseState';
import { upmLicenseFieldsSchema } from './upmLicenseSchema';

const storedSchema = z.object({
  decision: licenseDecisionSchema.nullable(),
  decidedAt: z.number().nullable(),
  failed: z.boolean(),
  nextCheckAt: z.number(),
  upm: upmLicenseFieldsSchema.nullable(),
});

/**
 * The state a `licenses` row holds, or undefined when its JSON is not what `toLicenseEntity`
 * writes (an older format, a hand edit): the license is then simply checked again and the
 * row rewritten, which is cheaper than failing every check of that instance.
 */
export function fromLicenseEntity(entity: LicenseEntity): LicenseState | undefined {
  let json: unknown;
  try {
    json = JSON.parse(entity.decisionJson);
  } catch {
    return undefined;
  }
  const parsed = storedSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const stored = parsed.data;
  return {
    tenantId: entity.tenantId,
    instanceId: entity.instanceId,
    decision: stored.decision,
    decidedAt: stored.decidedAt,
    lastGoodAt: entity.lastGoodAt === undefined ? null : Date.parse(entity.lastGoodAt),
    checkedAt: Date.parse(entity.checkedAt),
    failed: stored.failed,
    nextCheckAt: stored.nextCheckAt,
    upm: stored.upm,
  };
}
