import { processPackedItems } from '../../../../../shared/platform/storage/processPackedItems';

describe('processPackedItems', () => {
  it('handles every item; a failing one is put back alone and the others complete', async () => {
    const handled: number[] = [];
    const requeued: [number, unknown][] = [];
    const outcome = await processPackedItems({
      items: [1, 2, 3, 4, 5],
      handle: async (item) => {
        if (item === 3) throw new Error('Graph 500');
        handled.push(item);
      },
      requeueAlone: async (item, error) => void requeued.push([item, (error as Error).message]),
      concurrency: 2,
    });
    expect(handled.sort()).toEqual([1, 2, 4, 5]);
    expect(requeued).toEqual([[3, 'Graph 500']]);
    expect(outcome).toEqual({ handled: 4, requeued: 1 });
  });

  it('throws when a failed item could not be put back, after every item had its turn', async () => {
    const handled: number[] = [];
    await expect(
      processPackedItems({
        items: [1, 2, 3],
        handle: async (item) => {
          if (item === 1) throw new Error('failed');
          handled.push(item);
        },
        requeueAlone: () => Promise.reject(new Error('storage down')),
      }),
    ).rejects.toThrow('storage down');
    expect(handled).toEqual([2, 3]);
  });

  it('keeps at most `concurrency` items in flight', async () => {
    let inFlight = 0;
    let most = 0;
    await processPackedItems({
      items: Array.from({ length: 12 }, (_, i) => i),
      handle: async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
      },
      requeueAlone: () => Promise.resolve(),
      concurrency: 4,
    });
    expect(most).toBe(4);
  });
});
