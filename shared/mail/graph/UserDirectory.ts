import { TtlCache } from '../../platform/cache';
import type { Clock } from '../../platform/clock';
import { problemCodeOf } from '../../platform/errors/problemCodeOf';
import type { GraphApi, GraphUserLookup } from './GraphApi';
import { MAX_BATCH_REQUESTS } from './graphSchemas';

/**
 * What the directory says about a user id: its name and address, that the user is gone (404),
 * or that the app may not read it (403, `User.Read.All` not consented).
 */
export type DirectoryUser = { kind: 'user'; displayName?: string; mail?: string } | { kind: 'deleted' } | { kind: 'hidden' };

export interface UserDirectoryInit {
  graph: { forTenant(tenantId: string): Pick<GraphApi, 'getUsers'> };
  clock: Clock;
  /** How long a name is kept: a renamed user shows the old name at most this long. */
  ttlMs?: number;
  /** A refusal (403) is asked again sooner: an admin may consent the permission meanwhile. */
  hiddenTtlMs?: number;
  maxEntries?: number;
  /** Told the stable code when a batch fails as a whole; never a name or an id. */
  onBatchError?: (code: string) => void;
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * Object ids to display names and addresses, per tenant, with Graph's app token: the ids not
 * cached are asked in JSON batches of 20 (sequentially, so a page of 100 is five calls and
 * never a burst), and the answers kept per (tenant, id) for an hour. Names are decoration:
 * a user Graph could not answer for, or a batch that failed, is simply left out and shows
 * its id, never failing the page.
 */
export class UserDirectory {
  private readonly cache: TtlCache<string, DirectoryUser>;
  private readonly hiddenTtlMs: number;

  constructor(private readonly init: UserDirectoryInit) {
    this.cache = new TtlCache({ clock: init.clock, ttlMs: init.ttlMs ?? HOUR_MS, maxEntries: init.maxEntries ?? 5_000 });
    this.hiddenTtlMs = init.hiddenTtlMs ?? 5 * 60 * 1000;
  }

  async resolve(tenantId: string, userIds: Iterable<string>): Promise<Map<string, DirectoryUser>> {
    const found = new Map<string, DirectoryUser>();
    const missing: string[] = [];
    for (const userId of new Set(userIds)) {
      const cached = this.cache.get(keyOf(tenantId, userId));
      if (cached) found.set(userId, cached);
      else missing.push(userId);
    }
    for (let start = 0; start < missing.length; start += MAX_BATCH_REQUESTS) {
      let lookups: GraphUserLookup[];
      try {
        lookups = await this.init.graph.forTenant(tenantId).getUsers(missing.slice(start, start + MAX_BATCH_REQUESTS));
      } catch (error) {
        this.init.onBatchError?.(problemCodeOf(error));
        // The next batches would most likely fail alike (no token, Graph down): the page shows ids.
        break;
      }
      for (const lookup of lookups) {
        const user = toDirectoryUser(lookup);
        if (!user) continue;
        this.cache.set(keyOf(tenantId, lookup.userId), user, user.kind === 'hidden' ? this.hiddenTtlMs : undefined);
        found.set(lookup.userId, user);
      }
    }
    return found;
  }
}

function keyOf(tenantId: string, userId: string): string {
  return `${tenantId.toLowerCase()}\n${userId.toLowerCase()}`;
}

/** Undefined for an answer not worth keeping (throttled, Graph's own failure): asked again next time. */
function toDirectoryUser(lookup: GraphUserLookup): DirectoryUser | undefined {
  if (lookup.status === 404) return { kind: 'deleted' };
  if (lookup.status === 403) return { kind: 'hidden' };
  if (lookup.status !== 200 || !lookup.user) return undefined;
  const mail = lookup.user.mail ?? lookup.user.userPrincipalName ?? undefined;
  return {
    kind: 'user',
    ...(lookup.user.displayName ? { displayName: lookup.user.displayName } : {}),
    ...(mail ? { mail } : {}),
  };
}
