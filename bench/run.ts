import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Benchmark, BenchOptions } from './Benchmark';
import { failedRow, type BenchRow } from './BenchRow';
import { coldstart } from './coldstart';
import { fanout } from './fanout';
import { license } from './license';
import { proxy } from './proxy';
import { proxyStream } from './proxyStream';
import { printTable } from './printTable';
import { runScalingModel } from './scalingModel';
import { stopAllStacks } from './stack';
import { webhook } from './webhook';

/*
 * `npm run bench` runs every benchmark and prints one table; `npm run bench -- proxy webhook`
 * runs those. Options: `--duration=N` seconds per load run (10), `--cpu-prof` (V8 CPU
 * profiles of the app process into .local/bench-profiles), `--list`.
 * Benchmarks, not tests: nothing here fails on a missed target, and CI does not run them.
 */

const benchmarks: readonly Benchmark[] = [coldstart, license, proxy, proxyStream, webhook, fanout];

function readArgs(argv: readonly string[]): { names: string[]; durationSeconds: number; profile: boolean; list: boolean } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { duration: { type: 'string' }, 'cpu-prof': { type: 'boolean' }, list: { type: 'boolean' } },
  });
  const durationSeconds = Number(values.duration ?? 10);
  if (!Number.isFinite(durationSeconds) || durationSeconds <= 0 || durationSeconds > 300)
    throw new Error('--duration: seconds from 1 to 300');
  return { names: positionals, durationSeconds, profile: values['cpu-prof'] === true, list: values.list === true };
}

async function main(): Promise<number> {
  // Not a benchmark: arithmetic over what `fanout` measured, with options of its own.
  if (process.argv[2] === 'model') {
    console.log(runScalingModel(process.argv.slice(3)));
    return 0;
  }
  const args = readArgs(process.argv.slice(2));
  if (args.list) {
    for (const benchmark of benchmarks) console.log(`${benchmark.name.padEnd(14)} ${benchmark.measures}`);
    return 0;
  }
  const unknown = args.names.filter((name) => !benchmarks.some((benchmark) => benchmark.name === name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; there are: ${benchmarks.map((benchmark) => benchmark.name).join(', ')}`);
    return 2;
  }
  const selected = args.names.length === 0 ? benchmarks : benchmarks.filter((benchmark) => args.names.includes(benchmark.name));
  const profileDir = args.profile ? resolve('.local', 'bench-profiles') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const options: BenchOptions = { durationSeconds: args.durationSeconds, profileDir, log: (line) => process.stderr.write(`${line}\n`) };

  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    options.log('interrupted: stopping everything');
    void stopAllStacks().finally(() => process.exit(130));
  });

  const rows: BenchRow[] = [];
  const started = Date.now();
  for (const benchmark of selected) {
    if (interrupted) break;
    options.log(`— ${benchmark.name}`);
    try {
      rows.push(...(await benchmark.run(options)));
    } catch (error) {
      rows.push(failedRow(benchmark.name, error instanceof Error ? error.message : String(error)));
    } finally {
      await stopAllStacks();
    }
  }
  const met = rows.filter((row) => row.met === true).length;
  const judged = rows.filter((row) => typeof row.met === 'boolean').length;
  const unmeasured = rows.filter((row) => row.met === undefined).length;
  const unreachable = rows.filter((row) => row.met === false && row.unreachable !== undefined).length;
  console.log(`\n${printTable(rows)}\n`);
  console.log(
    `${met} of ${judged} targets met, ${unreachable} proven not reachable on this machine, ${unmeasured} line(s) not measured; node ${process.version}, ${new Date().toISOString()}, ${Math.round((Date.now() - started) / 1000)} s` +
      (profileDir ? `; app CPU profiles in ${profileDir}` : ''),
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    void stopAllStacks().finally(() => process.exit(1));
  },
);
