import { Agent, request } from 'undici';
import type { FloorAnswer } from './anchorFunctions';
import { UpmLicenses } from '../dev/sandbox/jira/upmLicenses';
import type { Benchmark } from './Benchmark';
import { checkLoad } from './checkLoad';
import { CpuMeter, describeCpu } from './CpuMeter';
import { formatMs, formatNumber, formatRatio } from './format';
import { registerInstance } from './jiraSetup';
import { runHttpLoad } from './runLoad';
import { startStack } from './stack';

const CONNECTIONS = 10;
const BURST = 1000;
/** App CPU of a cached check over the empty handler's on the same host, same run. */
const TARGET_CPU_RATIO = 1.3;

/**
 * `license`: `GET /api/licenses/{instanceId}` once the decision is cached (the bearer token
 * is still validated on every call), against the empty handler on the same host; and a
 * cold burst of concurrent checks of a fresh instance, which must cost one UPM request.
 * Concurrency 10: p99 ≤ 5 ms at 5,000/s leaves room for no more than about 25 in flight.
 */
export const license: Benchmark = {
  name: 'license',
  measures: 'cached license checks (req/s, p99) against an empty handler; a cold burst of 1,000 checks → UPM calls',
  async run(options) {
    const upm = new UpmLicenses();
    const stack = await startStack({
      functions: ['licenseCheck', 'manageInstances'],
      jiraRoutes: upm.routes(),
      profileDir: options.profileDir,
      log: options.log,
    });
    try {
      await registerInstance(stack, 'lic-cached', { appKey: 'com.example.outlook.cached' });
      await registerInstance(stack, 'lic-cold', { appKey: 'com.example.outlook.cold' });
      upm.set('com.example.outlook.cached', { mode: 'active', maxUsers: 500 });
      upm.set('com.example.outlook.cold', { mode: 'active', maxUsers: 500 });
      const authorization = `Bearer ${stack.userToken}`;
      await setFloorToCheck(stack.appUrl, authorization);

      // One load run on `path`, with the app's CPU per answer (warm-up included, as the answers counted are).
      const meter = new CpuMeter({ appPid: stack.appPid });
      const measure = async (label: string, path: string, unit: string) => {
        meter.begin();
        const load = checkLoad(
          label,
          await runHttpLoad({
            url: `${stack.appUrl}/api/${path}`,
            headers: { authorization },
            connections: CONNECTIONS,
            durationSeconds: options.durationSeconds,
          }),
          options.log,
        );
        const cpu = meter.end();
        options.log(describeCpu(cpu, load.answersIncludingWarmup, unit));
        return { load, cpuPerAnswer: cpu.app === undefined ? undefined : cpu.app / load.answersIncludingWarmup };
      };
      const { load: empty, cpuPerAnswer: cpuPerEmpty } = await measure('empty handler', 'bench/empty', 'empty-handler request');
      const { load: floor, cpuPerAnswer: cpuPerFloor } = await measure('floor (the same answer, no work)', 'bench/floor', 'floor answer');
      const { load: cached, cpuPerAnswer: cpuPerCheck } = await measure('cached license check', 'licenses/lic-cached', 'cached check');
      // The target is out of any handler's reach when the same answer, given for free, misses it already.
      const floorMisses = cpuPerFloor === undefined || cpuPerEmpty === undefined ? undefined : cpuPerFloor > TARGET_CPU_RATIO * cpuPerEmpty;
      const upstreamWhileCached = upm.requestCount('com.example.outlook.cached');

      // The burst: every check in flight before the first UPM answer can come back.
      const agent = new Agent({ connections: 256, pipelining: 0 });
      let licensed = 0;
      const started = performance.now();
      try {
        await Promise.all(
          Array.from({ length: BURST }, async () => {
            const response = await request(`${stack.appUrl}/api/licenses/lic-cold`, { dispatcher: agent, headers: { authorization } });
            const body = (await response.body.json()) as { licensed?: unknown };
            if (response.statusCode === 200 && body.licensed === true) licensed += 1;
          }),
        );
      } finally {
        await agent.close();
      }
      const burstMs = performance.now() - started;
      const upstreamCalls = upm.requestCount('com.example.outlook.cold');
      options.log(
        `cold burst: ${licensed}/${BURST} licensed in ${formatMs(burstMs)}, ${upstreamCalls} UPM request(s); UPM requests during the cached run: ${upstreamWhileCached}`,
      );

      return [
        {
          name: 'license cached app CPU per check',
          figure: cpuPerCheck === undefined ? 'not measured: no /proc' : formatMs(cpuPerCheck),
          anchor:
            cpuPerEmpty === undefined || cpuPerFloor === undefined
              ? '—'
              : `empty handler ${formatMs(cpuPerEmpty)}; floor ${formatMs(cpuPerFloor)} (${formatRatio(cpuPerFloor, cpuPerEmpty)})`,
          ratio: formatRatio(cpuPerCheck, cpuPerEmpty),
          target: `≤ ${formatNumber(TARGET_CPU_RATIO, 2)}× empty handler`,
          met: cpuPerCheck === undefined || cpuPerEmpty === undefined ? undefined : cpuPerCheck <= TARGET_CPU_RATIO * cpuPerEmpty,
          // The floor gives the very answer with no work: when it alone misses the ratio, no handler can meet it.
          ...(floorMisses === true
            ? { unreachable: `the floor (the same answer, no work) is ${formatRatio(cpuPerFloor, cpuPerEmpty)} the empty handler` }
            : {}),
        },
        {
          name: 'license cached app CPU over the floor',
          figure: cpuPerCheck === undefined || cpuPerFloor === undefined ? 'not measured: no /proc' : formatMs(cpuPerCheck - cpuPerFloor),
          anchor: cpuPerFloor === undefined ? '—' : `floor ${formatMs(cpuPerFloor)} (the same answer, no work)`,
          ratio: formatRatio(cpuPerCheck, cpuPerFloor),
          target: '— (info: what is ours)',
          met: 'info',
        },
        {
          name: 'license floor checks/s',
          figure: `${formatNumber(floor.requestsPerSecond)} req/s (p99 ${formatMs(floor.latencyMs.p99)})`,
          anchor: `empty handler ${formatNumber(empty.requestsPerSecond)} req/s`,
          ratio: formatRatio(floor.requestsPerSecond, empty.requestsPerSecond),
          target: '— (info)',
          met: 'info',
        },
        {
          name: 'license cached checks/s',
          figure: `${formatNumber(cached.requestsPerSecond)} req/s (p99 ${formatMs(cached.latencyMs.p99)})`,
          anchor: `empty handler ${formatNumber(empty.requestsPerSecond)} req/s (p99 ${formatMs(empty.latencyMs.p99)})`,
          ratio: formatRatio(cached.requestsPerSecond, empty.requestsPerSecond),
          target: '— (info)',
          met: 'info',
        },
        {
          name: `license cold burst (${formatNumber(BURST)} checks)`,
          figure: `${upstreamCalls} UPM call(s), ${licensed}/${formatNumber(BURST)} licensed in ${formatMs(burstMs)}`,
          anchor: '—',
          ratio: '—',
          target: '= 1 upstream call',
          met: upstreamCalls === 1 && licensed === BURST,
        },
      ];
    } finally {
      await stack.stop();
    }
  },
};

