import { startAzurite, type RunningAzurite } from '../../../../../dev/azurite';
import { createStorageServices, type StorageServices } from '../../../../../shared/platform/storage/createStorageServices';
import { ensureStorage } from '../../../../../shared/platform/storage/ensureStorage';

export interface FanoutTestStorage extends StorageServices {
  azurite: RunningAzurite;
  stop(): Promise<void>;
}

/** A fresh in-memory Azurite with every table and queue of the app, and the real storage services over it. */
export async function startFanoutTestStorage(): Promise<FanoutTestStorage> {
  const azurite = await startAzurite();
  const storage = createStorageServices({ kind: 'connectionString', connectionString: azurite.connectionString });
  await ensureStorage(storage);
  return { ...storage, azurite, stop: () => azurite.stop() };
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
/** A tenant id no other test uses, so tests never see each other's rows. */
export const newTenant = (): string => `tenant-${process.pid}-${++counter}`;
