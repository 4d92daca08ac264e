import { loadOnFirstCall } from '../../../functions/loadOnFirstCall';

describe('loadOnFirstCall', () => {
  it('loads nothing until called, then once for every call, concurrent ones included', async () => {
    let loads = 0;
    const double = loadOnFirstCall(async () => {
      loads += 1;
      return async (n: number) => n * 2;
    });
    expect(loads).toBe(0);

    expect(await Promise.all([double(1), double(2), double(3)])).toEqual([2, 4, 6]);
    expect(await double(4)).toBe(8);
    expect(loads).toBe(1);
  });

  it('tries the load again on the next call after one failed, instead of failing every call alike', async () => {
    let loads = 0;
    const answer = loadOnFirstCall(async () => {
      loads += 1;
      if (loads === 1) throw new Error('the chunk could not be read');
      return async () => 42;
    });

    await expect(answer()).rejects.toThrow('the chunk could not be read');
    expect(await answer()).toBe(42);
    expect(await answer()).toBe(42);
    expect(loads).toBe(2);
  });
});
