import { ReadableStream } from 'node:stream/web';
import { BodyTooLargeError } from './countBytes';

/** How a counted body ended: read to its end, stopped early (an error, a cancel), or failed past its limit. */
export type CountedEnd = 'complete' | 'aborted' | 'too_large';

export interface CountingInit {
  /** Past this many bytes the body fails with `BodyTooLargeError`. */
  limit?: number;
  /** Called once, when the body ends in any way, with the bytes that went through. */
  done: (bytes: number, end: CountedEnd) => void;
}

/**
 * A body relayed by the proxy, in either direction, pulled one chunk at a time from
 * `source` and counted: the one place that counts and limits. Pulled, not piped through a
 * Node Transform (which the Response wrapper copied chunk by chunk; measured on 200 MiB
 * downloads, about 4× the throughput and a fifth of the memory growth). undici writes the
 * upload from this iterable with backpressure; the download goes to the host as a web stream
 * (`toCountingWebStream`).
 *
 * Past `limit` it fails and the rest of the source is drained, not cancelled, so the caller's
 * connection survives to carry the 413. Stopped early by its reader, it ends the source (a
 * Node stream is destroyed, a web stream cancelled).
 */
export async function* countChunks(source: AsyncIterable<Uint8Array>, init: CountingInit): AsyncGenerator<Uint8Array, void, undefined> {
  const limit = init.limit ?? Number.POSITIVE_INFINITY;
  const chunks = source[Symbol.asyncIterator]();
  let bytes = 0;
  let end: CountedEnd = 'aborted';
  try {
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      bytes += next.value.byteLength;
      if (bytes > limit) {
        end = 'too_large';
        void drain(chunks);
        throw new BodyTooLargeError();
      }
      yield next.value;
    }
    end = 'complete';
  } finally {
    if (end === 'aborted') await chunks.return?.();
    init.done(bytes, end);
  }
}

/** `countChunks` as a web stream for the host to write to the client, pulled only when the client takes more. */
export function toCountingWebStream(source: AsyncIterable<Uint8Array>, init: CountingInit): ReadableStream<Uint8Array> {
  const chunks = countChunks(source, init);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel() {
        await chunks.return();
      },
    },
    // Pull only when the reader is ready for more: backpressure reaches Jira's socket.
    { highWaterMark: 0 },
  );
}

async function drain(chunks: AsyncIterator<Uint8Array>): Promise<void> {
  try {
    for (let next = await chunks.next(); !next.done; next = await chunks.next());
  } catch {
    // The sender went away: nothing left to drain.
  }
}
