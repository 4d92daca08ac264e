import { startProgress } from '../../../dev/startProgress';

describe("npm start's progress lines", () => {
  it('says each step as it begins, before its work ends, and as it ends, with what it found and how long it took', async () => {
    const lines: string[] = [];
    let time = 1000;
    const step = startProgress({ write: (line) => lines.push(line), now: () => time });
    let release: (value: string) => void = () => undefined;
    const pending = step(
      'storage: Azurite',
      () =>
        new Promise<string>((resolve) => {
          release = resolve;
        }),
      (found) => `listening on ${found}`,
    );
    // Said while the work is still under way: a stuck step shows where the start is.
    expect(lines).toEqual(['… storage: Azurite']);
    time += 812;
    release('127.0.0.1:10000');
    await expect(pending).resolves.toBe('127.0.0.1:10000');
    expect(lines).toEqual(['… storage: Azurite', '✓ storage: Azurite (listening on 127.0.0.1:10000) in 812 ms']);
  });

  it('a failing step says so and rethrows its error unchanged', async () => {
    const lines: string[] = [];
    const step = startProgress({ write: (line) => lines.push(line), now: () => 0 });
    const failure = new Error('port 7071 is already in use');
    await expect(step('host', () => Promise.reject(failure))).rejects.toBe(failure);
    expect(lines).toEqual(['… host', '✗ host failed after 0 ms']);
  });
});
