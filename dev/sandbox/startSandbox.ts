import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { newGuid } from './newGuid';
import { removeSandboxFile, writeSandboxFile } from './sandboxFile';

/**
 * The sandbox tenant, its people and its app registration. Kept in `<localDir>/
 * sandbox-identity.json` so ids stay the same across restarts: data written under one
 * tenant (in a reused Azurite) is still that tenant's after `npm start` runs again.
 */
export interface SandboxIdentity {
  tenantId: string;
  userId: string;
  userName: string;
  adminUserId: string;
  otherTenantId: string;
  otherTenantUserId: string;
  /** The app registration: the API's audience (`api://<id>`) and the Graph client. */
  appClientId: string;
  appClientSecret: string;
  /** The Jira instance the sandbox registers (DESIGN.md: `demo`). */
  instanceId: string;
}

export interface SandboxContext {
  /** Loopback address every simulator listens on. */
  host: string;
  /** The function app's base URL, e.g. for webhook URLs a simulator calls back. */
  appUrl: string;
  identity: SandboxIdentity;
  /** A setting as the app will see it: the user's value, else one an earlier part provided. */
  setting(name: string): string | undefined;
}

export interface StartedSandboxPart {
  /** App settings (environment names) that point the app at this simulator. */
  settings: Record<string, string>;
  /** Keys for `.local/sandbox.json` (URLs, tokens). */
  file: Record<string, unknown>;
  /**
   * Runs once the app answers, with everything `sandbox.json` holds: a part that needs the
   * app's own state (the `demo` instance, registered and authorized) makes it through the
   * app's public API, as a person would.
   */
  seed?: (app: SandboxApp) => Promise<void>;
  stop(): Promise<void>;
}

export interface SandboxApp {
  /** The app's base URL, without the `api` prefix. */
  url: string;
  /** Everything in `sandbox.json` (tokens included). */
  file: Readonly<Record<string, unknown>>;
}

/**
 * One simulator of the sandbox. Parts start in list order and see the settings of the
 * parts before them, so a later part (Graph) can build on an earlier one (the issuer).
 */
export interface SandboxPart {
  name: string;
  /**
   * Settings that point the app at the real service. When the user gives any of them, the
   * part is not started: a real Jira, Graph or identity platform is configured instead.
   */
  realSettings: readonly string[];
  start(context: SandboxContext): Promise<StartedSandboxPart>;
}

export interface SandboxInit {
  parts: readonly SandboxPart[];
  /** Settings the user gave (environment, local.settings.json); an empty value counts as unset. */
  given: Readonly<Record<string, string | undefined>>;
  appUrl: string;
  /** Where `sandbox.json` and the sandbox's identity live (`.local` by default in `npm start`). */
  localDir: string;
  host?: string;
}

export interface Sandbox {
  /** Default app settings from every started part; the user's settings override them. */
  settings: Record<string, string>;
  identity: SandboxIdentity;
  /** The `sandbox.json` path, or undefined when no part runs. */
  filePath: string | undefined;
  started: string[];
  /** Parts not started because the user configured the real service. */
  skipped: string[];
  /** Call once the app answers: lets every part seed the app's state. */
  seed(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the parts whose real service is not configured and writes `sandbox.json` for them. */
export async function startSandbox(init: SandboxInit): Promise<Sandbox> {
  const host = init.host ?? '127.0.0.1';
  const identity = await loadSandboxIdentity(init.localDir);
  const given = (name: string) => nonEmpty(init.given[name]);
  const settings: Record<string, string> = {};
  const file: Record<string, unknown> = {};
  const running: { name: string; stop(): Promise<void> }[] = [];
  const seeds: ((app: SandboxApp) => Promise<void>)[] = [];
  const skipped: string[] = [];
  const stopAll = async () => {
    for (const part of running.reverse()) await part.stop();
  };

  try {
    for (const part of init.parts) {
      if (part.realSettings.some((name) => given(name) !== undefined)) {
        skipped.push(part.name);
        continue;
      }
      const started = await part.start({ host, appUrl: init.appUrl, identity, setting: (name) => given(name) ?? settings[name] });
      running.push({ name: part.name, stop: () => started.stop() });
      if (started.seed) seeds.push(started.seed);
      Object.assign(settings, started.settings);
      Object.assign(file, started.file);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  const sandboxFile = {
    appUrl: init.appUrl,
    tenantId: identity.tenantId,
    instanceId: identity.instanceId,
    userId: identity.userId,
    jiraUrl: null,
    graphUrl: null,
    ...file,
  };
  const path = join(init.localDir, 'sandbox.json');
  if (running.length > 0) {
    await writeSandboxFile(path, sandboxFile);
  } else {
    await removeSandboxFile(path);
  }

  let stopping: Promise<void> | undefined;
  return {
    seed: async () => {
      for (const seed of seeds) await seed({ url: init.appUrl, file: sandboxFile });
    },
    settings,
    identity,
    filePath: running.length > 0 ? path : undefined,
    started: running.map((part) => part.name),
    skipped,
    stop: () => (stopping ??= stopAll()),
  };
}

const identitySchema = z.object({
  tenantId: z.uuid(),
  userId: z.uuid(),
  userName: z.string().min(1),
  adminUserId: z.uuid(),
  otherTenantId: z.uuid(),
  otherTenantUserId: z.uuid(),
  appClientId: z.uuid(),
  appClientSecret: z.string().min(16),
  instanceId: z.string().min(1),
});

async function loadSandboxIdentity(localDir: string): Promise<SandboxIdentity> {
  const path = join(localDir, 'sandbox-identity.json');
  try {
    const parsed = identitySchema.safeParse(JSON.parse(await readFile(path, 'utf8')) as unknown);
    if (parsed.success) return parsed.data;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
  }
  const identity: SandboxIdentity = {
    tenantId: newGuid(),
    userId: newGuid(),
    userName: 'Sandbox User',
    adminUserId: newGuid(),
    otherTenantId: newGuid(),
    otherTenantUserId: newGuid(),
    appClientId: newGuid(),
    appClientSecret: randomBytes(24).toString('base64url'),
    instanceId: 'demo',
  };
  await mkdir(localDir, { recursive: true });
  await writeFile(path, `${JSON.stringify(identity, null, 2)}\n`, { encoding: 'utf8', mode: 0o600 });
  return identity;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
