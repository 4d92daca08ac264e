import { parseEncryptionKeyring, type EncryptionKeyring } from '../../../../shared/platform/config/encryptionKeyring';
import { PanelSessions, type PanelSessionsInit } from '../../../../shared/admin/PanelSessions';
import { isAppError } from '../../../../shared/platform/errors/AppError';
import type { InstanceEntity } from '../../../../shared/platform/storage/instances/instanceEntity';

const k1 = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const k2 = `k2:${Buffer.alloc(32, 2).toString('base64')}`;
const keyring = (text: string): EncryptionKeyring => parseEncryptionKeyring(text) as EncryptionKeyring;
const TENANT = '6f1c2a4e-8b0d-4c7e-9a51-3d2f0e6b7c18';

const row: InstanceEntity = {
  tenantId: TENANT,
  instanceId: 'demo',
  baseUrl: 'https://jira.example.test',
  displayName: 'Demo',
  consumerKey: 'consumer',
  publicKeyPem: 'public',
  encryptedPrivateKey: 'v1.k1.sealed-private-key',
  encryptedAdminSecret: 'v1.k1.sealed-panel-secret',
  createdAt: '2025-01-01T10:00:00.000Z',
  updatedAt: '2025-01-01T10:00:00.000Z',
};
const who = { instance: row, subject: 'admin', via: 'jira' as const };

async function refused(action: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await action();
    return undefined;
  } catch (error) {
    return isAppError(error) ? error.code : 'not an AppError';
  }
}

describe('PanelSessions', () => {
  let now = Date.UTC(2025, 0, 1, 12);
  const clock = { now: () => now };
  /** The instance table as the sessions see it: a test changes or removes the row. */
  let current: InstanceEntity | undefined;
  const instances: PanelSessionsInit['instances'] = {
    find: (tenantId, instanceId) =>
      Promise.resolve(current && current.tenantId === tenantId && current.instanceId === instanceId ? { entity: current } : undefined),
  };
  const sessionsWith = (init: Partial<PanelSessionsInit> = {}) => new PanelSessions({ keyring: keyring(k1), clock, instances, ...init });
  beforeEach(() => {
    now = Date.UTC(2025, 0, 1, 12);
    current = row;
  });

  it('opens a session whose token verifies to the same session', async () => {
    const sessions = sessionsWith({ ttlSeconds: 600 });
    const { token, session } = sessions.open(who);
    expect(token).toMatch(/^ps1\.k1\.[\w-]+\.[\w-]+$/);
    expect(await sessions.verify(token)).toEqual(session);
    expect(session).toMatchObject({ tenantId: TENANT, instanceId: 'demo', subject: 'admin', via: 'jira' });
    expect(session).toMatchObject({ startedAt: now / 1000, expiresAt: now / 1000 + 600 });
  });

  it('refuses a token whose payload, key id or MAC was changed', async () => {
    const sessions = sessionsWith();
    const { token } = sessions.open(who);
    const [version, keyId, payload, mac] = token.split('.');
    const otherTenant = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), t: 'someone-else' }),
    ).toString('base64url');
    expect(await refused(() => sessions.verify(`${version}.${keyId}.${otherTenant}.${mac}`))).toBe('panel_session_invalid');
    expect(await refused(() => sessions.verify(`${version}.k2.${payload}.${mac}`))).toBe('panel_session_invalid');
    expect(await refused(() => sessions.verify(`${version}.${keyId}.${payload}.${mac!.slice(1)}A`))).toBe('panel_session_invalid');
    expect(await refused(() => sessions.verify(`ps0.${keyId}.${payload}.${mac}`))).toBe('panel_session_invalid');
    expect(await refused(() => sessions.verify(''))).toBe('panel_session_invalid');
  });

  it('refuses an expired token; a renewal extends it, never past the maximum age', async () => {
    const sessions = sessionsWith({ ttlSeconds: 600, maxSeconds: 1000 });
    const first = sessions.open(who);
    now += 500_000;
    const renewed = sessions.renew(await sessions.verify(first.token));
    expect(renewed.session.expiresAt).toBe(first.session.startedAt + 1000);
    now += 499_000;
    expect((await sessions.verify(renewed.token)).startedAt).toBe(first.session.startedAt);
    expect(await refused(() => sessions.verify(first.token))).toBe('panel_session_invalid');
    now += 1000;
    expect(await refused(() => sessions.verify(renewed.token))).toBe('panel_session_invalid');
  });

  it('ends with the panel secret, the row and the instance it was opened for', async () => {
    const sessions = sessionsWith();
    const { token } = sessions.open(who);
    const renewed = sessions.renew(await sessions.verify(token)).token;
    // Changes that are not the secret or the row's identity keep the session.
    current = { ...row, displayName: 'Renamed', updatedAt: '2025-01-01T11:00:00.000Z' };
    expect((await sessions.verify(renewed)).subject).toBe('admin');

    current = { ...row, encryptedAdminSecret: 'v1.k1.another-sealed-secret' };
    expect(await refused(() => sessions.verify(token))).toBe('panel_session_invalid');
    expect(await refused(() => sessions.verify(renewed))).toBe('panel_session_invalid');
    current = { ...row, encryptedAdminSecret: undefined };
    expect(await refused(() => sessions.verify(token))).toBe('panel_session_invalid');
    current = undefined;
    expect(await refused(() => sessions.verify(token))).toBe('panel_session_invalid');
    // Deleted and registered again under the same id, even with the same sealed secret: another row.
    current = { ...row, createdAt: '2025-01-01T11:30:00.000Z' };
    expect(await refused(() => sessions.verify(token))).toBe('panel_session_invalid');
    current = row;
    expect((await sessions.verify(token)).instanceId).toBe('demo');
  });

  it('keeps sessions of an older data key valid after a rotation, not once the key is gone, and never across deployments', async () => {
    const before = sessionsWith();
    const { token } = before.open(who);
    const rotated = sessionsWith({ keyring: keyring(`${k2},${k1}`) });
    expect((await rotated.verify(token)).subject).toBe('admin');
    expect(rotated.open(who).token).toMatch(/^ps1\.k2\./);
    expect(await refused(() => sessionsWith({ keyring: keyring(k2) }).verify(token))).toBe('panel_session_invalid');
    const elsewhere = sessionsWith({ keyring: keyring(`k1:${Buffer.alloc(32, 9).toString('base64')}`) });
    expect(await refused(() => elsewhere.verify(token))).toBe('panel_session_invalid');
  });
});
