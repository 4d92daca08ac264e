import type { HostLog, HostLogLevel } from './HostLog';

const RANK: Record<HostLogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Lines at `minLevel` and above to stdout (warnings and errors to stderr), timestamped. */
export function consoleHostLog(minLevel: HostLogLevel = 'info'): HostLog {
  return {
    write(level, line) {
      if (RANK[level] < RANK[minLevel]) return;
      const text = `[${new Date().toISOString()}] ${line}`;
      if (RANK[level] >= RANK.warn) console.error(text);
      else console.log(text);
    },
  };
}
