import type { BenchRow } from './BenchRow';

export interface BenchOptions {
  /** Seconds of each load run (after its warm-up); `--duration=N`, 10 by default. */
  durationSeconds: number;
  /** `--cpu-prof`: the app process writes a V8 CPU profile here when it stops. */
  profileDir: string | undefined;
  /** Progress lines (stderr), never part of the table. */
  log: (line: string) => void;
}

/** One benchmark of `npm run bench`: measures its path and its anchors in the same run. */
export interface Benchmark {
  name: string;
  /** One line for `npm run bench -- --list`. */
  measures: string;
  run(options: BenchOptions): Promise<BenchRow[]>;
}
