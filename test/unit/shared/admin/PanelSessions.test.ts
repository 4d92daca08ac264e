import { parseEncryptionKeyring, type EncryptionKeyring } from '../../../../shared/platform/config/encryptionKeyring';
import { PanelSessions } from '../../../../shared/admin/PanelSessions';
import { isAppError } from '../../../../shared/platform/errors/AppError';

const k1 = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const k2 = `k2:${Buffer.alloc(32, 2).toString('base64')}`;
const keyring = (text: string): EncryptionKeyring => parseEncryptionKeyring(text) as EncryptionKeyring;
const who = { tenantId: '6f1c2a4e-8b0d-4c7e-9a51-3d2f0e6b7c18', instanceId: 'demo', subject: 'admin', via: 'jira' as const };

function refused(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return isAppError(error) ? error.code : 'not an AppError';
  }
}

describe('PanelSessions', () => {
  let now = Date.UTC(2025, 0, 1, 12);
  const clock = { now: () => now };
  beforeEach(() => {
    now = Date.UTC(2025, 0, 1, 12);
  });

  it('opens a session whose token verifies to the same session', () => {
    const sessions = new PanelSessions({ keyring: keyring(k1), clock, ttlSeconds: 600 });
    const { token, session } = sessions.open(who);
    expect(token).toMatch(/^ps1\.k1\.[\w-]+\.[\w-]+$/);
    expect(sessions.verify(token)).toEqual(session);
    expect(session).toMatchObject({ ...who, startedAt: now / 1000, expiresAt: now / 1000 + 600 });
  });

  it('refuses a token whose payload, key id or MAC was changed', () => {
    const sessions = new PanelSessions({ keyring: keyring(k1), clock });
    const { token } = sessions.open(who);
    const [version, keyId, payload, mac] = token.split('.');
    const otherTenant = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), t: 'someone-else' }),
    ).toString('base64url');
    expect(refused(() => sessions.verify(`${version}.${keyId}.${otherTenant}.${mac}`))).toBe('panel_session_invalid');
    expect(refused(() => sessions.verify(`${version}.k2.${payload}.${mac}`))).toBe('panel_session_invalid');
    expect(refused(() => sessions.verify(`${version}.${keyId}.${payload}.${mac!.slice(1)}A`))).toBe('panel_session_invalid');
    expect(refused(() => sessions.verify(`ps0.${keyId}.${payload}.${mac}`))).toBe('panel_session_invalid');
    expect(refused(() => sessions.verify(''))).toBe('panel_session_invalid');
  });

  it('refuses an expired token; a renewal extends it, never past the maximum age', () => {
    const sessions = new PanelSessions({ keyring: keyring(k1), clock, ttlSeconds: 600, maxSeconds: 1000 });
    const first = sessions.open(who);
    now += 500_000;
    const renewed = sessions.renew(sessions.verify(first.token));
    expect(renewed.session.expiresAt).toBe(first.session.startedAt + 1000);
    now += 499_000;
    expect(sessions.verify(renewed.token).startedAt).toBe(first.session.startedAt);
    expect(refused(() => sessions.verify(first.token))).toBe('panel_session_invalid');
    now += 1000;
    expect(refused(() => sessions.verify(renewed.token))).toBe('panel_session_invalid');
  });

  it('keeps sessions of an older data key valid after a rotation, not once the key is gone, and never across deployments', () => {
    const before = new PanelSessions({ keyring: keyring(k1), clock });
    const { token } = before.open(who);
    const rotated = new PanelSessions({ keyring: keyring(`${k2},${k1}`), clock });
    expect(rotated.verify(token).subject).toBe('admin');
    expect(rotated.open(who).token).toMatch(/^ps1\.k2\./);
    expect(refused(() => new PanelSessions({ keyring: keyring(k2), clock }).verify(token))).toBe('panel_session_invalid');
    const elsewhere = new PanelSessions({ keyring: keyring(`k1:${Buffer.alloc(32, 9).toString('base64')}`), clock });
    expect(refused(() => elsewhere.verify(token))).toBe('panel_session_invalid');
  });
});
