/** Who is calling, as proven by a validated access token. */
export interface Caller {
  /** The token's `tid`, lower case: the partition every per-tenant record lives under. */
  tenantId: string;
  /**
   * The token's `oid`: the user's object id, the same in every app of the tenant, in v1.0
   * and v2.0 tokens alike, and the id Microsoft Graph knows the mailbox by. `sub` is never
   * used: it is pairwise per app.
   */
  userId: string;
  /** App roles assigned to the user (`roles`); empty when none. */
  roles: string[];
  /** Display name (`name`). */
  name?: string;
  /** Sign-in name: `upn` (or `unique_name`) of a v1.0 token, `preferred_username` of a v2.0 one. Display only. */
  username?: string;
}
