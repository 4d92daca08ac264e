import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { calculateJwkThumbprint, exportJWK, exportSPKI, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { z } from 'zod';
import { systemClock, type Clock } from '../../../shared/platform/clock';
import { newGuid } from '../newGuid';
import { listen } from '../../listen';

export interface TokenIssuerInit {
  /** Loopback by default: the issuer signs anything it is asked to. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Decides `iat`, `nbf` and `exp` of minted tokens. */
  clock?: Clock;
}

export interface MintClaims {
  tenantId: string;
  /** Becomes `oid`. */
  userId: string;
  audience: string;
  roles?: string[];
  name?: string;
  /** Lifetime from now; negative mints an already expired token. Default 3600. */
  expiresInSeconds?: number;
  /** Seconds from now until `nbf`; positive mints a token that is not valid yet. Default 0. */
  notBeforeSeconds?: number;
  /** Overrides `iss`, e.g. to name another tenant than `tid`. */
  issuer?: string;
  /** Merged last; a key set to `undefined` removes that claim. */
  extra?: Record<string, unknown>;
}

export interface TokenIssuer {
  /** Base URL, no trailing slash. */
  url: string;
  /** For `AUTH_ISSUER_TEMPLATE`. */
  issuerTemplate: string;
  /** For `AUTH_JWKS_URL`. */
  jwksUrl: string;
  keyId: string;
  publicKeyPem: string;
  /** The `azp` of minted tokens: the sandbox's stand-in for the add-in's client id. */
  clientId: string;
  /** Properties, not methods: each is safe to pass around unbound. */
  issuerFor: (tenantId: string) => string;
  mint: (claims: MintClaims) => Promise<string>;
  /** Idempotent; closes kept-alive connections too, so nothing is left listening. */
  stop: () => Promise<void>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);
const MAX_BODY_BYTES = 64 * 1024;

const mintRequestSchema = z.object({
  tenantId: z.string().min(1),
  userId: z.string().min(1),
  audience: z.string().min(1),
  roles: z.array(z.string()).optional(),
  name: z.string().optional(),
  expiresInSeconds: z.number().int().optional(),
  notBeforeSeconds: z.number().int().optional(),
  issuer: z.string().optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
});

/**
 * A loopback stand-in for the Microsoft identity platform: the same key-set and discovery
 * URLs, RS256 access tokens shaped like v2 ones, a fresh RSA key per start. The API
 * validates its tokens through exactly the code path it uses for Microsoft's.
 * `POST /_sandbox/token` mints a token from a JSON `MintClaims`, for a person driving the
 * sandbox by hand.
 */
export async function startTokenIssuer(init: TokenIssuerInit = {}): Promise<TokenIssuer> {
  const host = init.host ?? '127.0.0.1';
  const clock = init.clock ?? systemClock;
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const keyId = await calculateJwkThumbprint(publicJwk);
  const publicKeyPem = await exportSPKI(publicKey);
  const clientId = newGuid();

  let url = '';
  const issuerFor = (tenantId: string) => `${url}/${tenantId}/v2.0`;
  const keySet = () => ({ keys: [{ ...publicJwk, kid: keyId, use: 'sig', alg: 'RS256', issuer: issuerFor('{tenantid}') }] });
  const mint = (claims: MintClaims) => mintToken({ claims, privateKey, keyId, clientId, clock, issuerFor });

  const server = http.createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) sendJson(response, 500, { error: 'internal' });
      else response.destroy();
    });
  });

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://issuer').pathname;
    const method = request.method ?? 'GET';
    const keys = /^(?:\/([^/]+))?\/discovery\/v2\.0\/keys$/.exec(path);
    const discovery = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (keys) {
      if (method !== 'GET') return sendJson(response, 405, { error: 'method_not_allowed' }, { Allow: 'GET' });
      return sendJson(response, 200, keySet(), { 'Cache-Control': 'max-age=86400, private' });
    }
    if (discovery?.[1]) {
      if (method !== 'GET') return sendJson(response, 405, { error: 'method_not_allowed' }, { Allow: 'GET' });
      const tenant = discovery[1];
      if (!GUID.test(tenant) && !MULTI_TENANT.has(tenant)) return sendJson(response, 400, { error: 'invalid_tenant' });
      // Verification metadata only: there is no interactive sign-in in the sandbox.
      return sendJson(response, 200, {
        issuer: issuerFor(GUID.test(tenant) ? tenant.toLowerCase() : '{tenantid}'),
        jwks_uri: `${url}/${tenant}/discovery/v2.0/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        subject_types_supported: ['pairwise'],
        claims_supported: ['iss', 'aud', 'exp', 'iat', 'nbf', 'sub', 'tid', 'oid', 'name', 'roles', 'scp', 'azp', 'ver'],
      });
    }
    if (path === '/_sandbox/token') {
      if (method !== 'POST') return sendJson(response, 405, { error: 'method_not_allowed' }, { Allow: 'POST' });
      const body = await readJson(request);
      const parsed = mintRequestSchema.safeParse(body);
      if (!parsed.success)
        return sendJson(response, 400, { error: 'invalid_body', issues: parsed.error.issues.map((i) => i.path.join('.')) });
      return sendJson(response, 200, { access_token: await mint(parsed.data), token_type: 'Bearer' });
    }
    return sendJson(response, 404, { error: 'not_found' });
  }

  const listening = await listen(server, host, init.port ?? 0);
  url = listening.url;

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // Clients keep connections alive; without this, close() waits for them to go idle.
      server.closeAllConnections();
    }));

  return {
    url,
    issuerTemplate: `${url}/{tenantId}/v2.0`,
    jwksUrl: `${url}/discovery/v2.0/keys`,
    keyId,
    publicKeyPem,
    clientId,
    issuerFor,
    mint,
    stop,
  };
}

interface MintInit {
  claims: MintClaims;
  privateKey: KeyLike;
  keyId: string;
  clientId: string;
  clock: Clock;
  issuerFor: (tenantId: string) => string;
}

/** The claim set of a v2 delegated access token (learn.microsoft.com, "Access token claims"). */
function mintToken({ claims, privateKey, keyId, clientId, clock, issuerFor }: MintInit): Promise<string> {
  const now = Math.floor(clock.now() / 1000);
  const payload: Record<string, unknown> = {
    aud: claims.audience,
    iss: claims.issuer ?? issuerFor(claims.tenantId),
    iat: now,
    nbf: now + (claims.notBeforeSeconds ?? 0),
    exp: now + (claims.expiresInSeconds ?? 3600),
    azp: clientId,
    azpacr: '0',
    name: claims.name,
    oid: claims.userId,
    // Microsoft's `sub` is pairwise: the same user has another `sub` in another app.
    sub: createHash('sha256').update(`${claims.tenantId}|${claims.userId}|${claims.audience}`).digest('base64url').slice(0, 43),
    roles: claims.roles && claims.roles.length > 0 ? claims.roles : undefined,
    scp: 'access_as_user',
    tid: claims.tenantId,
    uti: randomBytes(16).toString('base64url'),
    ver: '2.0',
    ...claims.extra,
  };
  for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: keyId }).sign(privateKey);
}

function readJson(request: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.destroy();
        reject(new Error('body too large'));
        return;
      }
      chunks.push(chunk);
    });
    request.once('error', reject);
    request.once('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      } catch {
        resolve(undefined);
      }
    });
  });
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(text);
}
