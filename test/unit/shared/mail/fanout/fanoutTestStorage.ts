import { randomBytes } from 'node:crypto';
import { startAzurite, type RunningAzurite } from '../../../../../dev/azurite';
import { createStorageServices, type StorageServices } from '../../../../../shared/platform/storage/createStorageServices';
import { ensureStorage } from '../../../../../shared/platform/storage/ensureStorage';
import { MUTATION_AZURITE_ENV } from '../../../../support/mutationAzurite';

export interface FanoutTestStorage extends StorageServices {
  stop(): Promise<void>;
}

export interface FanoutTestStorageInit {
  /**
   * Use the Azurite of a Stryker run (test/support/mutationAzurite.ts) when there is one, and
   * leave it running: for a test whose rows never meet another run's (`newTenant`).
   */
  reuseMutationAzurite?: boolean;
}

/** A fresh in-memory Azurite with every table and queue of the app, and the real storage services over it. */
export async function startFanoutTestStorage(init: FanoutTestStorageInit = {}): Promise<FanoutTestStorage> {
  const shared = init.reuseMutationAzurite ? process.env[MUTATION_AZURITE_ENV] : undefined;
  if (shared) {
    const storage = createStorageServices({ kind: 'connectionString', connectionString: shared });
    await ensureStorage(storage);
    return { ...storage, stop: () => Promise.resolve() };
  }
  const azurite: RunningAzurite = await startAzurite();
  const storage = createStorageServices({ kind: 'connectionString', connectionString: azurite.connectionString });
  await ensureStorage(storage);
  return { ...storage, stop: () => azurite.stop() };
}

/** A clock a test moves by hand. */
export class ManualClock {
  constructor(private at = Date.parse('2030-01-01T00:00:00.000Z')) {}
  now(): number {
    return this.at;
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

let counter = 0;
/** Per loading of this module: the jest runs of one process (Stryker's) share an Azurite and the pid. */
const run = randomBytes(4).toString('hex');
/** A tenant id no other test uses, so tests never see each other's rows. */
export const newTenant = (): string => `tenant-${process.pid}-${run}-${++counter}`;
