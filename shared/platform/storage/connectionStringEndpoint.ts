import { ConfigError } from '../config/ConfigError';

export type StorageService = 'table' | 'queue';

/** Azurite's fixed endpoints, which `UseDevelopmentStorage=true` stands for in every SDK. */
const DEVELOPMENT_ENDPOINTS: Record<StorageService, string> = {
  table: 'http://127.0.0.1:10002/devstoreaccount1',
  queue: 'http://127.0.0.1:10001/devstoreaccount1',
};

/**
 * The endpoint of one service a storage connection string points at, resolved the way the
 * SDKs resolve it. We need it to know whether a client talks plain http (Azurite), which
 * the table SDK refuses unless told so explicitly.
 */
export function connectionStringEndpoint(connectionString: string, service: StorageService): string {
  const values = new Map<string, string>();
  for (const pair of connectionString.split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0) values.set(pair.slice(0, separator).trim().toLowerCase(), pair.slice(separator + 1).trim());
  }
  if (values.get('usedevelopmentstorage')?.toLowerCase() === 'true') return DEVELOPMENT_ENDPOINTS[service];

  const name = service === 'table' ? 'TableEndpoint' : 'QueueEndpoint';
  const explicit = values.get(name.toLowerCase());
  const account = values.get('accountname');
  const suffix = values.get('endpointsuffix');
  const protocol = (values.get('defaultendpointsprotocol') ?? 'https').toLowerCase();
  let endpoint: string;
  if (explicit) {
    endpoint = explicit.replace(/\/+$/, '');
  } else if (account && suffix) {
    endpoint = `${protocol}://${account}.${service}.${suffix}`;
  } else {
    // The SDKs need the suffix too; failing here names the fix at start-up.
    throw invalid(`it needs ${name}, or AccountName with EndpointSuffix (e.g. core.windows.net)`);
  }
  if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) throw invalid(`${name} is not an http(s) URL`);
  return endpoint;
}

/** Plain http is only acceptable against an emulator; the SDKs need an explicit opt-in. */
export function isInsecureEndpoint(url: string): boolean {
  return new URL(url).protocol === 'http:';
}

function invalid(reason: string): ConfigError {
  // The connection string holds the account key: name the setting, never echo its value.
  return new ConfigError([`AzureWebJobsStorage: not a usable storage connection string: ${reason}`]);
}
