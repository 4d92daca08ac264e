import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The code issue 18 measured its fan-out against (main after the bench of the first
 * part, before any fan-out change): "end-to-end mails/s ≥ 5× the current code in the same run".
 */
export const FANOUT_BASELINE_COMMIT = '145f8199e0354c406d91d03370eb1bb7cf974feb';

/** The repository the bench runs from (`dist/bench/` → its root). */
const REPOSITORY = join(__dirname, '..', '..');
/** The baseline's own fan-out, 1,000 mails with no limit of ours on it but its own (it took ~45 s here). */
const BASELINE_TIMEOUT_MS = 600_000;
const ROW = /^\| fanout 1,000 mails × 3 issues\s*\|\s*([\d,.]+) mails\/s \(/m;
/** The CPU split its burst logs (`describeCpu`, the same line in both codes). */
const CPU_LINE = /CPU per mail \(burst\): app ([\d.]+) ms, Azurite ([\d.]+) ms, simulators ([\d.]+) ms/;

export type BaselineFanout =
  | {
      mailsPerSecond: number;
      /** CPU ms one mail of its burst cost every process on the machine together; undefined when it logged none. */
      machineCpuMsPerMail: number | undefined;
    }
  | { failed: string };

/**
 * The baseline's fan-out measured now, on this machine, by its own bench: a git worktree of
 * `FANOUT_BASELINE_COMMIT` (this checkout's `node_modules`; the baseline's dependencies are a
 * subset of the same versions), compiled, its `dist/bench/run.js fanout` run in a process of its
 * own, its mails/s row read from the table it prints (and its CPU per mail from its log). The worktree is removed afterwards. A
 * clone without that commit (a shallow one) says so instead of a figure.
 */
export async function measureBaselineFanout(log: (line: string) => void): Promise<BaselineFanout> {
  try {
    await run('git', ['-C', REPOSITORY, 'cat-file', '-e', `${FANOUT_BASELINE_COMMIT}^{commit}`]);
  } catch {
    return { failed: `commit ${FANOUT_BASELINE_COMMIT.slice(0, 7)} is not in this clone (a shallow clone?)` };
  }
  const folder = mkdtempSync(join(tmpdir(), 'fanout-baseline-'));
  try {
    log(`fanout baseline: ${FANOUT_BASELINE_COMMIT.slice(0, 7)} checked out in ${folder}, compiling`);
    await run('git', ['-C', REPOSITORY, 'worktree', 'add', '--detach', folder, FANOUT_BASELINE_COMMIT]);
    symlinkSync(join(REPOSITORY, 'node_modules'), join(folder, 'node_modules'), 'dir');
    await run(process.execPath, [join(REPOSITORY, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
      cwd: folder,
    });
    log('fanout baseline: running its fan-out benchmark');
    const { stdout, stderr } = await run(process.execPath, [join('dist', 'bench', 'run.js'), 'fanout'], {
      cwd: folder,
      timeout: BASELINE_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    const match = ROW.exec(stdout);
    if (!match) return { failed: 'the baseline printed no mails/s row' };
    const cpu = CPU_LINE.exec(stderr);
    return {
      mailsPerSecond: Number(match[1]!.replace(/,/g, '')),
      machineCpuMsPerMail: cpu ? Number(cpu[1]) + Number(cpu[2]) + Number(cpu[3]) : undefined,
    };
  } catch (error) {
    return { failed: `the baseline did not run: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  } finally {
    await run('git', ['-C', REPOSITORY, 'worktree', 'remove', '--force', folder]).catch(() => undefined);
    rmSync(folder, { recursive: true, force: true });
  }
}
