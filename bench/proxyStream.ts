import type { BenchRow } from './BenchRow';
import type { Benchmark } from './Benchmark';
import { formatNumber, formatRatio } from './format';
import { authorizeUser, registerInstance } from './jiraSetup';
import type { StreamResult } from './loadJob';
import { processCpuMs, processRssBytes } from './processCpu';
import { PROXY_FUNCTIONS } from './proxy';
import { RssSampler } from './RssSampler';
import { runDownload, runUpload } from './runLoad';
import { median } from './stats';
import { startStack } from './stack';
import { startFloorRelay } from './floorRelay';
import { floorShareTargetProof } from './targetProof';

const MiB = 1024 * 1024;
const SIZE = 200 * MiB;
const RUNS = 3;
/** The issue's target for the upload; the download keeps the 0.8× it had. */
const TARGET_SHARE = { download: 0.8, upload: 0.9 } as const;
const TARGET_RSS_MiB = 32;
const BOUNDARY = 'bench-boundary-7d1c4f';

/** Where a transfer goes: straight to the simulated Jira, through the floor relay, through the proxy. */
interface Route {
  name: 'direct' | 'floor' | 'proxied';
  base: string;
  authorization: string;
  /** The relaying process whose RSS is sampled; none for direct. */
  pid: number | undefined;
}

interface Transfer {
  mibPerSecond: number;
  /** Peak RSS of the app during the transfer over its RSS just before; undefined for direct runs or without /proc. */
  rssGrowthBytes: number | undefined;
  /** CPU time of the relaying process during the transfer: unlike MiB/s, it hardly moves with the machine's load. */
  relayCpuMs: number | undefined;
}

/** One transfer; with `relayPid`, the RSS growth of that relaying process (the app, the floor relay) too. */
async function measure(
  relayPid: number | undefined,
  transfer: () => Promise<StreamResult>,
  check: (result: StreamResult) => void,
): Promise<Transfer> {
  const before = relayPid === undefined ? undefined : processRssBytes(relayPid);
  const cpuBefore = relayPid === undefined ? undefined : processCpuMs(relayPid);
  const sampler = relayPid === undefined ? undefined : new RssSampler({ pid: relayPid });
  sampler?.start();
  let result: StreamResult;
  let peak: number | undefined;
  try {
    result = await transfer();
  } finally {
    peak = sampler?.stop();
  }
  const cpuAfter = relayPid === undefined ? undefined : processCpuMs(relayPid);
  check(result);
  return {
    relayCpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    mibPerSecond: result.bytes / MiB / result.seconds,
    rssGrowthBytes: before === undefined || peak === undefined ? undefined : Math.max(0, peak - before),
  };
}

/**
 * `proxy-stream`: a 200 MiB attachment downloaded and uploaded through the proxy, against
 * the same transfers straight to the simulated Jira and through a minimal node:http relay
 * (the floor: what any Node relay reaches here), alternating, median of three each;
 * the app's peak RSS during a proxied transfer over its RSS just before (sampled from
 * /proc every 20 ms) shows whether the body is streamed or held.
 */
