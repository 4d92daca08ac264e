import type { DeploymentProgress } from './DeploymentProgress';

export interface FollowDeploymentInit<T> {
  /** Settles when ARM reports the deployment finished. */
  done: Promise<T>;
  progress: Pick<DeploymentProgress, 'report'>;
  wait: (ms: number) => Promise<void>;
  intervalMs: number;
}

/** Reports progress every interval until the deployment settles, then once more. */
export async function followDeployment<T>(init: FollowDeploymentInit<T>): Promise<T> {
  let settled = false;
  const finished = init.done.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  while (!settled) {
    await init.progress.report();
    await Promise.race([init.wait(init.intervalMs), finished]);
  }
  await init.progress.report();
  return init.done;
}
