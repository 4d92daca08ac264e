import type { Settings } from '../platform/config/settingsSchema';
import type { OutboundClient } from '../platform/http/OutboundClient';
import type { Clock } from '../platform/clock';
import type { LicenseRepository } from '../platform/storage/licenses/LicenseRepository';
import { LicenseService } from './LicenseService';
import { LicenseTableStore } from './LicenseTableStore';
import { UpmLicenseClient } from './UpmLicenseClient';

export interface CreateLicenseServiceInit {
  settings: Pick<Settings, 'LICENSE_TTL' | 'LICENSE_BAD_TTL' | 'LICENSE_GRACE' | 'LICENSE_UNKNOWN_POLICY'>;
  clock: Clock;
  http: OutboundClient;
  repository: LicenseRepository;
}

/** The process's license service: the `licenses` table, UPM over the shared outbound client, the settings' periods. */
export function createLicenseService(init: CreateLicenseServiceInit): LicenseService {
  const { settings } = init;
  return new LicenseService({
    store: new LicenseTableStore({ repository: init.repository }),
    upm: new UpmLicenseClient({ http: init.http }),
    clock: init.clock,
    policy: {
      ttlSeconds: settings.LICENSE_TTL,
      badTtlSeconds: settings.LICENSE_BAD_TTL,
      graceSeconds: settings.LICENSE_GRACE,
      unknownPolicy: settings.LICENSE_UNKNOWN_POLICY,
    },
  });
}
