import { z } from 'zod';

/**
 * The claims of a Microsoft identity platform access token that decide who the caller is
 * (learn.microsoft.com, "Access token claims reference"). Read only after the signature,
 * audience and lifetime were verified; `tid` and `oid` become storage keys and the client
 * id is matched against an allow list, so anything but a GUID is refused rather than
 * trusted. Entra issues v1.0 tokens to an API whose manifest leaves
 * `requestedAccessTokenVersion` null or 1, v2.0 tokens when it is 2; the two carry the
 * calling client and the sign-in name in different claims.
 */
const common = {
  iss: z.string().min(1),
  /** jose has checked it is a number; the verified-token cache keeps a token no longer. */
  exp: z.number(),
  tid: z.guid(),
  oid: z.guid(),
  roles: z.array(z.string()).optional(),
  name: z.string().optional(),
};

const v1Claims = z.object({
  ...common,
  ver: z.literal('1.0'),
  /** The client application the token was issued to (v2.0: `azp`). */
  appid: z.guid(),
  upn: z.string().optional(),
  /** Set where `upn` is not, e.g. for guests. */
  unique_name: z.string().optional(),
});

const v2Claims = z.object({
  ...common,
  ver: z.literal('2.0'),
  azp: z.guid(),
  preferred_username: z.string().optional(),
});

export const accessTokenClaimsSchema = z.discriminatedUnion('ver', [v1Claims, v2Claims]);

export type AccessTokenClaims = z.output<typeof accessTokenClaimsSchema>;
export type AccessTokenVersion = AccessTokenClaims['ver'];

/** The client application a token was issued to, and the claim that names it in its version. */
export function clientOf(claims: AccessTokenClaims): { clientId: string; claim: 'appid' | 'azp' } {
  return claims.ver === '1.0' ? { clientId: claims.appid, claim: 'appid' } : { clientId: claims.azp, claim: 'azp' };
}

/** The user's sign-in name, for display only: it is mutable, so never a key. */
export function usernameOf(claims: AccessTokenClaims): string | undefined {
  return claims.ver === '1.0' ? (claims.upn ?? claims.unique_name) : claims.preferred_username;
}
