import { fork } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';
import { stopWithStacks } from './stack';

export interface FloorRelay {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const readySchema = z.object({ type: z.literal('ready'), url: z.string().url(), pid: z.number().int() });

/** The minimal node:http relay (`floorRelayProcess.ts`) to `target`, in a process of its own; stopped with the stacks on failure. */
export async function startFloorRelay(target: string, timeoutMs = 30_000): Promise<FloorRelay> {
  const child = fork(join(__dirname, 'floorRelayProcess.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const forget = stopWithStacks(stop);
  child.send({ type: 'start', target });
  try {
    const ready = await new Promise<z.infer<typeof readySchema>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the floor relay did not start within ${timeoutMs / 1000} s`)), timeoutMs);
      child.once('message', (message: unknown) => {
        clearTimeout(timer);
        const parsed = readySchema.safeParse(message);
        if (parsed.success) resolve(parsed.data);
        else reject(new Error('the floor relay sent an unreadable reply'));
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error('the floor relay exited before it was ready'));
      });
    });
    return {
      url: ready.url,
      pid: ready.pid,
      stop: async () => {
        forget();
        await stop();
      },
    };
  } catch (error) {
    forget();
    await stop();
    throw error;
  }
}
