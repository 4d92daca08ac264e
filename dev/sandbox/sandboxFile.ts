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
  /** `userV1` is the sandbox user in a v1.0 access token (what Entra issues by default), the others are v2.0. */
  tokens?: { user: string; userV1: string; admin: string; otherTenantUser: string };
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
