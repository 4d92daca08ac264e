import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';

/**
 * The token a Jira app puts on the URL of a page it frames, written from Atlassian Connect's
 * JWT description ("Understanding JWT for apps": HS256 over the shared secret, `iss`, `sub`,
 * `iat`, `exp`, and `qsh` = SHA-256 of the canonical request). It is written here on purpose
 * and not shared with the app's verifier: the sandbox plays the Jira app, and a verifier
 * checked against its own signing code proves nothing.
 */
export interface ConnectJwtInit {
  issuer: string;
  sharedSecret: string;
  jiraUser: string;
  method: string;
  /** The full URL the token is for, without the token. */
  url: URL;
  /** Seconds since the epoch. */
  issuedAt: number;
  /** Default 180, the Connect libraries' own default. */
  lifetimeSeconds?: number;
  /**
   * A unique id for the token. Not part of Connect's tokens; our Jira app may add one, so
   * that two pages rendered within the same second (same claims) are still two tokens —
   * the panel accepts each token once.
   */
  jti?: string;
}

export async function signConnectJwt(init: ConnectJwtInit): Promise<string> {
  return new SignJWT({ qsh: connectQsh(init.method, init.url), ...(init.jti === undefined ? {} : { jti: init.jti }) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(init.issuer)
    .setSubject(init.jiraUser)
    .setIssuedAt(init.issuedAt)
    .setExpirationTime(init.issuedAt + (init.lifetimeSeconds ?? 180))
    .sign(new TextEncoder().encode(init.sharedSecret));
}

/** The URL with `jwt=` added, as the app's page puts it in the iframe's `src`. */
export async function connectSignedUrl(init: ConnectJwtInit): Promise<string> {
  const signed = new URL(init.url);
  signed.searchParams.set('jwt', await signConnectJwt(init));
  return signed.toString();
}

/** `METHOD&path&query`, hashed: the Connect spec's steps, one per line below. */
export function connectQsh(method: string, url: URL): string {
  let path = url.pathname || '/';
  // One trailing slash, as atlassian-jwt (Node.js and Java) removes it: `/a//` signs as `/a/`.
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  path = path.split('&').join('%26');

  const byName = new Map<string, string[]>();
  url.searchParams.forEach((value, name) => {
    if (name === 'jwt') return;
    const encodedName = percentEncode(name);
    byName.set(encodedName, [...(byName.get(encodedName) ?? []), percentEncode(value)]);
  });
  const names = Array.from(byName.keys()).sort(byCodeUnit);
  const query = names.map((name) => `${name}=${(byName.get(name) ?? []).sort(byCodeUnit).join(',')}`).join('&');

  const canonical = `${method.toUpperCase()}&${path}&${query}`;
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** RFC 3986 unreserved characters stay; every other byte is %XX (upper-case). */
function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function byCodeUnit(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}
