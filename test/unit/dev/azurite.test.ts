import { QueueClient } from '@azure/storage-queue';
import { startAzurite } from '../../../dev/azurite';

describe('startAzurite', () => {
  it('starts the emulator on free loopback ports and stops it so nothing is left listening', async () => {
    const azurite = await startAzurite();
    try {
      const queue = new QueueClient(azurite.connectionString, 'probe');
      await queue.create();
      expect(await queue.exists()).toBe(true);
    } finally {
      await azurite.stop();
    }
    const queue = new QueueClient(azurite.connectionString, 'probe', { retryOptions: { maxTries: 1 } });
    await expect(queue.exists()).rejects.toThrow();
  });
});
