import { azuriteConnectionString, isListening, startAzurite } from '../azurite';

export interface AzuritePorts {
  blobPort: number;
  queuePort: number;
  tablePort: number;
}

export interface DevStorage {
  connectionString: string;
  /** For the start-up banner. */
  description: string;
  /** Stops Azurite when this process started it; leaves a reused one running. */
  stop(): Promise<void>;
}

/**
 * Azurite on the given loopback ports: the one already listening there (a developer's
 * own, or the VS Code extension's), else a new one from the npm package, in memory.
 * Something on only some of the ports is not Azurite, and is reported, not guessed at.
 */
export async function ensureAzurite(init: { host?: string; ports: AzuritePorts }): Promise<DevStorage> {
  const host = init.host ?? '127.0.0.1';
  const { ports } = init;
  const entries = Object.entries(ports) as [keyof AzuritePorts, number][];
  const listening = await Promise.all(entries.map(([, port]) => isListening(host, port)));
  const range = `${host}:${ports.blobPort}/${ports.queuePort}/${ports.tablePort}`;
  if (listening.every(Boolean)) {
    return {
      connectionString: azuriteConnectionString(host, ports),
      description: `reusing the Azurite listening on ${range}`,
      stop: async () => undefined,
    };
  }
  if (listening.some(Boolean)) {
    const busy = entries.filter((_, i) => listening[i]).map(([name, port]) => `${name} ${port}`);
    throw new Error(
      `cannot start Azurite: ${busy.join(', ')} already in use by something else (set AZURITE_BLOB_PORT, AZURITE_QUEUE_PORT, AZURITE_TABLE_PORT to free ports)`,
    );
  }
  const azurite = await startAzurite({ host, ...ports });
  return { connectionString: azurite.connectionString, description: `started Azurite (in memory) on ${range}`, stop: () => azurite.stop() };
}
