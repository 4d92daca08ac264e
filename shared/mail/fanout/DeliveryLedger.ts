import type { Clock } from '../../platform/clock';
import { isAppError } from '../../platform/errors/AppError';
import type { DeliveryEntity, DeliveryKey } from '../../platform/storage/deliveries/deliveryEntity';
import type { DeliveryRepository } from '../../platform/storage/deliveries/DeliveryRepository';
import type { DeliveryReason } from '../../platform/storage/deliveries/deliveryReason';
import type { Versioned } from '../../platform/storage/TypedTable';

/**
 * - `claimed`: this worker holds the lease and sends;
 * - `done`: the notification is `sent` or `failed` already, nothing to do;
 * - `busy`: another worker holds a live lease; look again after it ends.
 */
export type DeliveryClaim =
  { kind: 'claimed'; entity: LeasedDelivery } | { kind: 'done'; entity: DeliveryEntity } | { kind: 'busy'; leaseUntil: string };

/** The row as a claim holds it: `pending`, with the lease that names the claim. */
export type LeasedDelivery = DeliveryEntity & { leaseUntil: string };

export type ClaimedDelivery = Extract<DeliveryClaim, { kind: 'claimed' }>;

export interface DeliveryOutcome {
  status: 'sent' | 'failed';
  /** Jira's last HTTP status, when there was an answer. */
  lastStatus?: number;
  /** A stable reason code, e.g. `no_recipients`, `issue_not_found`; never upstream text. */
  reason?: DeliveryReason;
  watchers?: number;
  /** The Jira user names notified. */
  recipients?: string[];
}

type LedgerRepository = Pick<
  DeliveryRepository,
  'insert' | 'insertAll' | 'getVersioned' | 'update' | 'upsert' | 'upsertAll' | 'listByMessage'
>;

export interface DeliveryLedgerInit {
  repository: LedgerRepository;
  clock: Clock;
  /** `DELIVERY_LEASE`: a claim's lease; an attempt whose next Jira call it does not cover renews it first (`extend`). */
  leaseSeconds: number;
  /** Waits between tries of the final write; unit tests pass one that moves their clock. */
  sleep?: (ms: number) => Promise<void>;
}

const MAX_CLAIM_ROUNDS = 4;
/** Rows per table transaction (the service's limit is 100 entities). */
const MAX_BATCH = 100;
/** Between tries of the final write: doubled each time, up to the maximum, and never past the lease. */
const COMPLETE_FIRST_DELAY_MS = 500;
const COMPLETE_MAX_DELAY_MS = 8000;

/**
 * The at-least-once queue's de-duplication record in `deliveries`, one row per (mail, issue).
 * A worker first inserts the row `pending` with a lease (a conditional insert, so exactly one
 * of several concurrent copies wins); a row that is `sent` or `failed` stops every later copy;
 * a `pending` row whose lease has run out belongs to an attempt that died, and is taken over.
 * The lease's end time doubles as the claim's identity: only the claimant releases it.
 */
