import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { createStorageCredential } from '../../../../../shared/platform/storage/createStorageCredential';

describe('createStorageCredential', () => {
  it('uses the user-assigned managed identity when a client id is set, as the host does', () => {
    expect(createStorageCredential({ clientId: '00000000-0000-0000-0000-000000000001' })).toBeInstanceOf(ManagedIdentityCredential);
  });

  it('uses the default chain otherwise', () => {
    expect(createStorageCredential({})).toBeInstanceOf(DefaultAzureCredential);
  });
});
