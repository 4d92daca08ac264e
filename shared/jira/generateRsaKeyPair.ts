import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);

export interface RsaKeyPairPem {
  /** SPKI PEM: what the Jira admin pastes into the application link. */
  publicKeyPem: string;
  /** PKCS#8 PEM: encrypted before it is stored. */
  privateKeyPem: string;
}

/** A fresh RSA key pair for one application link, generated off the event loop. */
export async function generateRsaKeyPair(modulusLength = 2048): Promise<RsaKeyPairPem> {
  const { publicKey, privateKey } = await generate('rsa', {
    modulusLength,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}
