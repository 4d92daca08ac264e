import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/*
 * Run by the coldstart benchmark in a fresh process: loads the app exactly as the Functions
 * worker does (package.json `main`, the bundle: config, every registration; outside a host
 * `@azure/functions` registers into nothing), reports, and exits at once.
 */

const repoRoot = join(__dirname, '..', '..');
const main = join(repoRoot, (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { main: string }).main);

/** The files an ES module entry loads before it runs: itself and its static imports, transitively. */
function staticGraph(entry: string): string[] {
  const seen = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(/^import\s(?:[^;]*?\sfrom\s*)?"(\.[^"]+)"/gm)) {
      if (match[1]) pending.push(join(dirname(file), match[1]));
    }
  }
  return [...seen];
}

async function probe(): Promise<void> {
  const before = performance.now();
  // What the worker does with an `.mjs` main.
  await import(pathToFileURL(main).href);
  const loaded = performance.now();
  const cpu = process.cpuUsage();
  // Which files the start-up read: the bundle's entry and chunks, and any CommonJS module required.
  const files = [...staticGraph(main), ...Object.keys(require.cache)].map((file) => relative(repoRoot, file));
  const packages = [
    `dist/app:${files.filter((file) => file.startsWith('dist/app')).length}`,
    ...files.filter((file) => !file.startsWith('dist/app')),
  ];
  process.stdout.write(
    `${JSON.stringify({ bootMs: before, loadMs: loaded - before, cpuMs: (cpu.user + cpu.system) / 1000, packages })}\n`,
    () => process.exit(0),
  );
}

void probe();
