import { generateKeyPairSync } from 'node:crypto';
import { startAzurite, type RunningAzurite } from '../../../../dev/azurite';
import { newGuid } from '../../../../dev/sandbox/newGuid';
import { AppError } from '../../../../shared/platform/errors/AppError';
import type { LoadedInstance } from '../../../../shared/jira/InstanceService';
import { OAuthSigner } from '../../../../shared/jira/OAuthSigner';
import { LicenseService, type LicensePolicy } from '../../../../shared/licenses/LicenseService';
import { LicenseTableStore } from '../../../../shared/licenses/LicenseTableStore';
import type { UpmLicenseResult, UpmLicenseSource } from '../../../../shared/licenses/UpmLicenseSource';
import type { Clock } from '../../../../shared/platform/clock';
import { LicenseRepository } from '../../../../shared/platform/storage/licenses/LicenseRepository';
import { TableClientFactory } from '../../../../shared/platform/storage/TableClientFactory';
import { tableNames } from '../../../../shared/platform/storage/tableNames';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const policy: LicensePolicy = { ttlSeconds: 3600, badTtlSeconds: 300, graceSeconds: 72 * 3600, unknownPolicy: 'deny' };

const active = { valid: true, evaluation: false, maximumNumberOfUsers: 25, licenseType: 'COMMERCIAL', rawLicense: 'AAAB' };
const expired = { valid: false, error: 'EXPIRED', evaluation: true, expiryDate: Date.parse('2020-01-01T00:00:00Z'), rawLicense: 'AAAB' };

