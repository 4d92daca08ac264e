import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { isListening } from '../../../../dev/azurite';
import type { SandboxFile } from '../../../../dev/sandbox/sandboxFile';
import { startSandbox, type SandboxPart } from '../../../../dev/sandbox/startSandbox';
import { tokenIssuerPart } from '../../../../dev/sandbox/issuer/tokenIssuerPart';

describe('startSandbox', () => {
  let localDir: string;

  beforeEach(async () => {
    localDir = await mkdtemp(join(tmpdir(), 'sandbox-'));
  });

  afterEach(async () => {
    await rm(localDir, { recursive: true, force: true });
  });

  it('starts the token issuer and writes sandbox.json with its URL and ready tokens', async () => {
    const sandbox = await startSandbox({ parts: [tokenIssuerPart()], given: {}, appUrl: 'http://127.0.0.1:7071', localDir });
    let issuerPort = 0;
    try {
      expect(sandbox.started).toEqual(['token issuer']);
      const file = JSON.parse(await readFile(join(localDir, 'sandbox.json'), 'utf8')) as SandboxFile;
      expect(file).toMatchObject({
        appUrl: 'http://127.0.0.1:7071',
        instanceId: 'demo',
        tenantId: sandbox.identity.tenantId,
        userId: sandbox.identity.userId,
      });
      expect((await stat(join(localDir, 'sandbox.json'))).mode & 0o077).toBe(0);
      issuerPort = Number(new URL(file.issuerUrl!).port);
      expect(await isListening('127.0.0.1', issuerPort)).toBe(true);

      expect(sandbox.settings.AUTH_ISSUER_TEMPLATE).toBe(`${file.issuerUrl}/{tenantId}/v2.0`);
      expect(sandbox.settings.AUTH_ISSUER_TEMPLATE_V1).toBe(`${file.issuerUrl}/sts/{tenantId}/`);
      expect(sandbox.settings.AUTH_JWKS_URL).toBe(`${file.issuerUrl}/discovery/v2.0/keys`);
      // The add-in's client id: the one client the app admits, and the client of every token.
      const client = String(file.addinClientId);
      expect(sandbox.settings.AUTH_ALLOWED_CLIENT_IDS).toBe(client);
      const appClientId = sandbox.identity.appClientId;
      expect(sandbox.settings.API_AUDIENCE).toBe(`api://${appClientId},${appClientId}`);
      const user = decodeJwt(file.tokens!.user);
      // As Entra issues them: v2.0 `aud` is the API's client id, v1.0 `aud` the App ID URI the add-in asked for.
      expect(user).toMatchObject({
        aud: appClientId,
        tid: sandbox.identity.tenantId,
        oid: sandbox.identity.userId,
        iss: `${file.issuerUrl}/${sandbox.identity.tenantId}/v2.0`,
        ver: '2.0',
        azp: client,
      });
      expect(decodeJwt(file.tokens!.userV1)).toMatchObject({
        aud: `api://${appClientId}`,
        tid: sandbox.identity.tenantId,
        oid: sandbox.identity.userId,
        iss: `${file.issuerUrl}/sts/${sandbox.identity.tenantId}/`,
        ver: '1.0',
        appid: client,
        name: user.name,
        upn: user.preferred_username,
      });
      expect(user.roles).toBeUndefined();
      expect(user.exp! - user.iat!).toBeGreaterThanOrEqual(8 * 3600);
      expect(decodeJwt(file.tokens!.admin)).toMatchObject({ tid: sandbox.identity.tenantId, roles: ['Integration.Admin'] });
      expect(decodeJwt(file.tokens!.otherTenantUser)).toMatchObject({ aud: appClientId, tid: sandbox.identity.otherTenantId });
    } finally {
      await sandbox.stop();
    }
    expect(await isListening('127.0.0.1', issuerPort)).toBe(false);
  });

  it('keeps the sandbox identity across restarts', async () => {
    const first = await startSandbox({ parts: [], given: {}, appUrl: 'http://127.0.0.1:7071', localDir });
    const second = await startSandbox({ parts: [], given: {}, appUrl: 'http://127.0.0.1:7071', localDir });
    expect(second.identity).toEqual(first.identity);
  });

  it("mints tokens for the user's own audience, admin role and client", async () => {
    const mine = '6f1b2a3c-0000-4000-8000-00000000a11d';
    const given = {
      API_AUDIENCE: 'api://mine,other',
      ADMIN_ROLE: 'Boss',
      AUTH_ALLOWED_CLIENT_IDS: `${mine},${'0'.repeat(8)}-0000-0000-0000-000000000000`,
    };
    const sandbox = await startSandbox({ parts: [tokenIssuerPart()], given, appUrl: 'http://127.0.0.1:7071', localDir });
    try {
      const file = JSON.parse(await readFile(sandbox.filePath!, 'utf8')) as SandboxFile;
      expect(decodeJwt(file.tokens!.admin)).toMatchObject({ aud: 'api://mine', roles: ['Boss'], azp: mine });
      expect(decodeJwt(file.tokens!.userV1)).toMatchObject({ aud: 'api://mine', appid: mine });
    } finally {
      await sandbox.stop();
    }
  });

  it('skips a part whose real service is configured, and removes a stale sandbox.json when nothing runs', async () => {
    const started = await startSandbox({ parts: [tokenIssuerPart()], given: {}, appUrl: 'http://127.0.0.1:7071', localDir });
    await started.stop();
    const sandbox = await startSandbox({
      parts: [tokenIssuerPart()],
      given: { AUTH_JWKS_URL: 'https://login.microsoftonline.com/common/discovery/v2.0/keys', AUTH_ISSUER_TEMPLATE: '' },
      appUrl: 'http://127.0.0.1:7071',
      localDir,
    });
    expect(sandbox.skipped).toEqual(['token issuer']);
    expect(sandbox.settings).toEqual({});
    expect(sandbox.filePath).toBeUndefined();
    await expect(stat(join(localDir, 'sandbox.json'))).rejects.toThrow();
    await sandbox.stop();
  });

  it('lets a later part see the settings of an earlier one, and stops started parts when one fails', async () => {
    const stopped: string[] = [];
    const seen: (string | undefined)[] = [];
    const first: SandboxPart = {
      name: 'first',
      realSettings: [],
      start: async () => ({
        settings: { FIRST_URL: 'http://127.0.0.1:1' },
        file: { firstUrl: 'http://127.0.0.1:1' },
        stop: async () => void stopped.push('first'),
      }),
    };
    const second: SandboxPart = {
      name: 'second',
      realSettings: [],
      start: async (context) => {
        seen.push(context.setting('FIRST_URL'));
        throw new Error('cannot start');
      },
    };
    await expect(startSandbox({ parts: [first, second], given: {}, appUrl: 'http://127.0.0.1:7071', localDir })).rejects.toThrow(
      'cannot start',
    );
    expect(seen).toEqual(['http://127.0.0.1:1']);
    expect(stopped).toEqual(['first']);
  });
});
