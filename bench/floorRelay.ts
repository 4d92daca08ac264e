import { fork } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';
import { stopWithStacks } from './stack';
import { stopChild } from './stopChild';

export interface FloorRelay {
  /** `http://127.0.0.1:port`: a GET or POST of `/<path>` is relayed to `<upstream>/<path>`. */
  url: string;
  /** Its process, to read its CPU time from /proc. */
  pid: number;
  stop(): Promise<void>;
}

const readySchema = z.object({ type: z.literal('ready'), url: z.string(), pid: z.number().int() });

/** The Node relay floor (`floorRelayProcess.ts`) in a process of its own, relaying to `upstream`. */
export async function startFloorRelay(upstream: string): Promise<FloorRelay> {
  const child = fork(join(__dirname, 'floorRelayProcess.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let forget: () => void = () => undefined;
  const stop = async () => {
    forget();
    await stopChild(child, exited);
  };
  forget = stopWithStacks(stop);
  try {
    const ready = await new Promise<z.output<typeof readySchema>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the Node relay floor did not start within 30 s')), 30_000);
      child.once('message', (message: unknown) => {
        clearTimeout(timer);
        const parsed = readySchema.safeParse(message);
        if (parsed.success) resolve(parsed.data);
        else reject(new Error('the Node relay floor sent an unreadable message'));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the Node relay floor exited (${code}) before it was ready`));
      });
      child.send({ upstream });
    });
    return { url: ready.url, pid: ready.pid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
