import { Readable } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import { AppError } from '../../../../../shared/platform/errors/AppError';
import { readBody } from '../../../../../shared/platform/http/readBody';

/** A web stream of `chunks` that records how far it was read and whether it was cancelled. */
function webStream(chunks: unknown[]): { stream: ReadableStream<unknown>; pulled: () => number; cancelled: () => boolean } {
  let index = 0;
  let cancelled = false;
  const stream = new ReadableStream<unknown>({
    pull(controller) {
      if (index >= chunks.length) return controller.close();
      controller.enqueue(chunks[index]);
      index += 1;
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, pulled: () => index, cancelled: () => cancelled };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('readBody', () => {
  it('reads a web stream, a Node stream and an async iterable whole', async () => {
    expect((await readBody(webStream([bytes('he'), bytes('llo')]).stream, { maxBytes: 5 })).toString()).toBe('hello');
    expect((await readBody(Readable.from([Buffer.from('he'), Buffer.from('llo')]), { maxBytes: 5 })).toString()).toBe('hello');
    async function* chunks() {
      yield bytes('a');
      yield 'é';
    }
    expect((await readBody(chunks(), { maxBytes: 10 })).toString()).toBe('aé');
  });

  it('reads no body as empty', async () => {
    expect((await readBody(null, { maxBytes: 1 })).length).toBe(0);
    expect((await readBody(undefined, { maxBytes: 1 })).length).toBe(0);
  });

  it('refuses a body past the limit with payload_too_large and cancels the rest', async () => {
    const source = webStream(Array.from({ length: 10 }, () => bytes('abc')));
    await expect(readBody(source.stream, { maxBytes: 5 })).rejects.toMatchObject({
      code: 'payload_too_large',
      detail: 'the body is larger than 5 bytes',
    });
    expect(source.cancelled()).toBe(true);
    expect(source.pulled()).toBeLessThan(10);
  });

  it("throws the caller's error past the limit and destroys a Node stream", async () => {
    const source = Readable.from([Buffer.alloc(4), Buffer.alloc(4), Buffer.alloc(4)], { objectMode: false });
    const error = new AppError({ code: 'upstream_bad_response', detail: 'Jira answered more than expected' });
    await expect(readBody(source, { maxBytes: 6, tooLarge: () => error })).rejects.toBe(error);
    expect(source.destroyed).toBe(true);
  });

  it('with overflow: drain, throws at once and reads the rest to its end without keeping it', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let pulls = 0;
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        pulls += 1;
        if (pulls === 3) await held;
        if (pulls > 4) return controller.close();
        controller.enqueue(new Uint8Array(4));
      },
      cancel() {
        cancelled = true;
      },
    });
    await expect(readBody(stream, { maxBytes: 6, overflow: 'drain' })).rejects.toMatchObject({ code: 'payload_too_large' });
    // The error came while the sender was still holding the third chunk back.
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pulls).toBe(5);
    expect(cancelled).toBe(false);
  });

  it('refuses chunks that are not bytes', async () => {
    await expect(readBody(webStream([{ not: 'bytes' }]).stream, { maxBytes: 100 })).rejects.toMatchObject({
      code: 'bad_request',
      detail: 'the body could not be read',
    });
  });

  it('passes a failing source on', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('socket hang up'));
      },
    });
    await expect(readBody(failing, { maxBytes: 100 })).rejects.toThrow('socket hang up');
  });
});
