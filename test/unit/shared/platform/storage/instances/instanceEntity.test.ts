import { AppError } from '../../../../../../shared/platform/errors/AppError';
import {
  fromTableEntity,
  instanceCodec,
  toTableEntity,
  type InstanceEntity,
} from '../../../../../../shared/platform/storage/instances/instanceEntity';
import { asReadBack, expectRowInvalid } from '../rowAssertions';

const instance: InstanceEntity = {
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  instanceId: 'demo',
  baseUrl: 'https://jira.example.com/jira',
  displayName: 'Example Jira',
  consumerKey: 'jira-outlook',
  publicKeyPem: '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n',
  encryptedPrivateKey: 'v1.k1.c2VjcmV0LXByaXZhdGUta2V5',
  createdAt: '2024-05-01T10:00:00.000Z',
  updatedAt: '2024-05-02T10:00:00.000Z',
};

describe('instance converters', () => {
  it('round-trip an instance without the optional fields, keys from tenant and instance', () => {
    const row = toTableEntity(instance);
    expect(row.partitionKey).toBe(instance.tenantId);
    expect(row.rowKey).toBe('demo');
    expect(row.createdAt).toEqual(new Date(instance.createdAt));
    expect(Object.keys(row)).not.toContain('serviceUser');
    expect(fromTableEntity(asReadBack(row))).toEqual(instance);
  });

  it('round-trip every optional field', () => {
    const full: InstanceEntity = {
      ...instance,
      serviceUser: 'svc',
      encryptedServiceToken: 'v1.k1.cGF0',
      appKey: 'com.example.outlook',
      encryptedAdminSecret: 'v1.k1.YWRtaW4',
    };
    expect(fromTableEntity(asReadBack(toTableEntity(full)))).toEqual(full);
  });

  it('encodes an instance id that is not key-safe', () => {
    expect(instanceCodec.rowKey({ tenantId: 't', instanceId: 'a/b#c' })).toBe('a~2Fb~23c');
  });

  it('reject a corrupt row loudly, naming fields and never values', () => {
    const row = asReadBack(toTableEntity(instance));
    const { encryptedPrivateKey: _dropped, ...withoutKey } = row;
    expectRowInvalid(() => fromTableEntity(withoutKey), 'encryptedPrivateKey');
    expectRowInvalid(() => fromTableEntity({ ...row, consumerKey: 42 }), 'consumerKey');
    expectRowInvalid(() => fromTableEntity({ ...row, createdAt: 'yesterday' }), 'createdAt');
    expectRowInvalid(() => fromTableEntity({ ...row, encryptedServiceToken: 7, baseUrl: null }), 'baseUrl', [
      'v1.k1.c2VjcmV0LXByaXZhdGUta2V5',
    ]);
  });

  it('refuse to write a time that is not ISO', () => {
    expect(() => toTableEntity({ ...instance, updatedAt: 'soon' })).toThrow(AppError);
  });
});
