import type { Benchmark } from './Benchmark';
import type { BenchRow } from './BenchRow';
import { checkLoad } from './checkLoad';
import { CpuMeter, describeCpu } from './CpuMeter';
import { formatDeltaMs, formatMs, formatNumber, formatRatio } from './format';
import { authorizeUser, registerInstance, registerOAuth2Instance } from './jiraSetup';
import type { HttpLoadResult } from './loadJob';
import { ensureNginx, startNginxProxy, type NginxProxy } from './nginxProxy';
import { PAYLOAD_PATH, payloadRoute } from './payloadRoute';
import { runHttpLoad } from './runLoad';
import { measureSignatureMicros, typicalBaseString } from './signatureCost';
import { measureParallelSigningRate } from './signingRate';
import { startStack } from './stack';

const CONNECTIONS = 32;
/** The issue's targets, against anchors of the same run: a share of the machine's parallel signing rate, a multiple of one signature. */
const TARGET_SHARE_OF_SIGNING_RATE = 0.8;
const TARGET_CPU_PER_SIGNATURE = 1.15;
/** Issue 17: an OAuth 2.0 proxied request (no signature) at half nginx `proxy_pass`'s rate or better, in the same run. */
const TARGET_OAUTH2_NGINX_RATIO = 0.5;
export const PROXY_FUNCTIONS = ['jiraProxy', 'jiraOAuthStart', 'jiraOAuthBegin', 'jiraOAuthCallback', 'manageInstances'];

/**
 * `proxy`: a proxied GET of 1 KiB of JSON (bearer token validated, instance and user token
 * from the caches, OAuth 1.0a signature, upstream call, streamed answer) against the same GET
 * sent directly to the simulated Jira and through nginx `proxy_pass` (when installed), all
 * in this run. Throughput at concurrency 32 (saturated). Added latency one request at a time
 * (c=1): at saturation latency is only concurrency over throughput (Little's law) and would
 * restate the req/s line, and a fixed rate spread over 32 connections arrives in bursts of
 * 32 that queue behind each other. The app's CPU time per request is set beside the bare
 * cost of the one RSA-SHA1 signature it must make. The same GET through an OAuth 2.0
 * instance (bearer token, no signature) is measured beside nginx `proxy_pass`.
 */
