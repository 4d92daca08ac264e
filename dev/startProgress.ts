/** One step of `npm start`, said as it begins and as it ends. */
export type Step = <T>(label: string, work: () => Promise<T>, describe?: (result: T) => string) => Promise<T>;

/**
 * `npm start`'s progress: a line when a step begins (`… storage: Azurite`) and one when it
 * ends (`✓ storage: Azurite (listening on …) in 812 ms`, or `✗ … failed after 3 s`), so a slow
 * or stuck start shows where it is rather than going quiet until the banner. The error itself
 * is rethrown for the caller to report once.
 */
export function startProgress(init: { write: (line: string) => void; now?: () => number }): Step {
  const now = init.now ?? (() => performance.now());
  return async (label, work, describe) => {
    const started = now();
    init.write(`… ${label}`);
    try {
      const result = await work();
      const detail = describe?.(result);
      init.write(`✓ ${label}${detail ? ` (${detail})` : ''} in ${Math.round(now() - started)} ms`);
      return result;
    } catch (error) {
      init.write(`✗ ${label} failed after ${Math.round(now() - started)} ms`);
      throw error;
    }
  };
}
