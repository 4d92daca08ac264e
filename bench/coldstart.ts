import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import type { Benchmark } from './Benchmark';
import { formatMs, formatNumber, formatRatio } from './format';
import { median } from './stats';

const RUNS = 9;
const TARGET_MS = 150;

const probeSchema = z.object({ bootMs: z.number(), loadMs: z.number(), cpuMs: z.number(), packages: z.array(z.string()) });
const bareSchema = z.object({ cpuMs: z.number() });
/** The anchor: Node starting and doing nothing, reporting only its CPU time. */
const BARE = 'const u = process.cpuUsage(); process.stdout.write(JSON.stringify({ cpuMs: (u.user + u.system) / 1000 }))';

/** Settings that pass validation and reach nothing: the SDK clients are built, no connection is made. */
function probeSettings(): Record<string, string> {
  return {
    FUNCTIONS_WORKER_RUNTIME: 'node',
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    DATA_ENCRYPTION_KEY: `bench:${randomBytes(32).toString('base64')}`,
    PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
    API_AUDIENCE: 'api://00000000-0000-0000-0000-000000000000',
    GRAPH_CLIENT_ID: '00000000-0000-0000-0000-000000000000',
    GRAPH_CLIENT_SECRET: 'not-a-secret',
  };
}

/** Wall-clock milliseconds from spawn to exit, and what the process printed. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve({ ms, stdout });
      else reject(new Error(`${args.join(' ')} exited with ${code}`));
    });
  });
}

/**
 * `coldstart`: a fresh process that imports the app and registers every function (what the
 * worker does before the first invocation), against `node -e ''` in the same run,
 * alternating, median of several runs each.
 */
export const coldstart: Benchmark = {
  name: 'coldstart',
  measures: "importing package.json main (the bundle, dist/app/index.mjs) and registering every function, against node -e ''",
  async run(options) {
    const env = { ...process.env, ...probeSettings() };
    for (const name of Object.keys(env)) if (name.startsWith('NODE_OPTIONS')) delete env[name];
    const probe = join(__dirname, 'coldstartProbe.js');
    const bare: number[] = [];
    const app: number[] = [];
    const inProcess: number[] = [];
    const bareCpu: number[] = [];
    const appCpu: number[] = [];
    let packages: string[] = [];
    // One of each first, unmeasured: the file system cache is warm for both, as on a warm worker.
    await timeProcess(['-e', ''], env);
    await timeProcess([probe], env);
    for (let run = 0; run < RUNS; run += 1) {
      bare.push((await timeProcess(['-e', ''], env)).ms);
      bareCpu.push(bareSchema.parse(JSON.parse((await timeProcess(['-e', BARE], env)).stdout)).cpuMs);
      const measured = await timeProcess([probe], env);
      app.push(measured.ms);
      const report = probeSchema.parse(JSON.parse(measured.stdout.trim().split('\n').at(-1) ?? '{}'));
      inProcess.push(report.loadMs);
      appCpu.push(report.cpuMs);
      packages = report.packages;
    }
    const bareMs = median(bare);
    const appMs = median(app);
    const added = appMs - bareMs;
    // CPU time is less disturbed than wall time by other work on a busy machine: a second opinion.
    options.log(
      `coldstart: in-process import ${formatMs(median(inProcess))}; CPU ${formatMs(median(appCpu))} against bare ${formatMs(median(bareCpu))} (+${formatMs(median(appCpu) - median(bareCpu))}); ` +
        `files loaded by package: ${packages.slice(0, 8).join(', ')}`,
    );
    const addedCpu = median(appCpu) - median(bareCpu);
    return [
      {
        name: 'coldstart CPU (import + register)',
        figure: `+${formatNumber(addedCpu)} ms CPU over bare (${formatNumber(median(appCpu))} ms)`,
        anchor: `node -e '' ${formatNumber(median(bareCpu))} ms CPU`,
        ratio: formatRatio(median(appCpu), median(bareCpu)),
        target: `≤ +${TARGET_MS} ms CPU over bare Node`,
        met: addedCpu <= TARGET_MS,
      },
      {
        name: 'coldstart wall clock (import + register)',
        figure: `+${formatNumber(added)} ms over bare (${formatNumber(appMs)} ms)`,
        anchor: `node -e '' ${formatNumber(bareMs)} ms`,
        ratio: formatRatio(appMs, bareMs),
        target: '— (info)',
        met: 'info',
      },
    ];
  },
};
