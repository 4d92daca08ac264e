import http from 'node:http';
import autocannon from 'autocannon';
import { loadJobSchema, type HttpLoadResult, type LoadReply, type StreamResult } from './loadJob';
import { summarize } from './stats';

/*
 * The load generator, forked by `runLoad` for one job: a process of its own, so it never
 * shares an event loop (or a core's time slice) with the app or the simulators.
 */

type HttpJob = Extract<ReturnType<typeof loadJobSchema.parse>, { type: 'http' }>;
type DownloadJob = Extract<ReturnType<typeof loadJobSchema.parse>, { type: 'download' }>;
type UploadJob = Extract<ReturnType<typeof loadJobSchema.parse>, { type: 'upload' }>;

const CHUNK = Buffer.alloc(64 * 1024, 0x5a);

function cannon(job: HttpJob, seconds: number, onAnswer?: (status: number, ms: number) => void): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        method: job.method,
        headers: job.headers,
        ...(job.body === undefined ? {} : { body: job.body }),
        connections: job.connections,
        duration: seconds,
        timeout: 30,
      },
      (error: unknown, result: autocannon.Result) =>
        error ? reject(error instanceof Error ? error : new Error('autocannon failed')) : resolve(result),
    );
    if (onAnswer) instance.on('response', (_client, status, _bytes, ms) => onAnswer(status, ms));
  });
}

async function runHttp(job: HttpJob): Promise<HttpLoadResult> {
  const cpuBefore = process.cpuUsage();
  const warmup = job.warmupSeconds > 0 ? await cannon(job, job.warmupSeconds) : undefined;
  const warmupAnswers = warmup ? warmup['1xx'] + warmup['2xx'] + warmup['3xx'] + warmup['4xx'] + warmup['5xx'] : 0;
  // autocannon's own histogram keeps whole milliseconds; the targets need fractions of one.
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const result = await cannon(job, job.durationSeconds, (status, ms) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status === job.expectStatus) latencies.push(ms);
  });
  return {
    requestsPerSecond: latencies.length / result.duration,
    expected: latencies.length,
    seconds: result.duration,
    latencyMs: summarize(latencies),
    statuses,
    answersIncludingWarmup: warmupAnswers + Object.values(statuses).reduce((total, count) => total + count, 0),
    errors: result.errors,
    timeouts: result.timeouts,
    cpuMs: ((cpu) => (cpu.user + cpu.system) / 1000)(process.cpuUsage(cpuBefore)),
  };
}

function runDownload(job: DownloadJob): Promise<StreamResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.get(job.url, { headers: job.headers, agent: false }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.once('end', () =>
        resolve({ status: response.statusCode ?? 0, bytes, seconds: (performance.now() - started) / 1000, answer: '' }),
      );
      response.once('error', reject);
    });
    request.once('error', reject);
  });
}

function runUpload(job: UploadJob): Promise<StreamResult> {
  return new Promise((resolve, reject) => {
    const prefix = Buffer.from(job.prefix, 'utf8');
    const suffix = Buffer.from(job.suffix, 'utf8');
    const total = prefix.length + job.payloadBytes + suffix.length;
    const started = performance.now();
    let answered = false;
    const request = http.request(
      job.url,
      { method: 'POST', headers: { ...job.headers, 'content-length': String(total) }, agent: false },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            bytes: total,
            seconds: (performance.now() - started) / 1000,
            answer: Buffer.concat(chunks).toString('utf8').slice(0, 4096),
          }),
        );
        response.once('error', reject);
      },
    );
    // A server that answers early (a 4xx before the body's end) then closes: EPIPE on our side; its answer is what counts.
    request.once('error', (error) => {
      if (!answered) reject(error);
    });
    let left = job.payloadBytes;
    const pump = () => {
      while (left > 0) {
        const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
        left -= chunk.length;
        if (!request.write(chunk)) {
          request.once('drain', pump);
          return;
        }
      }
      request.end(suffix);
    };
    request.write(prefix);
    pump();
  });
}

async function run(message: unknown): Promise<LoadReply> {
  const job = loadJobSchema.parse(message);
  switch (job.type) {
    case 'http':
      return { type: 'http', result: await runHttp(job) };
    case 'download':
      return { type: 'stream', result: await runDownload(job) };
    case 'upload':
      return { type: 'stream', result: await runUpload(job) };
  }
}

if (process.send) {
  process.once('message', (message: unknown) => {
    run(message)
      .catch((error: unknown): LoadReply => ({ type: 'error', message: error instanceof Error ? error.message : String(error) }))
      .then((reply) => process.send!(reply, () => process.exit(0)))
      .catch(() => process.exit(1));
  });
  // The parent went away: nothing left to report to.
  process.once('disconnect', () => process.exit(0));
}
