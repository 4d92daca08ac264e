import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';

/**
 * The machine's parallel RSA-SHA1 signing rate, signatures per second on all its cores:
 * `crypto.sign` with a callback (libuv's thread pool), one signature in flight per core, for
 * about `seconds`. The ceiling of any proxy that signs every request with this key size, and
 * the anchor of the proxy's req/s target.
 */
export async function measureParallelSigningRate(baseString: Buffer, seconds = 2): Promise<number> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signOnce = (key: KeyObject) =>
    new Promise<void>((resolve, reject) => sign('sha1', baseString, key, (error) => (error ? reject(error) : resolve())));
  const deadline = performance.now() + seconds * 1000;
  let signed = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      await signOnce(privateKey);
      signed += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: availableParallelism() }, worker));
  return signed / ((performance.now() - started) / 1000);
}
