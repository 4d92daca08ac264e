import { ConfigError } from '../../../../../shared/platform/config/ConfigError';
import { createStorageServices } from '../../../../../shared/platform/storage/createStorageServices';

describe('createStorageServices', () => {
  it('builds every part for an identity-based account without any network call', () => {
    const storage = createStorageServices({
      kind: 'identity',
      tableServiceUri: 'https://contoso.table.core.windows.net',
      queueServiceUri: 'https://contoso.queue.core.windows.net',
      clientId: '00000000-0000-0000-0000-000000000001',
    });
    expect(storage.tableClients.endpoint).toBe('https://contoso.table.core.windows.net');
    expect(storage.queueClients.endpoint).toBe('https://contoso.queue.core.windows.net');
    expect(Object.keys(storage.repositories).sort()).toEqual([
      'deliveries',
      'digests',
      'instances',
      'jiraTokens',
      'jobRuns',
      'licenses',
      'links',
      'mailboxes',
      'subscriptions',
      'trails',
    ]);
    expect(storage.tableClients.get('subscriptions').url).toBe('https://contoso.table.core.windows.net');
  });

  it('builds every part for UseDevelopmentStorage=true', () => {
    const storage = createStorageServices({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
    expect(storage.tableClients.endpoint).toBe('http://127.0.0.1:10002/devstoreaccount1');
    expect(storage.queueClients.get('jira-notify').url).toBe('http://127.0.0.1:10001/devstoreaccount1/jira-notify');
  });

  it('stops at start-up on a connection string the SDKs cannot use, naming the setting', () => {
    expect(() => createStorageServices({ kind: 'connectionString', connectionString: 'AccountName=contoso;AccountKey=c2VjcmV0' })).toThrow(
      ConfigError,
    );
    expect(() => createStorageServices({ kind: 'connectionString', connectionString: 'AccountName=contoso;AccountKey=c2VjcmV0' })).toThrow(
      /AzureWebJobsStorage/,
    );
  });
});
