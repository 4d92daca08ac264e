import { constants, createCipheriv, createHmac, publicEncrypt, randomBytes, X509Certificate } from 'node:crypto';

export interface EncryptedResourceData {
  data: string;
  dataSignature: string;
  dataKey: string;
  encryptionCertificateId: string;
  encryptionCertificateThumbprint: string;
}

/**
 * Encrypts resource data as Graph does for rich notifications: a fresh AES-256 key,
 * AES-256-CBC with PKCS7 and the key's first 16 bytes as IV, HMAC-SHA256 over the cipher
 * text, and the key wrapped with RSA-OAEP (SHA-1) under the subscriber's certificate.
 * `certificate` is what the subscriber gave Graph: base64 DER (or PEM).
 */
export function encryptResourceData(certificate: string, certificateId: string, resource: unknown): EncryptedResourceData {
  const x509 = toCertificate(certificate);
  const key = randomBytes(32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  const data = Buffer.concat([cipher.update(JSON.stringify(resource), 'utf8'), cipher.final()]);
  return {
    data: data.toString('base64'),
    dataSignature: createHmac('sha256', key).update(data).digest('base64'),
    dataKey: publicEncrypt({ key: x509.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, key).toString('base64'),
    encryptionCertificateId: certificateId,
    encryptionCertificateThumbprint: x509.fingerprint.replace(/:/g, ''),
  };
}

export function toCertificate(certificate: string): X509Certificate {
  const text = certificate.trim();
  return new X509Certificate(text.startsWith('-----BEGIN') ? text : Buffer.from(text, 'base64'));
}
