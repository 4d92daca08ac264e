import type { LicenseRepository } from '../platform/storage/licenses/LicenseRepository';
import { fromLicenseEntity } from './fromLicenseEntity';
import type { LicenseState, LicenseStore } from './LicenseState';
import { toLicenseEntity } from './toLicenseEntity';

/** The `licenses` table (through its repository) as the license service's store. */
export class LicenseTableStore implements LicenseStore {
  private readonly repository: LicenseRepository;

  constructor(init: { repository: LicenseRepository }) {
    this.repository = init.repository;
  }

  async get(key: { tenantId: string; instanceId: string }): Promise<LicenseState | undefined> {
    const entity = await this.repository.get(key);
    return entity === undefined ? undefined : fromLicenseEntity(entity);
  }

  put(state: LicenseState): Promise<void> {
    return this.repository.upsert(toLicenseEntity(state));
  }
}
