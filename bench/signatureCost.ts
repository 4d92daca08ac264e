import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/**
 * The bare cost of one OAuth 1.0a RSA-SHA1 signature as the proxy makes it (a 2,048-bit
 * key parsed once into a KeyObject, a signature base string of a typical GET), in
 * microseconds: the work no proxy implementation can skip.
 */
export function measureSignatureMicros(baseString: Buffer = typicalBaseString(), iterations = 2000): number {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  for (let i = 0; i < 100; i += 1) sign('sha1', baseString, privateKey);
  const started = performance.now();
  for (let i = 0; i < iterations; i += 1) sign('sha1', baseString, privateKey);
  return ((performance.now() - started) * 1000) / iterations;
}

/** The signature base string of a typical proxied GET. */
export function typicalBaseString(): Buffer {
  return Buffer.from(
    'GET&http%3A%2F%2F127.0.0.1%3A8080%2Frest%2Fapi%2F2%2Fbench%2Fpayload&oauth_consumer_key%3Djira-outlook-cloud-bench%26oauth_nonce%3D' +
      randomBytes(16).toString('hex') +
      '%26oauth_signature_method%3DRSA-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3D' +
      randomBytes(16).toString('hex') +
      '%26oauth_version%3D1.0',
    'utf8',
  );
}
