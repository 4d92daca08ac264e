import type { LoadedInstance } from '../jira/InstanceService';
import { SingleFlight, TtlCache } from '../platform/cache';
import type { Clock } from '../platform/clock';
import type { LicenseAnswer, LicenseCheck } from './LicenseAnswer';
import { isDefinitive, unknownDecision, unlicensedDecision, type LicenseDecision } from './LicenseDecision';
import type { LicenseState, LicenseStore } from './LicenseState';
import { toLicenseDecision } from './toLicenseDecision';
import { toUpmLicenseFields, upmLicenseSchema, type UpmLicenseFields } from './upmLicenseSchema';
import type { UpmLicenseSource } from './UpmLicenseSource';

interface LicenseKey {
  tenantId: string;
  instanceId: string;
}

export interface LicensePolicy {
  /** How long a licensed decision is reused (LICENSE_TTL). */
  ttlSeconds: number;
  /** How long a not-licensed decision, or a failed attempt, is reused (LICENSE_BAD_TTL). */
  badTtlSeconds: number;
  /** How long the last good decision stands in while Jira cannot be reached (LICENSE_GRACE). */
  graceSeconds: number;
  /** What `unknown` means for `licensed` (LICENSE_UNKNOWN_POLICY). */
  unknownPolicy: 'allow' | 'deny';
}

export interface LicenseServiceInit {
  store: LicenseStore;
  upm: UpmLicenseSource;
  clock: Clock;
  policy: LicensePolicy;
  /** Bound on the in-process front cache; one entry per instance checked. */
  maxCachedInstances?: number;
}

type Attempt = { ok: true; decision: LicenseDecision; upm: UpmLicenseFields | null } | { ok: false };

/**
 * Is the Jira app licensed on an instance. Three layers: an in-process front cache, the
 * `licenses` table (shared by every worker), and the instance's UPM. Concurrent checks of
 * one instance in this process share one resolution (table read and, when stale, one UPM
 * call). When Jira cannot give a decision the last good one is served for the grace period
 * (`source: grace`), then `unknown` with `licensed` as the policy says.
 */
export class LicenseService {
  private readonly store: LicenseStore;
  private readonly upm: UpmLicenseSource;
  private readonly clock: Clock;
  private readonly policy: LicensePolicy;
  private readonly front: TtlCache<string, LicenseCheck>;
  private readonly flights = new SingleFlight<string, LicenseCheck>();

  constructor(init: LicenseServiceInit) {
    this.store = init.store;
    this.upm = init.upm;
    this.clock = init.clock;
    this.policy = init.policy;
    // Entries carry their own lifetime (`reuseUntil`); the cache's default is never used.
    this.front = new TtlCache({ clock: init.clock, ttlMs: 0, maxEntries: init.maxCachedInstances ?? 10_000 });
  }

  /** The caller has already made sure the instance belongs to the caller's tenant. */
  check(instance: LoadedInstance): Promise<LicenseCheck> {
    const key = frontKey(instance.entity);
    const cached = this.front.get(key);
    if (cached) return Promise.resolve(cached);
    return this.flights.run(key, () => this.resolve(instance, key));
  }

  private async resolve(instance: LoadedInstance, key: string): Promise<LicenseCheck> {
    const { tenantId, instanceId } = instance.entity;
    const stored = await this.store.get({ tenantId, instanceId });
    if (stored && this.clock.now() < stored.nextCheckAt) {
      return this.remember(key, this.answerFrom(stored, 'cache'));
    }

    const attempt = await this.ask(instance);
    const at = this.clock.now();
    const state = attempt.ok ? this.afterAnswer(stored, instance.entity, attempt, at) : this.afterFailure(stored, instance.entity, at);
    // Best effort: the answer is right either way; without the row, the next worker asks Jira again.
    await this.store.put(state).catch(() => undefined);
    const live = this.answerFrom(state, 'live');
    this.remember(key, this.answerFrom(state, 'cache'));
    return live;
  }

