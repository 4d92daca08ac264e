import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { transformFileSync } from '@swc/core';
import { z } from 'zod';
import { HELPER_THREAD_NICENESS } from '../../../../../shared/platform/process/lowerHelperThreadPriority';

const onLinux = process.platform === 'linux' ? describe : describe.skip;
const SOURCE = join(__dirname, '../../../../../shared/platform/process/lowerHelperThreadPriority.ts');

const reportSchema = z.object({
  main: z.number(),
  /** Niceness of the threads that were there before any job reached libuv's pool: Node's and V8's own. */
  runtime: z.array(z.number()),
  /** Niceness of the threads the first pool job created. */
  pool: z.array(z.number()),
  lowered: z.number(),
  again: z.number(),
});

/*
 * In a fresh process, where it is known which threads are the pool's: none exists before the
 * first job is queued (a Jest worker has long used the pool for its files, so this one cannot
 * tell). The module is compiled from its source, as Jest would, and run there.
 */
const PROBE = `
const { readdirSync } = require('node:fs');
const { getPriority } = require('node:os');
const { generateKeyPairSync, sign } = require('node:crypto');
const threads = () => readdirSync('/proc/self/task').map(Number).filter((tid) => tid !== process.pid);
const runtime = threads();
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
sign('sha1', Buffer.from('x'), privateKey, () => {
  const pool = threads().filter((tid) => !runtime.includes(tid));
  const lowered = exports.lowerHelperThreadPriority();
  const again = exports.lowerHelperThreadPriority();
  process.stdout.write(JSON.stringify({
    main: getPriority(process.pid),
    runtime: runtime.map((tid) => getPriority(tid)),
    pool: pool.map((tid) => getPriority(tid)),
    lowered,
    again,
  }));
});
`;

async function probe(env: Record<string, string> = {}): Promise<z.infer<typeof reportSchema>> {
  const { code } = transformFileSync(SOURCE, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', `${code}\n${PROBE}`], {
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
  return reportSchema.parse(JSON.parse(stdout));
}

onLinux('lowerHelperThreadPriority', () => {
  it("lowers the pool threads that sign, and neither the event loop nor V8's GC threads", async () => {
    const report = await probe({ UV_THREADPOOL_SIZE: '4' });

    expect(report.pool).toHaveLength(4);
    for (const niceness of report.pool) expect(niceness).toBeGreaterThanOrEqual(HELPER_THREAD_NICENESS);
    const runtimeLowered = report.runtime.filter((niceness) => niceness >= HELPER_THREAD_NICENESS).length;
    expect(runtimeLowered).toBeLessThanOrEqual(1);
    expect(report.lowered).toBe(4 + runtimeLowered);
    // V8's platform workers (4 by default, and their delayed-task thread) run concurrent marking
    // and sweeping: lowered, GC lags. (Node's own idle signal thread, started after V8, may go either way.)
    expect(report.runtime.filter((niceness) => niceness === 0).length).toBeGreaterThanOrEqual(5);
    expect(report.main).toBe(0);
    // Done once, there is nothing left to lower.
    expect(report.again).toBe(0);
  });

  it('lowers every thread of a larger pool', async () => {
    const report = await probe({ UV_THREADPOOL_SIZE: '6' });

    expect(report.pool).toHaveLength(6);
    for (const niceness of report.pool) expect(niceness).toBeGreaterThanOrEqual(HELPER_THREAD_NICENESS);
    expect(report.runtime.filter((niceness) => niceness === 0).length).toBeGreaterThanOrEqual(5);
  });
});
