/** Thrown inside a body stream when it grows past its limit; the proxy answers 413. */
export class BodyTooLargeError extends Error {
  constructor() {
    super('the body exceeds the size limit');
    this.name = 'BodyTooLargeError';
  }
}
