import { createRequire } from 'node:module';
import { join } from 'node:path';

/*
 * Run by the coldstart benchmark in a fresh process: loads the app exactly as the Functions
 * worker does (`dist/functions/index.js`: config, services, every registration; outside a
 * host `@azure/functions` registers into nothing), reports, and exits at once.
 */

const before = performance.now();
// A plain require of a computed path: what the worker does with package.json's `main`.
createRequire(__filename)(join(__dirname, '..', 'functions', 'index.js'));
const loaded = performance.now();

// Which packages the start-up pulled in, by files loaded: what to make lazy next.
const filesByPackage = new Map<string, number>();
for (const file of Object.keys(require.cache)) {
  const match = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file);
  const name = match?.[1] ?? '(app)';
  filesByPackage.set(name, (filesByPackage.get(name) ?? 0) + 1);
}
const packages = [...filesByPackage.entries()].sort((a, b) => b[1] - a[1]).map(([name, files]) => `${name.replace(/\\/g, '/')}:${files}`);
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({ bootMs: before, loadMs: loaded - before, cpuMs: (cpu.user + cpu.system) / 1000, packages })}\n`,
  () => process.exit(0),
);
