import { fork } from 'node:child_process';
import { join } from 'node:path';
import {
  loadReplySchema,
  type DownloadJob,
  type HttpLoadJob,
  type HttpLoadResult,
  type LoadJob,
  type LoadReply,
  type StreamResult,
  type UploadJob,
} from './loadJob';

/** Runs one job in a fresh load process (`loadProcess.js`) and resolves with its result. */
function runJob(job: LoadJob, timeoutMs: number): Promise<LoadReply> {
  return new Promise((resolve, reject) => {
    // Advanced serialization: NaN (no samples) survives the trip, JSON would make it null.
    const child = fork(join(__dirname, 'loadProcess.js'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    let settled = false;
    const timer = setTimeout(() => {
      settle(() => reject(new Error(`the load process did not finish within ${Math.round(timeoutMs / 1000)} s`)));
      child.kill('SIGKILL');
    }, timeoutMs);
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      action();
    };
    child.once('message', (message: unknown) => {
      const parsed = loadReplySchema.safeParse(message);
      settle(() => (parsed.success ? resolve(parsed.data) : reject(new Error('the load process sent an unreadable reply'))));
    });
    child.once('error', (error) => settle(() => reject(error)));
    child.once('exit', (code) => settle(() => reject(new Error(`the load process exited with ${code} before replying`))));
    child.send(job);
  });
}

/** autocannon at a fixed concurrency, in its own process; latencies with sub-millisecond resolution. */
export async function runHttpLoad(job: Omit<HttpLoadJob, 'type'>): Promise<HttpLoadResult> {
  const seconds = job.durationSeconds + (job.warmupSeconds ?? 2);
  const reply = await runJob({ ...job, type: 'http' }, (seconds + 60) * 1000);
  if (reply.type === 'error') throw new Error(`load generator: ${reply.message}`);
  if (reply.type !== 'http') throw new Error('load generator: unexpected reply');
  return reply.result;
}

export async function runDownload(job: Omit<DownloadJob, 'type'>, timeoutMs = 300_000): Promise<StreamResult> {
  return streamResult(await runJob({ ...job, type: 'download' }, timeoutMs));
}

export async function runUpload(job: Omit<UploadJob, 'type'>, timeoutMs = 300_000): Promise<StreamResult> {
  return streamResult(await runJob({ ...job, type: 'upload' }, timeoutMs));
}

function streamResult(reply: LoadReply): StreamResult {
  if (reply.type === 'error') throw new Error(`load generator: ${reply.message}`);
  if (reply.type !== 'stream') throw new Error('load generator: unexpected reply');
  return reply.result;
}
