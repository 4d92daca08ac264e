import { SingleFlight } from '../../../../shared/licenses/SingleFlight';

describe('SingleFlight', () => {
  it('runs concurrent calls for one key once and shares the result', async () => {
    const flights = new SingleFlight<number>();
    let runs = 0;
    let release: (value: number) => void = () => undefined;
    const work = () => {
      runs += 1;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const joined = [flights.run('a', work), flights.run('a', work), flights.run('a', work)];
    const other = flights.run('b', () => Promise.resolve(7));
    release(42);
    expect(await Promise.all(joined)).toEqual([42, 42, 42]);
    expect(await other).toBe(7);
    expect(runs).toBe(1);
    expect(flights.size).toBe(0);
  });

  it('does not remember a failure: the next call runs again', async () => {
    const flights = new SingleFlight<string>();
    await expect(flights.run('a', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(flights.run('a', () => Promise.resolve('up'))).resolves.toBe('up');
  });
});
