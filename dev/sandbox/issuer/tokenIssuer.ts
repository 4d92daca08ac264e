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

/** `1.0` is what Entra issues to an API whose manifest leaves `requestedAccessTokenVersion` null or 1 (the default), `2.0` when it is 2. */
export type TokenVersion = '1.0' | '2.0';
/** Entra signs access tokens with RS256 only; the others exist to test a verifier's allow list with the genuine key. */
export type SigningAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512';

export interface MintClaims {
  tenantId: string;
  /** Becomes `oid`. */
  userId: string;
  /** Entra's `aud`: always the API's client id in v2.0 tokens; the App ID URI or client id the client asked for in v1.0 tokens. */
  audience: string;
  /** Default `2.0`. Decides the issuer, the header and which claims name the client and the user. */
  version?: TokenVersion;
  /** The client application the token is issued to: `appid` (1.0) or `azp` (2.0). Default: the issuer's `clientId`. */
  clientId?: string;
  /** The sign-in name: `upn` and `unique_name` (1.0) or `preferred_username` (2.0). */
  username?: string;
  roles?: string[];
  name?: string;
  /** Lifetime from now; negative mints an already expired token. Default 3600. */
  expiresInSeconds?: number;
  /** Seconds from now until `nbf`; positive mints a token that is not valid yet. Default 0. */
  notBeforeSeconds?: number;
  /** Overrides `iss`, e.g. to name another tenant than `tid`. */
  issuer?: string;
  /** Default RS256, the only one Entra uses; the same key signs whatever is asked. */
  algorithm?: SigningAlgorithm;
  /** Merged last; a key set to `undefined` removes that claim. */
  extra?: Record<string, unknown>;
}

export interface TokenIssuer {
  /** Base URL, no trailing slash. */
  url: string;
  /** For `AUTH_ISSUER_TEMPLATE`: the v2.0 issuer, `<url>/{tenantId}/v2.0` like `https://login.microsoftonline.com/{tenantId}/v2.0`. */
  issuerTemplate: string;
  /**
   * For `AUTH_ISSUER_TEMPLATE_V1`: `<url>/sts/{tenantId}/`. Entra's v1.0 issuer
   * (`https://sts.windows.net/{tenantId}/`) is on another host than its endpoints; another
   * path stands for that here.
   */
  issuerTemplateV1: string;
  /** For `AUTH_JWKS_URL`: the v2.0 key set, which (as Microsoft's) verifies tokens of both versions. */
  jwksUrl: string;
  keyId: string;
  publicKeyPem: string;
  /** The client of minted tokens by default (`azp` / `appid`): the sandbox's stand-in for the add-in's client id. */
  clientId: string;
  /** The app settings that point the app at this issuer and admit its client: the `AUTH_*` set. */
  appSettings: Readonly<Record<string, string>>;
  /** Properties, not methods: each is safe to pass around unbound. */
  issuerFor: (tenantId: string, version?: TokenVersion) => string;
  mint: (claims: MintClaims) => Promise<string>;
  /** Idempotent; closes kept-alive connections too, so nothing is left listening. */
  stop: () => Promise<void>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);
const MAX_BODY_BYTES = 64 * 1024;
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;

const mintRequestSchema = z.object({
  tenantId: z.string().min(1),
  userId: z.string().min(1),
  audience: z.string().min(1),
  version: z.enum(['1.0', '2.0']).optional(),
  clientId: z.string().min(1).optional(),
  username: z.string().optional(),
  roles: z.array(z.string()).optional(),
  name: z.string().optional(),
  expiresInSeconds: z.number().int().optional(),
  notBeforeSeconds: z.number().int().optional(),
  issuer: z.string().optional(),
  algorithm: z.enum(ALGORITHMS).optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
});

