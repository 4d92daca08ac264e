import { SignJWT } from 'jose';
import { queryStringHash, type RequestTarget } from './canonicalRequest';
import { panelSecretKey } from './panelSecret';

export interface IframeJwtClaims {
  /** `<tenantId>/<instanceId>`, as `toPanelIssuer` writes it. */
  issuer: string;
  sharedSecret: string;
  /** The Jira user opening the page. */
  jiraUser: string;
  /** The request the token is for: `GET`, `/api/admin/ui` and its query (any `jwt` is ignored). */
  target: RequestTarget;
  /** Seconds since the epoch. */
  issuedAt: number;
  /** Default 180. */
  lifetimeSeconds?: number;
}

/**
 * What the Jira app does for each iframe it renders: a short-lived HS256 token bound to the
 * URL by `qsh`. Here for the sandbox's Jira page and the tests — the reference for the
 * Jira app's implementation.
 */
export async function signIframeJwt(claims: IframeJwtClaims): Promise<string> {
  return new SignJWT({ qsh: queryStringHash(claims.target) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(claims.issuer)
    .setSubject(claims.jiraUser)
    .setIssuedAt(claims.issuedAt)
    .setExpirationTime(claims.issuedAt + (claims.lifetimeSeconds ?? 180))
    .sign(panelSecretKey(claims.sharedSecret));
}

/** The iframe URL for `appUrl` (`https://host`, no trailing slash), token included. */
export async function signedPanelUrl(init: Omit<IframeJwtClaims, 'target'> & { appUrl: string; path?: string; query?: URLSearchParams }): Promise<string> {
  const url = new URL(`${init.appUrl}${init.path ?? '/api/admin/ui'}`);
  for (const [name, value] of init.query ?? []) url.searchParams.append(name, value);
  const jwt = await signIframeJwt({ ...init, target: { method: 'GET', path: url.pathname, query: url.searchParams } });
  url.searchParams.set('jwt', jwt);
  return url.toString();
}
