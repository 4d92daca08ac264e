import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { EncryptionKeyring } from '../platform/config/encryptionKeyring';
import { AppError } from '../platform/errors/AppError';
import type { Clock } from '../platform/clock';
import { MacKeys } from '../platform/crypto/MacKeys';
import type { InstanceEntity } from '../platform/storage/instances/instanceEntity';

/** How the session was opened: from Jira's iframe, or with a Microsoft admin bearer token. */
export type PanelSessionVia = 'jira' | 'entra';

export interface PanelSession {
  tenantId: string;
  instanceId: string;
  /** The Jira user name (via `jira`) or the Entra object id (via `entra`); shown, logged by nobody. */
  subject: string;
  via: PanelSessionVia;
  /** Seconds since the epoch. */
  expiresAt: number;
  /** When the first token of this session was issued; renewals never pass `startedAt + maxSeconds`. */
  startedAt: number;
  /** `instanceBinding` of the row the session was opened for: it ends when the row or its panel secret changes. */
  binding: string;
}

export interface PanelSessionsInit {
  keyring: EncryptionKeyring;
  clock: Clock;
  /**
   * The instance rows sessions are checked against on every use (e.g. `InstanceService`,
   * whose cache is dropped on every change made through it; other workers see a change
   * within its TTL).
   */
  instances: { find(tenantId: string, instanceId: string): Promise<{ entity: InstanceEntity } | undefined> };
  /** Lifetime of one token. Default 15 min. */
  ttlSeconds?: number;
  /** How long renewals can keep a session alive. Default 8 h. */
  maxSeconds?: number;
}

const VERSION = 'ps1';
const HKDF_INFO = 'jira-outlook-cloud admin panel session v1';

const payloadSchema = z.object({
  t: z.string().min(1),
  i: z.string().min(1),
  s: z.string().min(1).max(255),
  v: z.enum(['jira', 'entra']),
  exp: z.number().int(),
  st: z.number().int(),
  b: z.string().min(1).max(64),
});

/**
 * The panel's own short-lived session, carried by the page in a header (`X-Panel-Session`)
 * rather than a cookie: third-party cookies in Jira's iframe are blocked by many browsers,
 * and a header cannot be sent by another site's form (no CSRF). A token is
 * `ps1.<kid>.<payload>.<mac>`: HMAC-SHA256 under a key derived by HKDF from the data key
 * `kid` of DATA_ENCRYPTION_KEY, so nothing is stored and a key rotation keeps sessions of
 * an older key readable while that key is still listed. A session is bound to its instance
 * row and panel secret (`instanceBinding`), checked on every use: rotating the secret or
 * deleting the instance (even registering it again) ends its sessions.
 */
export class PanelSessions {
  private readonly clock: Clock;
  private readonly instances: PanelSessionsInit['instances'];
  private readonly ttlSeconds: number;
  private readonly maxSeconds: number;
  private readonly macKeys: MacKeys;

  constructor(init: PanelSessionsInit) {
    this.macKeys = new MacKeys({ keyring: init.keyring, info: HKDF_INFO });
    this.clock = init.clock;
    this.instances = init.instances;
    this.ttlSeconds = init.ttlSeconds ?? 15 * 60;
    this.maxSeconds = init.maxSeconds ?? 8 * 3600;
  }

  /** A token for a new session of the instance as this row of it is now. */
  open(init: { instance: InstanceEntity; subject: string; via: PanelSessionVia }): { token: string; session: PanelSession } {
    const now = this.nowSeconds();
    const { instance } = init;
    return this.sign({
      tenantId: instance.tenantId,
      instanceId: instance.instanceId,
      subject: init.subject,
      via: init.via,
      startedAt: now,
      expiresAt: now + this.ttlSeconds,
      binding: instanceBinding(instance),
    });
  }

  /** The same session with a later expiry, up to its maximum age. */
  renew(session: PanelSession): { token: string; session: PanelSession } {
    const expiresAt = Math.min(this.nowSeconds() + this.ttlSeconds, session.startedAt + this.maxSeconds);
    if (expiresAt <= this.nowSeconds()) throw sessionInvalid();
    return this.sign({ ...session, expiresAt });
  }

  /**
   * The session a token stands for; throws `panel_session_invalid` when it is forged,
   * altered or expired, or its instance was deleted or given another panel secret since.
   */
  async verify(token: string): Promise<PanelSession> {
    const session = this.verifyToken(token);
    const instance = await this.instances.find(session.tenantId, session.instanceId);
    if (!instance || !bindingsEqual(session.binding, instanceBinding(instance.entity))) throw sessionInvalid();
    return session;
  }

  private verifyToken(token: string): PanelSession {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) throw sessionInvalid();
    const [, keyId = '', payload = '', mac = ''] = parts;
    const key = this.macKeys.get(keyId);
    if (!key) throw sessionInvalid();
    const expected = createHmac('sha256', key).update(`${VERSION}.${keyId}.${payload}`).digest();
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw sessionInvalid();
    let parsed: z.output<typeof payloadSchema>;
    try {
      parsed = payloadSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    } catch {
      throw sessionInvalid();
    }
    if (parsed.exp <= this.nowSeconds()) throw sessionInvalid();
    return {
      tenantId: parsed.t,
      instanceId: parsed.i,
      subject: parsed.s,
      via: parsed.v,
      expiresAt: parsed.exp,
      startedAt: parsed.st,
      binding: parsed.b,
    };
  }

  private sign(session: PanelSession): { token: string; session: PanelSession } {
    const { keyId, key } = this.macKeys.active();
    const body = {
      t: session.tenantId,
      i: session.instanceId,
      s: session.subject,
      v: session.via,
      exp: session.expiresAt,
      st: session.startedAt,
      b: session.binding,
    };
    const payload = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
    const mac = createHmac('sha256', key).update(`${VERSION}.${keyId}.${payload}`).digest('base64url');
    return { token: `${VERSION}.${keyId}.${payload}.${mac}`, session };
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }
}

/**
 * What a session is bound to: the row's identity and creation (a deleted instance
 * registered again is another row) and its sealed panel secret (every rotation seals a new
 * secret with a fresh nonce). A hash, so the readable token says nothing about the secret.
 */
export function instanceBinding(instance: InstanceEntity): string {
  return createHash('sha256')
    .update(JSON.stringify([instance.tenantId, instance.instanceId, Date.parse(instance.createdAt), instance.encryptedAdminSecret ?? null]))
    .digest('base64url')
    .slice(0, 32);
}

function bindingsEqual(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function sessionInvalid(): AppError {
  return new AppError({ code: 'panel_session_invalid', headers: { 'WWW-Authenticate': 'PanelSession' } });
}
