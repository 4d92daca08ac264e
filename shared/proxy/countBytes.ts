import { Transform, type TransformCallback } from 'node:stream';

/** Thrown inside a body stream when it grows past its limit; the proxy answers 413. */
export class BodyTooLargeError extends Error {
  constructor() {
    super('the body exceeds the size limit');
    this.name = 'BodyTooLargeError';
  }
}

/**
 * A pass-through that counts the bytes flowing by and fails the stream (with
 * BodyTooLargeError) once they exceed `limit`, without holding more than one chunk.
 */
export class ByteCounter extends Transform {
  bytes = 0;
  private readonly limit: number;

  constructor(limit = Number.POSITIVE_INFINITY) {
    super();
    this.limit = limit;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      callback(new BodyTooLargeError());
      return;
    }
    callback(null, chunk);
  }
}
