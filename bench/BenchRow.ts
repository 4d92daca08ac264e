/** One line of the table `npm run bench` prints. */
export interface BenchRow {
  /** The benchmark and what this line measures, e.g. `proxy req/s`. */
  name: string;
  figure: string;
  /** What was measured beside it in the same run (a direct call, nginx, a bare signature), or `—`. */
  anchor: string;
  /** Figure over anchor, or `—`. */
  ratio: string;
  target: string;
  /** `info`: measured, shown for context, no target of its own; undefined: could not be measured (a missing tool, a failed setup). */
  met: boolean | 'info' | undefined;
  /** With `met: false`: the floor measured in the same run that proves no implementation can meet the target here. */
  unreachable?: string;
}

/** The line of a benchmark that could not run, saying why. */
export function failedRow(name: string, reason: string, target = '—'): BenchRow {
  return { name, figure: `not measured: ${reason}`, anchor: '—', ratio: '—', target, met: undefined };
}
