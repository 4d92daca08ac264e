/** The value at quantile `q` (0..1) of unsorted samples, nearest rank; NaN when there are none. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  return rankOf(sortedCopy(samples), q);
}

export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * Quantiles, maximum and mean of any number of samples (NaN for none). One sort and loops,
 * never a spread: `Math.max(...samples)` passes every sample as an argument on the stack and
 * threw "Maximum call stack size exceeded" past ~120,000 samples (10 s of direct calls at
 * 13,000 req/s), which is how the proxy rows went unmeasured.
 */
export function summarize(samples: readonly number[]): LatencySummary {
  if (samples.length === 0) return { p50: Number.NaN, p90: Number.NaN, p99: Number.NaN, max: Number.NaN, mean: Number.NaN };
  const sorted = sortedCopy(samples);
  let sum = 0;
  for (const sample of sorted) sum += sample;
  return {
    p50: rankOf(sorted, 0.5),
    p90: rankOf(sorted, 0.9),
    p99: rankOf(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
    mean: sum / sorted.length,
  };
}

function sortedCopy(samples: readonly number[]): Float64Array {
  return Float64Array.from(samples).sort();
}

function rankOf(sorted: Float64Array, q: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}