/**
 * A loopback stand-in for the Microsoft identity platform, written from Microsoft's
 * documentation ("Access tokens", "Access token claims reference"): the same key-set and
 * discovery URLs for v1.0 and v2.0, RS256 access tokens of either version with that
 * version's issuer, header and claims, a fresh RSA key per start. The API validates its
 * tokens through exactly the code path it uses for Microsoft's. `POST /_sandbox/token`
 * mints a token from a JSON `MintClaims`, for a person driving the sandbox by hand.
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
  const issuerFor = (tenantId: string, version: TokenVersion = '2.0') =>
    version === '1.0' ? `${url}/sts/${tenantId}/` : `${url}/${tenantId}/v2.0`;
  // Both sets hold the same keys. Only the v2.0 one names each key's issuer; the v1.0
  // endpoint attaches none (as Microsoft.IdentityModel's signing key issuer check notes).
  const key = { ...publicJwk, kid: keyId, x5t: keyId, use: 'sig', alg: 'RS256' };
  const keySet = (version: TokenVersion) => ({ keys: [version === '1.0' ? key : { ...key, issuer: issuerFor('{tenantid}') }] });
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
    const keys = /^(?:\/([^/]+))?\/discovery(\/v2\.0)?\/keys$/.exec(path);
    const discovery = /^\/([^/]+)(\/v2\.0)?\/\.well-known\/openid-configuration$/.exec(path);
    if (keys) {
      if (method !== 'GET') return sendJson(response, 405, { error: 'method_not_allowed' }, { Allow: 'GET' });
      return sendJson(response, 200, keySet(keys[2] ? '2.0' : '1.0'), { 'Cache-Control': 'max-age=86400, private' });
    }
    if (discovery?.[1]) {
      if (method !== 'GET') return sendJson(response, 405, { error: 'method_not_allowed' }, { Allow: 'GET' });
      const tenant = discovery[1];
      const version: TokenVersion = discovery[2] ? '2.0' : '1.0';
      if (!GUID.test(tenant) && !MULTI_TENANT.has(tenant)) return sendJson(response, 400, { error: 'invalid_tenant' });
      // Verification metadata only: there is no interactive sign-in in the sandbox.
      return sendJson(response, 200, {
        issuer: issuerFor(GUID.test(tenant) ? tenant.toLowerCase() : '{tenantid}', version),
        jwks_uri: `${url}/${tenant}/discovery${version === '2.0' ? '/v2.0' : ''}/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        subject_types_supported: ['pairwise'],
        claims_supported: ['iss', 'aud', 'exp', 'iat', 'nbf', 'sub', 'tid', 'oid', 'name', 'roles', 'scp', 'ver'].concat(
          version === '2.0' ? ['azp', 'preferred_username'] : ['appid', 'upn', 'unique_name'],
        ),
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

  const issuerTemplate = `${url}/{tenantId}/v2.0`;
  const issuerTemplateV1 = `${url}/sts/{tenantId}/`;
  const jwksUrl = `${url}/discovery/v2.0/keys`;
  return {
    url,
    issuerTemplate,
    issuerTemplateV1,
    jwksUrl,
    keyId,
    publicKeyPem,
    clientId,
    appSettings: {
      AUTH_ISSUER_TEMPLATE: issuerTemplate,
      AUTH_ISSUER_TEMPLATE_V1: issuerTemplateV1,
      AUTH_JWKS_URL: jwksUrl,
      AUTH_ALLOWED_CLIENT_IDS: clientId,
    },
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
  issuerFor: (tenantId: string, version?: TokenVersion) => string;
}

/**
 * A delegated access token as Entra issues it (learn.microsoft.com, "Access token claims
 * reference"): v1.0 names the client in `appid` (+ `appidacr`), the user in `upn` and
 * `unique_name`, and carries `acr`/`amr` and the legacy `x5t` header; v2.0 names the client
 * in `azp` (+ `azpacr`) and the user in `preferred_username`. `aio` and `rh` are opaque.
 */
function mintToken({ claims, privateKey, keyId, clientId, clock, issuerFor }: MintInit): Promise<string> {
  const now = Math.floor(clock.now() / 1000);
  const version = claims.version ?? '2.0';
  const client = claims.clientId ?? clientId;
  const payload: Record<string, unknown> = {
    aud: claims.audience,
    iss: claims.issuer ?? issuerFor(claims.tenantId, version),
    iat: now,
    nbf: now + (claims.notBeforeSeconds ?? 0),
    exp: now + (claims.expiresInSeconds ?? 3600),
    ...(version === '1.0' ? { acr: '1' } : {}),
    aio: opaque(),
    ...(version === '1.0' ? { amr: ['pwd'], appid: client, appidacr: '0' } : { azp: client, azpacr: '0' }),
    name: claims.name,
    oid: claims.userId,
    ...(version === '2.0' ? { preferred_username: claims.username } : {}),
    rh: opaque(),
    roles: claims.roles && claims.roles.length > 0 ? claims.roles : undefined,
    scp: 'access_as_user',
    // Microsoft's `sub` is pairwise: the same user has another `sub` in another app.
    sub: createHash('sha256').update(`${claims.tenantId}|${claims.userId}|${claims.audience}`).digest('base64url').slice(0, 43),
    tid: claims.tenantId,
    ...(version === '1.0' ? { unique_name: claims.username, upn: claims.username } : {}),
    uti: randomBytes(16).toString('base64url'),
    ver: version,
    ...claims.extra,
  };
  for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
  const alg = claims.algorithm ?? 'RS256';
  const header = version === '1.0' ? { typ: 'JWT', alg, x5t: keyId, kid: keyId } : { typ: 'JWT', alg, kid: keyId };
  return new SignJWT(payload).setProtectedHeader(header).sign(privateKey);
}

function opaque(): string {
  return randomBytes(24).toString('base64url');
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
