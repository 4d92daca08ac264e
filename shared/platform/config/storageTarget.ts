/** Where tables and queues live, read from the same settings the Functions host reads. */
export type StorageTarget =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; tableServiceUri: string; queueServiceUri: string; clientId?: string };

interface StorageSettings {
  AzureWebJobsStorage?: string | undefined;
  AzureWebJobsStorage__accountName?: string | undefined;
  AzureWebJobsStorage__queueServiceUri?: string | undefined;
  AzureWebJobsStorage__tableServiceUri?: string | undefined;
  AzureWebJobsStorage__clientId?: string | undefined;
}

/** Returns the target, or a message naming what is missing. */
export function toStorageTarget(settings: StorageSettings): StorageTarget | string {
  if (settings.AzureWebJobsStorage) {
    return { kind: 'connectionString', connectionString: settings.AzureWebJobsStorage };
  }
  const clientId = settings.AzureWebJobsStorage__clientId;
  const withClient = clientId ? { clientId } : {};
  const account = settings.AzureWebJobsStorage__accountName;
  if (account) {
    if (!/^[a-z0-9]{3,24}$/.test(account)) return 'AzureWebJobsStorage__accountName: expected 3-24 lowercase letters and digits';
    return {
      kind: 'identity',
      tableServiceUri: `https://${account}.table.core.windows.net`,
      queueServiceUri: `https://${account}.queue.core.windows.net`,
      ...withClient,
    };
  }
  const queue = settings.AzureWebJobsStorage__queueServiceUri;
  const table = settings.AzureWebJobsStorage__tableServiceUri;
  if (queue && table) {
    if (!URL.canParse(queue)) return 'AzureWebJobsStorage__queueServiceUri: expected a URL';
    if (!URL.canParse(table)) return 'AzureWebJobsStorage__tableServiceUri: expected a URL';
    return { kind: 'identity', tableServiceUri: table.replace(/\/+$/, ''), queueServiceUri: queue.replace(/\/+$/, ''), ...withClient };
  }
  return 'AzureWebJobsStorage: required: a connection string (UseDevelopmentStorage=true for Azurite), or AzureWebJobsStorage__accountName, or AzureWebJobsStorage__queueServiceUri with AzureWebJobsStorage__tableServiceUri';
}
