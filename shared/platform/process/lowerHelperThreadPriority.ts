import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';

/** Niceness of the process's helper threads: the event loop keeps its core when both want one. */
export const HELPER_THREAD_NICENESS = 10;

/** /proc's start times are in clock ticks: USER_HZ, 100 per second on every Linux ABI Node runs on. */
const TICK_MS = 10;
/** Slack for the rounding of two tick counts and for `timeOrigin` being taken a little after exec. */
const MARGIN_TICKS = 2;

/**
 * Gives the threads of this process that Node started after V8 (libuv's pool, where RSA
 * signatures run) a lower scheduling priority, on Linux; elsewhere it does nothing. The main
 * thread and the threads that exist before V8 starts (V8's platform workers: concurrent and
 * parallel GC, compilation) keep theirs.
 *
 * Why the pool: a signature handed to the pool wakes an idle pool thread, and on a machine with
 * as few cores as runnable threads (1–2 vCPU plans, the 2-core bench machine) the woken thread
 * preempts the event loop that woke it, for the length of an RSA signature. Measured: the main
 * thread spent 300–400 µs (median) inside each `crypto.sign(…, callback)` call, i.e. "off the
 * loop" still stalled it; with the pool at niceness 10, 6–9 µs (docs/performance.md).
 *
 * Why not V8's threads: lowered too (as this did at first), GC falls behind whenever the cores
 * are contended. Relaying 200 MiB, a Node relay then ran 9–17 GCs instead of 21–24, each main-
 * thread pause longer (356–924 ms of pauses against 380–472) and held 87–112 MiB of garbage
 * socket buffers instead of 59–68 (docs/performance.md, "proxy-stream: the cause"). The
 * platform workers are told apart by their start time: Node creates them before it starts V8
 * (`performance.nodeTiming.v8Start`), the pool only when the first job is queued, after
 * bootstrap. A thread that cannot be placed keeps its priority.
 *
 * A thread may always lower its own priority (setpriority(2) on a thread id), no privilege
 * needed. Threads that do not exist yet keep the default; the pool's are all created with its
 * first job, so call this after one.
 */
export function lowerHelperThreadPriority(): number {
  if (process.platform !== 'linux') return 0;
  let threadIds: string[];
  let runtimeUntilTick: number;
  try {
    threadIds = readdirSync('/proc/self/task');
    runtimeUntilTick = startTick('/proc/self/stat') + Math.ceil(performance.nodeTiming.v8Start / TICK_MS) + MARGIN_TICKS;
  } catch {
    return 0;
  }
  let lowered = 0;
  for (const id of threadIds) {
    const tid = Number(id);
    if (!Number.isSafeInteger(tid) || tid === process.pid) continue;
    try {
      if (!(startTick(`/proc/self/task/${tid}/stat`) > runtimeUntilTick)) continue;
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

/** Field 22 of a /proc stat line (proc(5)): when the process or thread started, in ticks since boot. */
function startTick(statPath: string): number {
  const stat = readFileSync(statPath, 'utf8');
  // The command name (field 2) may contain spaces; the fields after its closing parenthesis do not.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}
