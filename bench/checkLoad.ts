import type { HttpLoadResult } from './loadJob';

/** Logs a run's figures, and fails it when no answer had the expected status (a broken setup, not a slow path). */
export function checkLoad(what: string, result: HttpLoadResult, log: (line: string) => void): HttpLoadResult {
  const statuses = Object.entries(result.statuses)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
  log(
    `${what}: ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.latencyMs.p50.toFixed(2)} ms, p99 ${result.latencyMs.p99.toFixed(2)} ms; statuses ${statuses || 'none'}` +
      (result.errors > 0 ? `; ${result.errors} errors (${result.timeouts} timeouts)` : ''),
  );
  if (result.expected === 0)
    throw new Error(`${what}: no answer had the expected status (${statuses || 'no answers'}, ${result.errors} errors)`);
  return result;
}
