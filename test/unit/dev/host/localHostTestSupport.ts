import { loadConfig } from '../../../../shared/platform/config/loadConfig';
import { createServices } from '../../../../functions/compose';
import type { Services } from '../../../../functions/Services';
import type { HostLog, HostLogLevel } from '../../../../dev/host/HostLog';

/** Real services for a local host under test; `connectionString` points at the test's Azurite, if any. */
export function testServices(connectionString = 'UseDevelopmentStorage=true'): Services {
  return createServices({
    config: loadConfig({
      AzureWebJobsStorage: connectionString,
      DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
      API_AUDIENCE: 'api://local-host-test',
      GRAPH_CLIENT_ID: '00000000-0000-4000-8000-000000000001',
      GRAPH_CLIENT_SECRET: 'test-only',
    }),
  });
}

/** A host log that keeps its lines, so a test can check what the host wrote (and did not). */
export function memoryLog(): HostLog & { lines: { level: HostLogLevel; line: string }[] } {
  const lines: { level: HostLogLevel; line: string }[] = [];
  return { lines, write: (level, line) => lines.push({ level, line }) };
}

/** Waits until `check` returns a value other than undefined, polling; fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
