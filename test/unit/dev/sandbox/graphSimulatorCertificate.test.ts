import { constants, privateDecrypt, publicEncrypt } from 'node:crypto';
import { createSelfSignedCertificate } from '../../../../dev/sandbox/graph/createSelfSignedCertificate';

describe('createSelfSignedCertificate', () => {
  test('yields a certificate Node parses, self-signed, whose key pair matches', () => {
    const cert = createSelfSignedCertificate('unit test');
    expect(cert.x509.subject).toBe('CN=unit test');
    expect(cert.x509.verify(cert.x509.publicKey)).toBe(true);
    expect(cert.x509.checkPrivateKey(cert.privateKeyObject)).toBe(true);
    const secret = Buffer.from('0123456789abcdef0123456789abcdef');
    const wrapped = publicEncrypt({ key: cert.x509.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, secret);
    expect(privateDecrypt({ key: cert.privateKeyObject, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, wrapped)).toEqual(
      secret,
    );
    expect(Date.parse(cert.x509.validTo)).toBeGreaterThan(Date.now());
  });
});