  private async ask(instance: LoadedInstance): Promise<Attempt> {
    const result = await this.upm.fetchLicense(instance).catch(() => undefined);
    if (result === undefined) return { ok: false };
    if (!result.found) return { ok: true, decision: unlicensedDecision, upm: null };
    const decision = toLicenseDecision(result.body, this.clock.now());
    // A malformed answer tells nothing about the license: handled like an outage.
    if (!isDefinitive(decision)) return { ok: false };
    const parsed = upmLicenseSchema.safeParse(result.body);
    return { ok: true, decision, upm: parsed.success ? toUpmLicenseFields(parsed.data) : null };
  }

  private afterAnswer(
    previous: LicenseState | undefined,
    key: LicenseKey,
    attempt: { decision: LicenseDecision; upm: UpmLicenseFields | null },
    at: number,
  ): LicenseState {
    const { decision } = attempt;
    let nextCheckAt = at + 1000 * (decision.licensed ? this.policy.ttlSeconds : this.policy.badTtlSeconds);
    // A license that runs out before the TTL is checked again when it does.
    const expiresAt = decision.expiresAt === null ? undefined : Date.parse(decision.expiresAt);
    if (decision.licensed && expiresAt !== undefined && expiresAt > at) nextCheckAt = Math.min(nextCheckAt, expiresAt);
    return {
      tenantId: key.tenantId,
      instanceId: key.instanceId,
      decision,
      decidedAt: at,
      lastGoodAt: decision.licensed ? at : (previous?.lastGoodAt ?? null),
      checkedAt: at,
      failed: false,
      nextCheckAt,
      upm: attempt.upm,
    };
  }

  private afterFailure(previous: LicenseState | undefined, key: LicenseKey, at: number): LicenseState {
    let nextCheckAt = at + 1000 * this.policy.badTtlSeconds;
    const graceUntil = this.graceUntil(previous);
    // The answer changes when the grace period ends, so its reuse must end then too.
    if (graceUntil !== undefined && graceUntil > at) nextCheckAt = Math.min(nextCheckAt, graceUntil);
    return {
      tenantId: key.tenantId,
      instanceId: key.instanceId,
      decision: previous?.decision ?? null,
      decidedAt: previous?.decidedAt ?? null,
      lastGoodAt: previous?.lastGoodAt ?? null,
      checkedAt: at,
      failed: true,
      nextCheckAt,
      upm: previous?.upm ?? null,
    };
  }

  /** The end of the period in which the last decision Jira gave stands in for it. */
  private graceUntil(state: LicenseState | undefined): number | undefined {
    if (!state?.decision || state.decidedAt === null) return undefined;
    return state.decidedAt + 1000 * this.policy.graceSeconds;
  }

  /**
   * The answer a state stands for. After a failed attempt, within the grace period of the
   * last decision Jira gave: a licensed one is served as `grace`, a not-licensed one as it
   * was (an outage does not make an expired license valid). Past it, or with no decision
   * ever, `unknown`.
   */
  private answerFrom(state: LicenseState, fresh: 'live' | 'cache'): LicenseCheck {
    const reuseUntil = state.nextCheckAt;
    const { decision, decidedAt } = state;
    if (decision && decidedAt !== null) {
      if (!state.failed) return freeze({ ...decision, source: fresh, checkedAt: iso(decidedAt) }, reuseUntil);
      const graceUntil = decidedAt + 1000 * this.policy.graceSeconds;
      if (state.checkedAt < graceUntil) {
        if (decision.licensed)
          return freeze({ ...decision, source: 'grace', checkedAt: iso(decidedAt), graceUntil: iso(graceUntil) }, reuseUntil);
        return freeze({ ...decision, source: 'cache', checkedAt: iso(decidedAt) }, reuseUntil);
      }
    }
    const unknown = unknownDecision(this.policy.unknownPolicy === 'allow');
    return freeze({ ...unknown, source: fresh, checkedAt: iso(state.checkedAt) }, reuseUntil);
  }

  private remember(key: string, check: LicenseCheck): LicenseCheck {
    this.front.set(key, check, check.reuseUntil - this.clock.now());
    return check;
  }
}

function frontKey(key: LicenseKey): string {
  // Tenant ids are GUIDs and carry no newline, so the pair cannot collide with another.
  return `${key.tenantId}\n${key.instanceId}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function freeze(answer: LicenseAnswer, reuseUntil: number): LicenseCheck {
  return Object.freeze({ answer: Object.freeze(answer), reuseUntil });
}