export class DeliveryLedger {
  private readonly repository: LedgerRepository;
  private readonly clock: Clock;
  private readonly leaseMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(init: DeliveryLedgerInit) {
    this.repository = init.repository;
    this.clock = init.clock;
    this.leaseMs = Math.max(1, init.leaseSeconds) * 1000;
    this.sleep = init.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * `claim` for the issues of one mail (one partition): the usual case, none of them seen
   * yet, is one conditional insert of all the rows in one table transaction. When any row
   * exists the transaction wrote nothing: one read of the mail's rows settles the keys that
   * are done or leased (a copy of the mail through another mailbox, a redelivery: the fan-out
   * no longer looks first, so these come here), and only the others are claimed on their own.
   */
  async claimAll(keys: readonly DeliveryKey[]): Promise<DeliveryClaim[]> {
    if (keys.length < 2 || keys.length > MAX_BATCH || new Set(keys.map(partitionOf)).size !== 1)
      return Promise.all(keys.map((key) => this.claim(key)));
    const fresh = keys.map((key) => this.freshRow(key, this.clock.now()));
    if (await this.repository.insertAll(fresh)) return fresh.map((entity) => ({ kind: 'claimed', entity }));

    const [first] = keys;
    const rows = new Map<string, DeliveryEntity>();
    for await (const row of this.repository.listByMessage(first!.tenantId, first!.internetMessageId)) rows.set(rowOf(row), row);
    const now = this.clock.now();
    return Promise.all(
      keys.map(async (key): Promise<DeliveryClaim> => {
        const row = rows.get(rowOf(key));
        // What `claim` would conclude from the same read; a terminal row stays terminal.
        if (row !== undefined && row.status !== 'pending') return { kind: 'done', entity: row };
        if (row?.leaseUntil !== undefined && Date.parse(row.leaseUntil) > now) return { kind: 'busy', leaseUntil: row.leaseUntil };
        // Missing (pruned, or not yet written), or a lease that ran out: the conditional path.
        return this.claim(key);
      }),
    );
  }

  async claim(key: DeliveryKey): Promise<DeliveryClaim> {
    let last: DeliveryEntity | undefined;
    for (let round = 0; round < MAX_CLAIM_ROUNDS; round += 1) {
      const now = this.clock.now();
      const fresh = this.freshRow(key, now);
      if (await this.repository.insert(fresh)) return { kind: 'claimed', entity: fresh };

      const existing = await this.repository.getVersioned(key);
      // Gone between the insert and the read (pruned): insert again.
      if (!existing) continue;
      last = existing.entity;
      if (last.status !== 'pending') return { kind: 'done', entity: last };
      const lease = last.leaseUntil;
      // Stryker disable next-line ConditionalExpression: without the check, Date.parse(undefined) is NaN and NaN > now is false: the check is for the type.
      const leased = lease !== undefined && Date.parse(lease) > now;
      if (leased) return { kind: 'busy', leaseUntil: lease };

      const { lastStatus: _status, reason: _reason, ...rest } = last;
      const taken: LeasedDelivery = { ...rest, attempts: last.attempts + 1, updatedAt: iso(now), leaseUntil: iso(now + this.leaseMs) };
      if (await this.repository.update(taken, existing.etag)) return { kind: 'claimed', entity: taken };
      // Another copy took it over between our read and write: look again.
    }
    return { kind: 'busy', leaseUntil: last?.leaseUntil ?? iso(this.clock.now() + this.leaseMs) };
  }

  /**
   * Records the final state. Written unconditionally: whatever happened to the row while
   * we worked, what we did is the truth about this notification now. Storage being
   * unavailable is tried again, with backoff, for as long as the lease lasts: after a
   * `sent` notification a failed write would let the next copy notify the watchers again
   * once the lease ran out, so a short outage must not end this attempt. Past the lease
   * another copy may have taken over, and the error goes to the host.
   */
  async complete(claim: ClaimedDelivery, outcome: DeliveryOutcome): Promise<DeliveryEntity> {
    const entity = this.completed(claim, outcome);
    await this.whileLeased([claim], () => this.repository.upsert(entity));
    return entity;
  }

  /**
   * `complete` for several claims of one mail (one partition): one table transaction,
   * retried like `complete` until the earliest of their leases ends. Claims of other
   * partitions (never the case for one mail's issues) are written one by one.
   */
  async completeAll(done: ReadonlyArray<{ claim: ClaimedDelivery; outcome: DeliveryOutcome }>): Promise<DeliveryEntity[]> {
    const entities = done.map(({ claim, outcome }) => this.completed(claim, outcome));
    const claims = done.map(({ claim }) => claim);
    if (entities.length <= MAX_BATCH && new Set(entities.map(partitionOf)).size === 1) {
      await this.whileLeased(claims, () => this.repository.upsertAll(entities));
    } else {
      await Promise.all(entities.map((entity, i) => this.whileLeased([claims[i]!], () => this.repository.upsert(entity))));
    }
    return entities;
  }

  private freshRow(key: DeliveryKey, now: number): LeasedDelivery {
    return {
      ...pickKey(key),
      status: 'pending',
      attempts: 1,
      createdAt: iso(now),
      updatedAt: iso(now),
      leaseUntil: iso(now + this.leaseMs),
    };
  }

  /** The row `complete` writes for this claim and outcome. */
  completed(claim: ClaimedDelivery, outcome: DeliveryOutcome): DeliveryEntity {
    const { leaseUntil: _lease, lastStatus: _status, reason: _reason, ...rest } = claim.entity;
    // The outcome's details as given: a detail it leaves out is not on the row.
    return { ...rest, ...outcome, updatedAt: iso(this.clock.now()) };
  }

  /** Tries the write again while storage is unavailable, with backoff, until the first of the claims' leases ends. */
  private async whileLeased(claims: readonly ClaimedDelivery[], write: () => Promise<void>): Promise<void> {
    const leaseEnds = Math.min(...claims.map(({ entity }) => Date.parse(entity.leaseUntil)));
    for (let delayMs = COMPLETE_FIRST_DELAY_MS; ; delayMs = Math.min(delayMs * 2, COMPLETE_MAX_DELAY_MS)) {
      try {
        await write();
        return;
      } catch (error) {
        const wait = Math.min(delayMs, leaseEnds - this.clock.now());
        if (!isAppError(error) || error.code !== 'storage_unavailable' || wait <= 0) throw error;
        await this.sleep(wait);
      }
    }
  }

  /**
   * The claim with at least `forMs` of its lease left: as it is when it has (no request), else
   * renewed for `renewForMs` (at least `forMs`, and never shorter than `DELIVERY_LEASE`) by a
   * write conditional on the ETag of the row read just before, and only while
   * the row still carries this claim's lease. Undefined when the claim is lost (another copy
   * took the row over after the lease ran out, or finished it): that copy is the one that
   * sends, and this one must not call Jira. A lease that ran out and was taken by nobody is
   * simply renewed: no other copy can have sent.
   */
  async extend(claim: ClaimedDelivery, forMs: number, renewForMs = forMs): Promise<ClaimedDelivery | undefined> {
    const now = this.clock.now();
    if (Date.parse(claim.entity.leaseUntil) - now >= forMs) return claim;
    const current = await this.readOwn(claim);
    if (!current) return undefined;
    const renewed: LeasedDelivery = {
      ...current.entity,
      updatedAt: iso(now),
      leaseUntil: iso(now + Math.max(this.leaseMs, forMs, renewForMs)),
    };
    return (await this.repository.update(renewed, current.etag)) ? { kind: 'claimed', entity: renewed } : undefined;
  }

  /**
   * Gives the lease up so that the copy put back for a retry can claim at once. Only if the
   * row is still ours; false when it was not (taken over, completed, gone).
   */
  async release(claim: ClaimedDelivery, lastStatus?: number): Promise<boolean> {
    const current = await this.readOwn(claim);
    if (!current) return false;
    const { leaseUntil: _lease, lastStatus: _status, ...rest } = current.entity;
    // An undefined lastStatus is written as none (deliveryEntity's codec), like a left-out one.
    const released: DeliveryEntity = { ...rest, updatedAt: iso(this.clock.now()), lastStatus };
    return this.repository.update(released, current.etag);
  }

  /** The row and its ETag while it is still this claim's: pending, with the claim's lease (a takeover writes a new one). */
  private async readOwn(claim: ClaimedDelivery): Promise<Versioned<DeliveryEntity> | undefined> {
    const current = await this.repository.getVersioned(claim.entity);
    if (!current || current.entity.status !== 'pending' || current.entity.leaseUntil !== claim.entity.leaseUntil) return undefined;
    return current;
  }
}

function pickKey(key: DeliveryKey): DeliveryKey {
  return { tenantId: key.tenantId, internetMessageId: key.internetMessageId, instanceId: key.instanceId, issueKey: key.issueKey };
}

function partitionOf(key: DeliveryKey): string {
  return `${key.tenantId}\n${key.internetMessageId}`;
}

function rowOf(key: DeliveryKey): string {
  return `${key.instanceId}\n${key.issueKey}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
