/**
 * A JSON body already serialized, with its length in bytes. An answer handed out again and
 * again (a cached license decision) is serialized once, not on every request: the stringify
 * and the byte count were a tenth of what a cached license check does itself
 * (docs/performance.md).
 */
export class SerializedJson {
  readonly text: string;
  /** `Content-Length`: bytes of the UTF-8 text, as a header value. */
  readonly contentLength: string;

  private constructor(text: string) {
    this.text = text;
    this.contentLength = String(Buffer.byteLength(text));
  }

  static of(value: unknown): SerializedJson {
    return new SerializedJson(JSON.stringify(value));
  }

  /**
   * The serialization of an object that never changes, made on its first use and kept as long
   * as the object lives. Only for frozen objects (of primitives only, so frozen all the way down): a value changed after its
   * first answer would still be answered as it was.
   */
  static once<T extends FlatObject<T>>(value: Readonly<T>): SerializedJson {
    // Not frozen: it could change, so it is serialized as it is now, every time.
    if (!Object.isFrozen(value)) return SerializedJson.of(value);
    const known = serialized.get(value);
    if (known) return known;
    const made = SerializedJson.of(value);
    serialized.set(value, made);
    return made;
  }
}

/** An object whose fields are all primitives: once frozen, nothing in it can change. */
export type FlatObject<T> = { readonly [K in keyof T]: string | number | boolean | null | undefined };

const serialized = new WeakMap<object, SerializedJson>();
