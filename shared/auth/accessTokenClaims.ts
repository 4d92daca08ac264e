import { z } from 'zod';

/**
 * The claims of a Microsoft identity platform v2 access token that decide who the caller
 * is. Read only after the signature, audience and lifetime were verified; `tid` and `oid`
 * become storage keys, so anything but a GUID is refused rather than trusted.
 */
export const accessTokenClaimsSchema = z.object({
  iss: z.string().min(1),
  tid: z.guid(),
  oid: z.guid(),
  roles: z.array(z.string()).optional(),
  name: z.string().optional(),
});

export type AccessTokenClaims = z.output<typeof accessTokenClaimsSchema>;
