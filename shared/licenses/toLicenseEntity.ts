import type { LicenseEntity } from '../platform/storage/licenses/licenseEntity';
import type { LicenseState } from './LicenseState';

/**
 * The row's `decisionJson` holds everything but the two times the table keeps as columns
 * (`checkedAt`, `lastGoodAt`), so a person reading the table sees when it was checked.
 */
export function toLicenseEntity(state: LicenseState): LicenseEntity {
  const stored = {
    decision: state.decision,
    decidedAt: state.decidedAt,
    failed: state.failed,
    nextCheckAt: state.nextCheckAt,
    upm: state.upm,
  };
  const entity: LicenseEntity = {
    tenantId: state.tenantId,
    instanceId: state.instanceId,
    decisionJson: JSON.stringify(stored),
    checkedAt: new Date(state.checkedAt).toISOString(),
  };
  if (state.lastGoodAt !== null) entity.lastGoodAt = new Date(state.lastGoodAt).toISOString();
  return entity;
}