/** Set by the local host or node:http on every answer, not by a handler. */
const HOST_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/**
 * Gives `bench/floor` the answer of a cached check, byte for byte (its headers but the ones
 * the host adds itself, and its body), and makes sure the floor now answers exactly that:
 * a floor that answered less would make the target look out of reach when it is not.
 */
async function setFloorToCheck(appUrl: string, authorization: string): Promise<void> {
  const check = await request(`${appUrl}/api/licenses/lic-cached`, { headers: { authorization } });
  const body = await check.body.text();
  if (check.statusCode !== 200) throw new Error(`the license check to copy answered ${check.statusCode}`);
  const answer: FloorAnswer = { status: check.statusCode, headers: handlerHeaders(check.headers), body };
  const set = await request(`${appUrl}/api/bench/floor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(answer),
  });
  await set.body.dump();
  if (set.statusCode !== 204) throw new Error(`the floor refused its answer: ${set.statusCode}`);

  const floor = await request(`${appUrl}/api/bench/floor`, { headers: { authorization } });
  const floorBody = await floor.body.text();
  const same =
    floor.statusCode === answer.status &&
    floorBody === body &&
    JSON.stringify(handlerHeaders(floor.headers)) === JSON.stringify(answer.headers);
  if (!same) throw new Error('the floor does not answer what the license check answers');
}

function handlerHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers).sort(([a], [b]) => a.localeCompare(b))) {
    if (value === undefined || HOST_HEADERS.has(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}
