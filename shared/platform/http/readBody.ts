import { AppError } from '../errors/AppError';

/** A web stream (an `HttpRequest`'s body) or an async iterable of chunks (an undici or Node stream). */
export type BodySource = WebBody | IterableBody;

interface WebBody {
  getReader(): { read(): Promise<{ done: boolean; value?: unknown }>; cancel(reason?: unknown): Promise<void> };
}

type IterableBody = AsyncIterable<unknown> & { destroy?(error?: Error): unknown };

export interface ReadBodyOptions {
  maxBytes: number;
  /** The error past `maxBytes`; `payload_too_large` by default (a request body). */
  tooLarge?: () => AppError;
  /**
   * Past `maxBytes`: `cancel` (the default) stops the source. `drain` reads on to the end in
   * the background and throws the bytes away, so the connection stays usable for the answer
   * (a client still sending would otherwise have its upload cut and never read the 413).
   */
  overflow?: 'cancel' | 'drain';
}

interface Chunks {
  next(): Promise<{ done: true } | { done: false; value: unknown }>;
  stop(): Promise<void>;
}

/**
 * Reads a body whole, up to `maxBytes`, so no sender (an anonymous caller, a misbehaving
 * upstream) can make us buffer without bound. The error is thrown as soon as the limit is
 * passed, whatever `overflow` does with the rest.
 */
export async function readBody(source: BodySource | null | undefined, options: ReadBodyOptions): Promise<Buffer> {
  if (!source) return Buffer.alloc(0);
  const chunks = toChunks(source);
  const kept: Buffer[] = [];
  let size = 0;
  for (;;) {
    const next = await chunks.next();
    if (next.done) return Buffer.concat(kept, size);
    const chunk = toBuffer(next.value);
    if (!chunk) {
      await chunks.stop();
      throw new AppError({ code: 'bad_request', detail: 'the body could not be read' });
    }
    size += chunk.length;
    if (size > options.maxBytes) {
      if (options.overflow === 'drain') void drain(chunks);
      else await chunks.stop();
      throw (
        options.tooLarge?.() ?? new AppError({ code: 'payload_too_large', detail: `the body is larger than ${options.maxBytes} bytes` })
      );
    }
    kept.push(chunk);
  }
}

function toChunks(source: BodySource): Chunks {
  if ('getReader' in source) {
    const reader = source.getReader();
    return {
      next: async () => {
        const { done, value } = await reader.read();
        return done ? { done: true } : { done: false, value };
      },
      stop: () => reader.cancel(),
    };
  }
  const iterator = source[Symbol.asyncIterator]();
  return {
    next: async () => {
      const result = await iterator.next();
      return result.done ? { done: true } : { done: false, value: result.value };
    },
    stop: async () => {
      // Destroying an undici body also gives its connection back (aborted) rather than leaving it half-read.
      if (typeof source.destroy === 'function') source.destroy();
      else await iterator.return?.();
    },
  };
}

async function drain(chunks: Chunks): Promise<void> {
  try {
    for (;;) if ((await chunks.next()).done) return;
  } catch {
    // The sender went away while we drained: nothing is waiting for the rest.
  }
}

function toBuffer(value: unknown): Buffer | undefined {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return undefined;
}
