import { AppError } from '../../../../../shared/platform/errors/AppError';
import { connectionStringEndpoint, isInsecureEndpoint } from '../../../../../shared/platform/storage/connectionStringEndpoint';

describe('connectionStringEndpoint', () => {
  it('resolves UseDevelopmentStorage=true to Azurite on its fixed loopback ports', () => {
    expect(connectionStringEndpoint('UseDevelopmentStorage=true', 'table')).toBe('http://127.0.0.1:10002/devstoreaccount1');
    expect(connectionStringEndpoint('UseDevelopmentStorage=true', 'queue')).toBe('http://127.0.0.1:10001/devstoreaccount1');
    expect(connectionStringEndpoint('usedevelopmentstorage=TRUE;', 'table')).toBe('http://127.0.0.1:10002/devstoreaccount1');
  });

  it('takes explicit endpoints as given, without a trailing slash', () => {
    const connectionString =
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5==;TableEndpoint=http://127.0.0.1:4100/devstoreaccount1/;QueueEndpoint=http://127.0.0.1:4200/devstoreaccount1;';
    expect(connectionStringEndpoint(connectionString, 'table')).toBe('http://127.0.0.1:4100/devstoreaccount1');
    expect(connectionStringEndpoint(connectionString, 'queue')).toBe('http://127.0.0.1:4200/devstoreaccount1');
  });

  it('derives endpoints from the account name, protocol and suffix', () => {
    const connectionString = 'DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=a2V5==;EndpointSuffix=core.chinacloudapi.cn';
    expect(connectionStringEndpoint(connectionString, 'table')).toBe('https://contoso.table.core.chinacloudapi.cn');
    expect(connectionStringEndpoint(connectionString, 'queue')).toBe('https://contoso.queue.core.chinacloudapi.cn');
  });

  it('needs the endpoint suffix when no endpoint is explicit, as the SDKs do', () => {
    expect(() => connectionStringEndpoint('DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=a2V5==', 'table')).toThrow(
      /EndpointSuffix/,
    );
  });

  it('refuses a string naming no usable endpoint, without echoing it', () => {
    const secret = 'SharedAccessSignature=sv=2024&sig=c2VjcmV0;TableEndpoint=ftp://c2VjcmV0';
    for (const service of ['table', 'queue'] as const) {
      let caught: unknown;
      try {
        connectionStringEndpoint(secret, service);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect((caught as AppError).code).toBe('config_invalid');
      expect((caught as AppError).message).not.toContain('c2VjcmV0');
    }
  });

  it('tells http from https', () => {
    expect(isInsecureEndpoint('http://127.0.0.1:10002/devstoreaccount1')).toBe(true);
    expect(isInsecureEndpoint('https://contoso.table.core.windows.net')).toBe(false);
  });
});