class MovableClock implements Clock {
  constructor(private at: number) {}
  now(): number {
    return this.at;
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

/** Stands in for Jira's UPM: answers what the test says and counts every call. */
class ScriptedUpm implements UpmLicenseSource {
  calls = 0;
  answer: (() => Promise<UpmLicenseResult>) | undefined;

  fetchLicense(): Promise<UpmLicenseResult> {
    this.calls += 1;
    if (!this.answer) return Promise.reject(new AppError({ code: 'upstream_unreachable' }));
    return this.answer();
  }

  license(body: unknown): void {
    this.answer = () => Promise.resolve({ found: true, body });
  }

  notInstalled(): void {
    this.answer = () => Promise.resolve({ found: false });
  }

  down(): void {
    this.answer = undefined;
  }
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('LicenseService (licenses table in Azurite)', () => {
  let azurite: RunningAzurite;
  let repository: LicenseRepository;

  beforeAll(async () => {
    azurite = await startAzurite();
    const tables = new TableClientFactory({ target: { kind: 'connectionString', connectionString: azurite.connectionString } });
    await tables.get(tableNames.licenses).createTable();
    repository = new LicenseRepository({ client: tables.get(tableNames.licenses) });
  });

  afterAll(async () => {
    await azurite.stop();
  });

  function setup(overrides: Partial<LicensePolicy> = {}) {
    const clock = new MovableClock(Date.parse('2030-03-01T08:00:00.000Z'));
    const upm = new ScriptedUpm();
    const tenantId = newGuid();
    const instance: LoadedInstance = {
      entity: {
        tenantId,
        instanceId: 'demo',
        baseUrl: 'https://jira.example.test',
        displayName: 'Demo',
        consumerKey: 'consumer',
        publicKeyPem: 'unused',
        encryptedPrivateKey: 'unused',
        appKey: 'com.example.app',
        createdAt: '2030-01-01T00:00:00.000Z',
        updatedAt: '2030-01-01T00:00:00.000Z',
      },
      signer: new OAuthSigner({ consumerKey: 'consumer', privateKey, clock }),
      serviceToken: () => undefined,
    };
    const newService = () =>
      new LicenseService({ store: new LicenseTableStore({ repository }), upm, clock, policy: { ...policy, ...overrides } });
    return { clock, upm, instance, service: newService(), newService };
  }

  it('asks Jira once, then answers from the process cache, and another worker from the table', async () => {
    const { upm, instance, service, newService, clock } = setup();
    upm.license(active);

    const first = await service.check(instance);
    expect(first.answer).toEqual({
      licensed: true,
      status: 'active',
      evaluation: false,
      expiresAt: null,
      maxUsers: 25,
      source: 'live',
      checkedAt: new Date(clock.now()).toISOString(),
    });
    expect(first.reuseUntil).toBe(clock.now() + HOUR);

    clock.advance(10 * MINUTE);
    expect((await service.check(instance)).answer).toMatchObject({ status: 'active', source: 'cache' });
    expect((await newService().check(instance)).answer).toMatchObject({ status: 'active', source: 'cache', maxUsers: 25 });
    expect(upm.calls).toBe(1);

    const row = await repository.get({ tenantId: instance.entity.tenantId, instanceId: 'demo' });
    expect(row?.lastGoodAt).toBe(first.answer.checkedAt);
    expect(row?.decisionJson).not.toContain('AAAB');
  });

  it('checks a good answer again after LICENSE_TTL and a bad one after LICENSE_BAD_TTL', async () => {
    const { upm, instance, service, clock } = setup();
    upm.license(active);
    await service.check(instance);
    clock.advance(HOUR - 1);
    await service.check(instance);
    expect(upm.calls).toBe(1);
    clock.advance(1);
    upm.license(expired);
    const bad = await service.check(instance);
    expect(upm.calls).toBe(2);
    expect(bad.answer).toMatchObject({ licensed: false, status: 'expired', source: 'live' });
    expect(bad.reuseUntil).toBe(clock.now() + 5 * MINUTE);
    clock.advance(5 * MINUTE);
    upm.license(active);
    expect((await service.check(instance)).answer).toMatchObject({ licensed: true, status: 'active', source: 'live' });
    expect(upm.calls).toBe(3);
  });

  it('checks an evaluation license again when it runs out, even before the TTL', async () => {
    const { upm, instance, service, clock } = setup();
    const expiry = clock.now() + 20 * MINUTE;
    upm.license({ ...active, evaluation: true, expiryDate: expiry });
    const check = await service.check(instance);
    expect(check.answer).toMatchObject({ status: 'evaluation', evaluation: true, expiresAt: new Date(expiry).toISOString() });
    expect(check.reuseUntil).toBe(expiry);
  });

  it('maps an app that is not installed to unlicensed', async () => {
    const { upm, instance, service } = setup();
    upm.notInstalled();
    expect((await service.check(instance)).answer).toMatchObject({ licensed: false, status: 'unlicensed', source: 'live' });
  });

  it.each([
    ['allow', true],
    ['deny', false],
  ] as const)('serves the last good decision as grace while Jira is down, then unknown (policy %s)', async (unknownPolicy, licensed) => {
    const { upm, instance, service, newService, clock } = setup({ unknownPolicy });
    upm.license(active);
    const good = await service.check(instance);
    const graceUntil = new Date(clock.now() + 72 * HOUR).toISOString();

    upm.down();
    clock.advance(HOUR);
    const grace = await service.check(instance);
    expect(grace.answer).toEqual({ ...good.answer, source: 'grace', graceUntil });
    // Retried after LICENSE_BAD_TTL, not on every check.
    expect(grace.reuseUntil).toBe(clock.now() + 5 * MINUTE);
    expect((await service.check(instance)).answer.source).toBe('grace');
    expect(upm.calls).toBe(2);

    // Another worker reads the same state from the table.
    expect((await newService().check(instance)).answer).toMatchObject({ source: 'grace', graceUntil });

    clock.advance(71 * HOUR - 1000);
    const last = await service.check(instance);
    expect(last.answer).toMatchObject({ source: 'grace', licensed: true, status: 'active' });
    // The reuse ends with the grace period, so nobody keeps a grace answer past it.
    expect(last.reuseUntil).toBe(Date.parse(graceUntil));

    clock.advance(1000);
    const after = await service.check(instance);
    expect(after.answer).toEqual({
      licensed,
      status: 'unknown',
      evaluation: false,
      expiresAt: null,
      maxUsers: null,
      source: 'live',
      checkedAt: new Date(clock.now()).toISOString(),
    });
    expect((await service.check(instance)).answer).toMatchObject({ status: 'unknown', licensed, source: 'cache' });

    // Jira back: a live answer again, and a new grace period from it.
    clock.advance(5 * MINUTE);
    upm.license(active);
    expect((await service.check(instance)).answer).toMatchObject({ status: 'active', source: 'live' });
  });

  it('keeps serving a bad decision during an outage: an outage does not make an expired license valid', async () => {
    const { upm, instance, service, clock } = setup({ unknownPolicy: 'allow' });
    upm.license(active);
    await service.check(instance);
    clock.advance(HOUR);
    upm.license(expired);
    await service.check(instance);
    clock.advance(5 * MINUTE);
    upm.down();
    expect((await service.check(instance)).answer).toMatchObject({ licensed: false, status: 'expired', source: 'cache' });
  });

  it('answers unknown under the policy for a malformed answer of a never-checked instance', async () => {
    const denied = setup({ unknownPolicy: 'deny' });
    denied.upm.license({ valid: 'yes' });
    expect((await denied.service.check(denied.instance)).answer).toMatchObject({ licensed: false, status: 'unknown', source: 'live' });

    const allowed = setup({ unknownPolicy: 'allow' });
    allowed.upm.license('<html>Log in</html>');
    expect((await allowed.service.check(allowed.instance)).answer).toMatchObject({ licensed: true, status: 'unknown', source: 'live' });
  });

  it('treats a malformed answer after a good one like an outage: grace', async () => {
    const { upm, instance, service, clock } = setup();
    upm.license(active);
    await service.check(instance);
    clock.advance(HOUR);
    upm.license({ valid: 42 });
    expect((await service.check(instance)).answer).toMatchObject({ licensed: true, status: 'active', source: 'grace' });
  });

  it('makes one UPM call for 1,000 concurrent checks of a cold instance', async () => {
    const { upm, instance, service } = setup();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    upm.answer = async () => {
      await held;
      return { found: true, body: active };
    };
    const checks = Array.from({ length: 1000 }, () => service.check(instance));
    release();
    const results = await Promise.all(checks);
    expect(upm.calls).toBe(1);
    expect(new Set(results.map((result) => result.answer.status))).toEqual(new Set(['active']));
  });

  it('checks again when a row holds something it cannot read', async () => {
    const { upm, instance, service, clock } = setup();
    await repository.upsert({
      tenantId: instance.entity.tenantId,
      instanceId: 'demo',
      decisionJson: '{"licensed":true}',
      checkedAt: new Date(clock.now()).toISOString(),
    });
    upm.license(active);
    expect((await service.check(instance)).answer).toMatchObject({ status: 'active', source: 'live' });
    expect(upm.calls).toBe(1);
  });
});
