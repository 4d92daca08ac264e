/** Who is calling, as proven by a validated access token. */
export interface Caller {
  /** The token's `tid`, lower case: the partition every per-tenant record lives under. */
  tenantId: string;
  /**
   * The token's `oid`: the user's object id, the same in every app of the tenant and the id
   * Microsoft Graph knows the mailbox by. `sub` is never used: it is pairwise per app.
   */
  userId: string;
  /** App roles assigned to the user (`roles`); empty when none. */
  roles: string[];
  name?: string;
}
