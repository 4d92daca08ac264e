import type { Benchmark } from './Benchmark';
import { formatNumber, formatRatio } from './format';
import { authorizeUser, registerInstance } from './jiraSetup';
import type { StreamResult } from './loadJob';
import { processRssBytes } from './processCpu';
import { PROXY_FUNCTIONS } from './proxy';
import { RssSampler } from './RssSampler';
import { runDownload, runUpload } from './runLoad';
import { median } from './stats';
import { startStack, type Stack } from './stack';

const MiB = 1024 * 1024;
const SIZE = 200 * MiB;
const RUNS = 3;
/** The issue's target for the upload; the download keeps the 0.8× it had. */
const TARGET_SHARE = { download: 0.8, upload: 0.9 } as const;
const TARGET_RSS_MiB = 32;
const BOUNDARY = 'bench-boundary-7d1c4f';

interface Transfer {
  mibPerSecond: number;
  /** Peak RSS of the app during the transfer over its RSS just before; undefined for direct runs or without /proc. */
  rssGrowthBytes: number | undefined;
}

async function measure(
  stack: Stack,
  proxied: boolean,
  transfer: () => Promise<StreamResult>,
  check: (result: StreamResult) => void,
): Promise<Transfer> {
  const before = proxied ? processRssBytes(stack.appPid) : undefined;
  const sampler = proxied ? new RssSampler({ pid: stack.appPid }) : undefined;
  sampler?.start();
  let result: StreamResult;
  let peak: number | undefined;
  try {
    result = await transfer();
  } finally {
    peak = sampler?.stop();
  }
  check(result);
  return {
    mibPerSecond: result.bytes / MiB / result.seconds,
    rssGrowthBytes: before === undefined || peak === undefined ? undefined : Math.max(0, peak - before),
  };
}

/**
 * `proxy-stream`: a 200 MiB attachment downloaded and uploaded through the proxy, against
 * the same transfers straight to the simulated Jira, alternating, median of three each;
 * the app's peak RSS during a proxied transfer over its RSS just before (sampled from
 * /proc every 20 ms) shows whether the body is streamed or held.
 */
export const proxyStream: Benchmark = {
  name: 'proxy-stream',
  measures: '200 MiB download and upload through the proxy: throughput against direct, RSS growth of the app',
  async run(options) {
    // 200 MiB is above the default upload limit (100 MiB, the Functions host's own): both raised, as a deployment that relays such files would.
    const limit = String(2 * SIZE);
    const stack = await startStack({
      functions: PROXY_FUNCTIONS,
      settings: { PROXY_MAX_BODY_BYTES: limit, FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: limit },
      profileDir: options.profileDir,
      log: options.log,
    });
    try {
      await registerInstance(stack, 'bench');
      await authorizeUser(stack, stack.userToken, 'bench', 'alice');
      const pat = stack.jira.addPersonalAccessToken('alice');
      const attachment = stack.jira.addAttachment({ size: SIZE, filename: 'bench.bin', issueKey: 'DEMO-1' });
      const direct = { base: stack.jira.url, authorization: `Bearer ${pat}` };
      const proxied = { base: `${stack.appUrl}/api/jira/bench/proxy`, authorization: `Bearer ${stack.userToken}` };

      const download = (via: typeof direct, isProxied: boolean) =>
        measure(
          stack,
          isProxied,
          () => runDownload({ url: `${via.base}/${attachment.path}`, headers: { authorization: via.authorization } }),
          (result) => {
            if (result.status !== 200 || result.bytes !== SIZE)
              throw new Error(`download ${isProxied ? 'proxied' : 'direct'}: status ${result.status}, ${result.bytes} bytes`);
          },
        );
      const upload = (via: typeof direct, isProxied: boolean) =>
        measure(
          stack,
          isProxied,
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
              throw new Error(`upload ${isProxied ? 'proxied' : 'direct'}: status ${result.status} ${result.answer.slice(0, 200)}`);
          },
        );

      const results = {
        downloadDirect: [] as Transfer[],
        downloadProxied: [] as Transfer[],
        uploadDirect: [] as Transfer[],
        uploadProxied: [] as Transfer[],
      };
      for (let run = 0; run < RUNS; run += 1) {
        results.downloadDirect.push(await download(direct, false));
        results.downloadProxied.push(await download(proxied, true));
        results.uploadDirect.push(await upload(direct, false));
        results.uploadProxied.push(await upload(proxied, true));
        stack.jira.clearRequests();
      }
      const speed = (transfers: Transfer[]) => median(transfers.map((transfer) => transfer.mibPerSecond));
      const growths = [...results.downloadProxied, ...results.uploadProxied].map((transfer) => transfer.rssGrowthBytes);
      const growthMiB = growths.some((growth) => growth === undefined)
        ? undefined
        : Math.max(...growths.map((growth) => growth ?? 0)) / MiB;
      const downloadGrowth = Math.max(...results.downloadProxied.map((transfer) => transfer.rssGrowthBytes ?? 0)) / MiB;
      const uploadGrowth = Math.max(...results.uploadProxied.map((transfer) => transfer.rssGrowthBytes ?? 0)) / MiB;
      options.log(
        `download MiB/s direct ${results.downloadDirect.map((t) => t.mibPerSecond.toFixed(0)).join('/')}, proxied ${results.downloadProxied.map((t) => t.mibPerSecond.toFixed(0)).join('/')}; ` +
          `upload direct ${results.uploadDirect.map((t) => t.mibPerSecond.toFixed(0)).join('/')}, proxied ${results.uploadProxied.map((t) => t.mibPerSecond.toFixed(0)).join('/')}`,
      );

      const line = (what: 'download' | 'upload', proxiedSpeed: number, directSpeed: number) => ({
        name: `proxy-stream ${what} 200 MiB`,
        figure: `${formatNumber(proxiedSpeed)} MiB/s`,
        anchor: `direct ${formatNumber(directSpeed)} MiB/s`,
        ratio: formatRatio(proxiedSpeed, directSpeed),
        target: `≥ ${formatNumber(TARGET_SHARE[what], 2)}× direct`,
        met: proxiedSpeed >= TARGET_SHARE[what] * directSpeed,
      });
      return [
        line('download', speed(results.downloadProxied), speed(results.downloadDirect)),
        line('upload', speed(results.uploadProxied), speed(results.uploadDirect)),
        {
          name: 'proxy-stream app RSS growth',
          figure:
            growthMiB === undefined
              ? 'n/a (no /proc)'
              : `+${formatNumber(growthMiB, 1)} MiB (download +${formatNumber(downloadGrowth, 1)}, upload +${formatNumber(uploadGrowth, 1)})`,
          anchor: `200 MiB moved per transfer`,
          ratio: '—',
          target: `≤ ${TARGET_RSS_MiB} MiB`,
          met: growthMiB === undefined ? undefined : growthMiB <= TARGET_RSS_MiB,
        },
      ];
    } finally {
      await stack.stop();
    }
  },
};
