import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';

/*
 * `node dist/bench/summarizeProfile.js <file.cpuprofile> [top]`: where a V8 CPU profile
 * (from `npm run bench -- <name> --cpu-prof`) spent its time, by function and by package,
 * as shares of the samples. Self time: the function itself, not what it called.
 */

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

type ProfileNode = z.infer<typeof profileSchema>['nodes'][number];

function packageOf(url: string): string {
  if (url === '') return '(native/V8)';
  if (url.startsWith('node:')) return 'node core';
  const match = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(url);
  if (match?.[1]) return match[1].replace(/\\/g, '/');
  const app = /[\\/]dist[\\/]([^\\/]+)[\\/]/.exec(url);
  return app?.[1] ? `app: ${app[1]}` : url;
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.split(/[\\/]/).slice(-2).join('/');
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
}

function main(): void {
  const [path, topText] = parseArgs({ args: process.argv.slice(2), allowPositionals: true }).positionals;
  if (!path) {
    console.error('usage: node dist/bench/summarizeProfile.js <file.cpuprofile> [top]');
    process.exit(2);
  }
  const top = Number(topText ?? 25);
  const profile = profileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const total = [...selfUs.values()].reduce((sum, us) => sum + us, 0);
  const idle = [...selfUs.entries()]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((sum, [, us]) => sum + us, 0);
  const busy = total - idle;

  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    byFunction.set(label(node), (byFunction.get(label(node)) ?? 0) + us);
    const name = node.callFrame.functionName === '(garbage collector)' ? '(garbage collector)' : packageOf(node.callFrame.url);
    byPackage.set(name, (byPackage.get(name) ?? 0) + us);
  }
  const percent = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  console.log(`${path}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (${((100 * busy) / total).toFixed(0)}%)`);
  console.log('\nself time by package (share of busy time):');
  for (const [name, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${percent(us)}  ${name}`);
  console.log('\nself time by function:');
  for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${percent(us)}  ${name}`);
}

main();