export const proxyStream: Benchmark = {
  name: 'proxy-stream',
  measures:
    '200 MiB download and upload through the proxy: throughput against direct and against a minimal node:http relay (the floor), RSS growth of the app',
  async run(options) {
    // 200 MiB is above the default upload limit (100 MiB, the Functions host's own): both raised, as a deployment that relays such files would.
    const limit = String(2 * SIZE);
    const stack = await startStack({
      functions: PROXY_FUNCTIONS,
      settings: { PROXY_MAX_BODY_BYTES: limit, FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: limit },
      profileDir: options.profileDir,
      log: options.log,
    });
    let stopFloor: (() => Promise<void>) | undefined;
    try {
      await registerInstance(stack, 'bench');
      await authorizeUser(stack, stack.userToken, 'bench', 'alice');
      const pat = stack.jira.addPersonalAccessToken('alice');
      const attachment = stack.jira.addAttachment({ size: SIZE, filename: 'bench.bin', issueKey: 'DEMO-1' });
      const direct: Route = { name: 'direct', base: stack.jira.url, authorization: `Bearer ${pat}`, pid: undefined };
      // The floor relays the direct request (the PAT, no signature): only the relaying differs.
      const floorRelay = await startFloorRelay(stack.jira.url);
      stopFloor = () => floorRelay.stop();
      const floor: Route = { name: 'floor', base: floorRelay.url, authorization: direct.authorization, pid: floorRelay.pid };
      const proxied: Route = {
        name: 'proxied',
        base: `${stack.appUrl}/api/jira/bench/proxy`,
        authorization: `Bearer ${stack.userToken}`,
        pid: stack.appPid,
      };

      const growth = (transfers: Transfer[]) => Math.max(...transfers.map((transfer) => transfer.rssGrowthBytes ?? 0)) / MiB;
      const download = (via: Route) =>
        measure(
          via.pid,
          () => runDownload({ url: `${via.base}/${attachment.path}`, headers: { authorization: via.authorization } }),
          (result) => {
            if (result.status !== 200 || result.bytes !== SIZE)
              throw new Error(`download ${via.name}: status ${result.status}, ${result.bytes} bytes`);
          },
        );
      const upload = (via: Route) =>
        measure(
          via.pid,
          () =>
            runUpload({
              url: `${via.base}/rest/api/2/issue/DEMO-1/attachments`,
              headers: {
                authorization: via.authorization,
                'x-atlassian-token': 'no-check',
                'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
              },
              prefix: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
              payloadBytes: SIZE,
              suffix: `\r\n--${BOUNDARY}--\r\n`,
            }),
          (result) => {
            const stored = stack.jira.uploads.at(-1);
            if (result.status !== 200 || !stored || stored.bytes !== result.bytes)
              throw new Error(`upload ${via.name}: status ${result.status} ${result.answer.slice(0, 200)}`);
          },
        );

      // One download and one upload through each relay first, unmeasured, as every bench warms up.
      // A process's first large transfer raises its RSS once, by 55–70 MiB on a bare relay here too
      // (its allocator's arenas growing to their working size; the ArrayBuffers alive stay under
      // 36 MiB); later transfers add a few MiB. The rows are about what each transfer holds, so
      // they are read after it, and the first transfer's rise is printed beside them.
      const firstGrowth = new Map<Route, number>();
      for (const route of [floor, proxied]) {
        const first = [await download(route), await upload(route)];
        firstGrowth.set(route, growth(first));
      }
      stack.jira.clearRequests();

      const routes = [direct, floor, proxied];
      const downloads = new Map<Route, Transfer[]>(routes.map((route) => [route, []]));
      const uploads = new Map<Route, Transfer[]>(routes.map((route) => [route, []]));
      for (let run = 0; run < RUNS; run += 1) {
        // Alternating, so a change in the machine's load falls on every route alike.
        for (const route of routes) downloads.get(route)!.push(await download(route));
        for (const route of routes) uploads.get(route)!.push(await upload(route));
        stack.jira.clearRequests();
      }
      const speed = (transfers: Transfer[]) => median(transfers.map((transfer) => transfer.mibPerSecond));
      const measuredRss = [...downloads.get(proxied)!, ...uploads.get(proxied)!].every((transfer) => transfer.rssGrowthBytes !== undefined);
      const speeds = (transfers: Map<Route, Transfer[]>) =>
        routes
          .map(
            (route) =>
              `${route.name} ${transfers
                .get(route)!
                .map((t) => t.mibPerSecond.toFixed(0))
                .join('/')}`,
          )
          .join(', ');
      options.log(`download MiB/s ${speeds(downloads)}; upload ${speeds(uploads)}`);
      const cpu = (transfers: Map<Route, Transfer[]>) =>
        [floor, proxied]
          .map(
            (route) =>
              `${route.name} ${transfers
                .get(route)!
                .map((t) => (t.relayCpuMs ?? NaN).toFixed(0))
                .join('/')}`,
          )
          .join(', ');
      options.log(`relay CPU ms per 200 MiB: download ${cpu(downloads)}; upload ${cpu(uploads)}`);

      const line = (what: 'download' | 'upload', transfers: Map<Route, Transfer[]>): BenchRow[] => {
        const [directSpeed, floorSpeed, proxiedSpeed] = routes.map((route) => speed(transfers.get(route)!)) as [number, number, number];
        const target = TARGET_SHARE[what];
        // The floor relays with the least work a Node relay can do: below the target, no Node relay reaches it here.
        const proof = floorShareTargetProof({
          floor: 'Node relay floor',
          floorRate: floorSpeed,
          anchorRate: directSpeed,
          anchor: 'direct',
          unit: 'MiB/s',
          share: target,
        });
        return [
          {
            name: `proxy-stream ${what} 200 MiB`,
            figure: `${formatNumber(proxiedSpeed)} MiB/s`,
            anchor: `direct ${formatNumber(directSpeed)} MiB/s; floor relay ${formatRatio(floorSpeed, directSpeed)}`,
            ratio: formatRatio(proxiedSpeed, directSpeed),
            target: `≥ ${formatNumber(target, 2)}× direct`,
            met: proxiedSpeed >= target * directSpeed,
            ...(proof === undefined ? {} : { unreachable: proof }),
          },
          {
            name: `proxy-stream ${what} floor (node:http relay)`,
            figure: `${formatNumber(floorSpeed)} MiB/s, RSS +${formatNumber(growth(transfers.get(floor)!), 1)} MiB`,
            anchor: `direct ${formatNumber(directSpeed)} MiB/s`,
            ratio: formatRatio(floorSpeed, directSpeed),
            target:
              proof === undefined
                ? `floor reaches ${formatNumber(target, 2)}×: the gap is the app's`
                : `floor below ${formatNumber(target, 2)}×: target out of reach for a Node relay here`,
            met: 'info',
          },
        ];
      };
      const downloadGrowth = growth(downloads.get(proxied)!);
      const uploadGrowth = growth(uploads.get(proxied)!);
      const growthMiB = measuredRss ? Math.max(downloadGrowth, uploadGrowth) : undefined;
      return [
        ...line('download', downloads),
        ...line('upload', uploads),
        {
          name: 'proxy-stream app RSS growth',
          figure:
            growthMiB === undefined
              ? 'n/a (no /proc)'
              : `+${formatNumber(growthMiB, 1)} MiB (download +${formatNumber(downloadGrowth, 1)}, upload +${formatNumber(uploadGrowth, 1)}); the process's first transfer +${formatNumber(firstGrowth.get(proxied)!, 1)}`,
          // The floor relay's growth on the same transfers: what a Node relay holds here at best.
          anchor: `floor relay +${formatNumber(Math.max(growth(downloads.get(floor)!), growth(uploads.get(floor)!)), 1)} MiB (first transfer +${formatNumber(firstGrowth.get(floor)!, 1)}); 200 MiB per transfer`,
          ratio: '—',
          target: `≤ ${TARGET_RSS_MiB} MiB`,
          met: growthMiB === undefined ? undefined : growthMiB <= TARGET_RSS_MiB,
        },
      ];
    } finally {
      await stopFloor?.();
      await stack.stop();
    }
  },
};
