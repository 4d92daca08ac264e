import { spawnTypeScript } from './spawnTypeScript';

export interface TypeScriptProcess {
  readonly pid: number | undefined;
  /** Every complete stdout line so far. */
  readonly lines: readonly string[];
  /** The last stderr output (bounded), for a failure message. */
  stderrTail(): string;
  /** Resolves at the first stdout line equal to `line`; rejects if the process exits first or `timeoutMs` pass. */
  waitForLine(line: string, timeoutMs?: number): Promise<void>;
  /** `kill -9`; resolves once it is gone. */
  kill(): Promise<void>;
  readonly exited: Promise<number | null>;
}

/**
 * Starts a TypeScript file of this project as a long-running child process (cwd: the
 * project root) with exactly the environment given (plus PATH), for tests that must kill
 * it at a moment of their choosing. `runTypeScript` (spawnTypeScript.ts) is the one to use
 * for a child that runs to its end.
 */
export function startTypeScriptProcess(file: string, env: Record<string, string>, onLine?: (line: string) => void): TypeScriptProcess {
  const child = spawnTypeScript(file, [], env);
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const waiters: { line: string; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      onLine?.(line);
      for (const waiter of waiters.filter((candidate) => candidate.line === line)) waiter.resolve();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return {
    pid: child.pid,
    lines,
    stderrTail: () => stderr,
    waitForLine: (line, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        if (lines.includes(line)) return resolve();
        const timer = setTimeout(() => reject(new Error(`no "${line}" within ${timeoutMs} ms:\n${stderr.slice(-3000)}`)), timeoutMs);
        waiters.push({
          line,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`the process exited (${code}) before "${line}":\n${stderr.slice(-3000)}`));
        });
      }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    exited,
  };
}
