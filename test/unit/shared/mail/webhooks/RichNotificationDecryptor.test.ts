import { constants, createDecipheriv, privateDecrypt } from 'node:crypto';
import { createSelfSignedCertificate } from '../../../../../dev/sandbox/graph/createSelfSignedCertificate';
import { encryptResourceData } from '../../../../../dev/sandbox/graph/encryptResourceData';
import { parseEncryptionPrivateKeys } from '../../../../../shared/mail/webhooks/parseEncryptionPrivateKeys';
import { RichNotificationDecryptor } from '../../../../../shared/mail/webhooks/RichNotificationDecryptor';

const current = createSelfSignedCertificate('current');
const previous = createSelfSignedCertificate('previous');
const mail = { id: 'AAMk/x+y=', subject: 'Hello <b>', conversationId: 'conv-1', internetMessageId: '<a@b>' };

const decryptor = new RichNotificationDecryptor({
  privateKeys: parseEncryptionPrivateKeys(
    `cert-2:${current.privateKey}, cert-1:${Buffer.from(previous.privateKeyObject.export({ type: 'pkcs8', format: 'pem' })).toString('base64')}`,
  ),
});

describe('RichNotificationDecryptor', () => {
  test('decrypts what Graph encrypts, with the key of the certificate id it names (rotation: old and new)', () => {
    expect(decryptor.decrypt(encryptResourceData(current.certificate, 'cert-2', mail))).toEqual({ ok: true, value: mail });
    expect(decryptor.decrypt(encryptResourceData(previous.certificate, 'cert-1', mail))).toEqual({ ok: true, value: mail });
  });

  test('the algorithm is the documented one: RSA-OAEP SHA-1 data key, AES-256-CBC with the IV from the key', () => {
    const content = encryptResourceData(current.certificate, 'cert-2', mail);
    const key = privateDecrypt(
      { key: current.privateKeyObject, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from(content.dataKey, 'base64'),
    );
    expect(key).toHaveLength(32);
    expect(() =>
      privateDecrypt(
        { key: current.privateKeyObject, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        Buffer.from(content.dataKey, 'base64'),
      ),
    ).toThrow();
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    const plain = Buffer.concat([decipher.update(Buffer.from(content.data, 'base64')), decipher.final()]).toString('utf8');
    expect(JSON.parse(plain)).toEqual(mail);
  });

  test('a tampered dataSignature or data is rejected before anything is decrypted', () => {
    const content = encryptResourceData(current.certificate, 'cert-2', mail);
    const signature = Buffer.from(content.dataSignature, 'base64');
    signature[0] = (signature[0] ?? 0) ^ 1;
    expect(decryptor.decrypt({ ...content, dataSignature: signature.toString('base64') })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(decryptor.decrypt({ ...content, dataSignature: 'c2hvcnQ=' })).toEqual({ ok: false, reason: 'bad_signature' });
    const data = Buffer.from(content.data, 'base64');
    data[data.length - 1] = (data[data.length - 1] ?? 0) ^ 1;
    expect(decryptor.decrypt({ ...content, data: data.toString('base64') })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  test('an unknown certificate id, or a data key for another key, is not decryptable', () => {
    expect(decryptor.decrypt(encryptResourceData(current.certificate, 'cert-9', mail))).toEqual({
      ok: false,
      reason: 'unknown_certificate',
    });
    expect(decryptor.decrypt(encryptResourceData(previous.certificate, 'cert-2', mail))).toEqual({ ok: false, reason: 'bad_data_key' });
  });
});

describe('parseEncryptionPrivateKeys', () => {
  test('rejects what is not id:base64 of an RSA PKCS#8 key, naming the setting', () => {
    expect(() => parseEncryptionPrivateKeys('no-colon')).toThrow(/GRAPH_ENCRYPTION_PRIVATE_KEYS/);
    expect(() => parseEncryptionPrivateKeys('a:bm90IGEga2V5')).toThrow(/not a PKCS#8 private key/);
    expect(() => parseEncryptionPrivateKeys(`a:${current.privateKey},a:${current.privateKey}`)).toThrow(/twice/);
  });
});
