import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `.local/sandbox.json` (DESIGN.md, "Local run and sandbox"): every URL and ready bearer
 * tokens, for a person or a test driving the sandbox by hand. Simulators add their own
 * keys (`jiraUrl`, `graphUrl`, …) as they join the sandbox.
 */
export interface SandboxFile {
  appUrl: string;
  tenantId: string;
  instanceId: string;
  userId: string;
  issuerUrl?: string;
  jiraUrl?: string | null;
  graphUrl?: string | null;
  tokens?: { user: string; admin: string; otherTenantUser: string };
  [key: string]: unknown;
}

/** Writes the file for its owner only: it holds bearer tokens. */
export async function writeSandboxFile(path: string, contents: SandboxFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(contents, null, 2)}\n`, { encoding: 'utf8', mode: 0o600 });
}

/** Removes a file left by an earlier run, whose tokens and URLs are dead. */
export async function removeSandboxFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
