import { generateKeyPairSync, sign } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { promisify } from 'node:util';
import { HELPER_THREAD_NICENESS, lowerHelperThreadPriority } from '../../../../../shared/platform/process/lowerHelperThreadPriority';

const onLinux = process.platform === 'linux' ? describe : describe.skip;

function helperThreadIds(): number[] {
  return readdirSync('/proc/self/task')
    .map(Number)
    .filter((tid) => tid !== process.pid);
}

onLinux('lowerHelperThreadPriority', () => {
  it('lowers the pool threads that sign, and never the event loop', async () => {
    const mainBefore = getPriority(process.pid);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    // A job on libuv's pool creates its threads.
    await promisify(sign)('sha1', Buffer.from('x'), privateKey);

    lowerHelperThreadPriority();

    const helpers = helperThreadIds();
    expect(helpers.length).toBeGreaterThanOrEqual(4);
    for (const tid of helpers) expect(getPriority(tid)).toBeGreaterThanOrEqual(HELPER_THREAD_NICENESS);
    expect(getPriority(process.pid)).toBe(mainBefore);
    // Done once, there is nothing left to lower.
    expect(lowerHelperThreadPriority()).toBe(0);
  });
});