export const proxy: Benchmark = {
  name: 'proxy',
  measures:
    'proxied 1 KiB GET: req/s at c=32, added p50/p99 one at a time, CPU per request; anchors: direct, nginx, one RSA-SHA1 signature',
  async run(options) {
    const stack = await startStack({
      functions: PROXY_FUNCTIONS,
      jiraRoutes: [payloadRoute()],
      profileDir: options.profileDir,
      log: options.log,
    });
    let nginx: NginxProxy | undefined;
    let nginxMissing = '';
    try {
      await registerInstance(stack, 'bench');
      await authorizeUser(stack, stack.userToken, 'bench', 'alice');
      await registerOAuth2Instance(stack, 'bench2');
      await authorizeUser(stack, stack.userToken, 'bench2', 'alice');
      const pat = stack.jira.addPersonalAccessToken('alice');
      nginx = await ensureNginx(options.log)
        .then((executable) => startNginxProxy(executable, stack.jira.url))
        .catch((error: unknown) => {
          nginxMissing = error instanceof Error ? error.message : String(error);
          options.log(`nginx: ${nginxMissing}`);
          return undefined;
        });

      const signatureMicros = measureSignatureMicros();
      options.log(`one RSA-SHA1 signature (2,048-bit KeyObject): ${signatureMicros.toFixed(0)} µs`);
      const signingRate = await measureParallelSigningRate(typicalBaseString());
      options.log(`parallel signing rate (thread pool, one in flight per core): ${signingRate.toFixed(0)} signatures/s`);

      const direct = { url: `${stack.jira.url}/${PAYLOAD_PATH}`, headers: { authorization: `Bearer ${pat}` } };
      const viaNginx = nginx ? { url: `${nginx.url}/${PAYLOAD_PATH}`, headers: { authorization: `Bearer ${pat}` } } : undefined;
      const proxied = {
        url: `${stack.appUrl}/api/jira/bench/proxy/${PAYLOAD_PATH}`,
        headers: { authorization: `Bearer ${stack.userToken}` },
      };
      const proxiedOAuth2 = { ...proxied, url: `${stack.appUrl}/api/jira/bench2/proxy/${PAYLOAD_PATH}` };
      const load = async (
        what: string,
        target: { url: string; headers: Record<string, string> },
        connections = CONNECTIONS,
      ): Promise<HttpLoadResult> => {
        stack.jira.clearRequests();
        const result = await runHttpLoad({ ...target, connections, durationSeconds: options.durationSeconds });
        return checkLoad(what, result, options.log);
      };

      const directMax = await load('direct, c=32', direct);
      const nginxMax = viaNginx ? await load('nginx, c=32', viaNginx) : undefined;
      const meter = new CpuMeter({ appPid: stack.appPid });
      meter.begin();
      const proxiedMax = await load('proxied, c=32', proxied);
      const cpu = meter.end();
      options.log(describeCpu(cpu, proxiedMax.answersIncludingWarmup, 'proxied request'));
      const cpuMicros = cpu.app === undefined ? undefined : (cpu.app * 1000) / proxiedMax.answersIncludingWarmup;

      const oauth2Max = await load('proxied OAuth 2.0, c=32', proxiedOAuth2);
      const directOne = await load('direct, c=1', direct, 1);
      const nginxOne = viaNginx ? await load('nginx, c=1', viaNginx, 1) : undefined;
      const proxiedOne = await load('proxied, c=1', proxied, 1);

      const added = (quantile: 'p50' | 'p99') => proxiedOne.latencyMs[quantile] - directOne.latencyMs[quantile];
      const nginxAdded = (quantile: 'p50' | 'p99') =>
        nginxOne
          ? `; nginx ${formatDeltaMs(nginxOne.latencyMs[quantile] - directOne.latencyMs[quantile])}`
          : `; nginx missing (${nginxMissing})`;
      const rows: BenchRow[] = [
        {
          name: `proxy req/s (c=${CONNECTIONS})`,
          figure: `${formatNumber(proxiedMax.requestsPerSecond)} req/s (direct ${formatNumber(directMax.requestsPerSecond)}; nginx ${nginxMax ? formatNumber(nginxMax.requestsPerSecond) : `missing (${nginxMissing})`})`,
          anchor: `parallel signing ${formatNumber(signingRate)} signatures/s`,
          ratio: formatRatio(proxiedMax.requestsPerSecond, signingRate),
          target: `≥ ${formatNumber(TARGET_SHARE_OF_SIGNING_RATE, 2)}× signing rate`,
          met: proxiedMax.requestsPerSecond >= TARGET_SHARE_OF_SIGNING_RATE * signingRate,
        },
        {
          name: 'proxy app CPU per request',
          figure: cpuMicros === undefined ? 'not measured: no /proc' : `${formatNumber(cpuMicros)} µs`,
          anchor: `one RSA-SHA1 signature ${formatNumber(signatureMicros)} µs`,
          ratio: formatRatio(cpuMicros, signatureMicros),
          target: `≤ ${formatNumber(TARGET_CPU_PER_SIGNATURE, 2)}× one signature`,
          met: cpuMicros === undefined ? undefined : cpuMicros <= TARGET_CPU_PER_SIGNATURE * signatureMicros,
        },
        {
          name: `proxy OAuth 2.0 req/s (c=${CONNECTIONS})`,
          figure: `${formatNumber(oauth2Max.requestsPerSecond)} req/s`,
          anchor: `nginx ${nginxMax ? formatNumber(nginxMax.requestsPerSecond) : `missing (${nginxMissing})`}; OAuth 1.0a ${formatNumber(proxiedMax.requestsPerSecond)} req/s`,
          ratio: formatRatio(oauth2Max.requestsPerSecond, nginxMax?.requestsPerSecond),
          target: `≥ ${TARGET_OAUTH2_NGINX_RATIO * 100}% of nginx`,
          met: nginxMax ? oauth2Max.requestsPerSecond >= TARGET_OAUTH2_NGINX_RATIO * nginxMax.requestsPerSecond : undefined,
        },
        {
          name: 'proxy added p50 (c=1)',
          figure: `${formatDeltaMs(added('p50'))} (p50 ${formatMs(proxiedOne.latencyMs.p50)})`,
          anchor: `direct p50 ${formatMs(directOne.latencyMs.p50)}${nginxAdded('p50')}`,
          ratio: formatRatio(proxiedOne.latencyMs.p50, directOne.latencyMs.p50),
          target: '— (info)',
          met: 'info',
        },
        {
          name: 'proxy added p99 (c=1)',
          figure: `${formatDeltaMs(added('p99'))} (p99 ${formatMs(proxiedOne.latencyMs.p99)})`,
          anchor: `direct p99 ${formatMs(directOne.latencyMs.p99)}${nginxAdded('p99')}`,
          ratio: formatRatio(proxiedOne.latencyMs.p99, directOne.latencyMs.p99),
          target: '— (info)',
          met: 'info',
        },
      ];
      options.log(
        `saturated latency at c=${CONNECTIONS}: proxied p50 ${formatMs(proxiedMax.latencyMs.p50)} p99 ${formatMs(proxiedMax.latencyMs.p99)}; direct p50 ${formatMs(directMax.latencyMs.p50)} p99 ${formatMs(directMax.latencyMs.p99)}`,
      );
      return rows;
    } finally {
      await nginx?.stop();
      await stack.stop();
    }
  },
};
