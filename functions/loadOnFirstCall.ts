/**
 * A function whose implementation is loaded when it is first called, once, and reused: the
 * function table registers every handler at start-up, and a worker that serves one route must
 * not pay for loading the others (their SDKs and schemas are most of a cold start). A load that
 * fails is tried again on the next call instead of failing every later call the same way.
 */
export function loadOnFirstCall<Args extends unknown[], Result>(
  load: () => Promise<(...args: Args) => Promise<Result>>,
): (...args: Args) => Promise<Result> {
  let loading: Promise<(...args: Args) => Promise<Result>> | undefined;
  return async (...args) => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return (await loading)(...args);
  };
}
