import { Readable } from 'node:stream';

const BLOCK_SIZE = 64 * 1024;
/** One block, repeated: byte `i` of any generated content is `contentBlock[i % BLOCK_SIZE]`. */
export const contentBlock: Buffer = Buffer.from(Array.from({ length: BLOCK_SIZE }, (_, i) => (i * 31 + 7) & 0xff));

/**
 * `size` bytes of deterministic content, produced as it is read: an attachment of any size
 * costs one 64 KiB block of memory, never its size.
 */
export function generatedContent(size: number): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: BLOCK_SIZE,
    read() {
      if (sent >= size) {
        this.push(null);
        return;
      }
      const length = Math.min(BLOCK_SIZE, size - sent);
      // Blocks start at multiples of BLOCK_SIZE, so each chunk is a prefix of the block.
      sent += length;
      this.push(length === BLOCK_SIZE ? contentBlock : contentBlock.subarray(0, length));
    },
  });
}
