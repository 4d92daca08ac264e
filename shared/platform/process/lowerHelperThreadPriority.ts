import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Niceness of the process's helper threads: the event loop keeps its core when both want one. */
export const HELPER_THREAD_NICENESS = 10;

/**
 * Gives every thread of this process but the main one (libuv's pool, where RSA signatures
 * run, and V8's helpers) a lower scheduling priority, on Linux; elsewhere it does nothing.
 *
 * Why: a signature handed to the pool wakes an idle pool thread, and on a machine with as
 * few cores as runnable threads (1–2 vCPU plans, the 2-core bench machine) the woken thread
 * preempts the event loop that woke it, for the length of an RSA signature. Measured: the
 * main thread spent 300–400 µs (median) inside each `crypto.sign(…, callback)` call, i.e.
 * "off the loop" still stalled it; with the pool at niceness 10, 6–9 µs (docs/performance.md).
 * A thread may always lower its own priority (setpriority(2) on a thread id), no privilege
 * needed. Threads that do not exist yet keep the default; the pool's are all created with
 * its first job, so call this after one.
 */
export function lowerHelperThreadPriority(): number {
  if (process.platform !== 'linux') return 0;
  let lowered = 0;
  let threadIds: string[];
  try {
    threadIds = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  for (const id of threadIds) {
    const tid = Number(id);
    if (!Number.isSafeInteger(tid) || tid === process.pid) continue;
    try {
      if (getPriority(tid) < HELPER_THREAD_NICENESS) {
        setPriority(tid, HELPER_THREAD_NICENESS);
        lowered += 1;
      }
    } catch {
      // The thread ended meanwhile, or the platform refuses: nothing to lower.
    }
  }
  return lowered;
}
