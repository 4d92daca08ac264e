import { createLocalJWKSet } from 'jose';
import { ValidationTokenMinter } from '../../../../../dev/sandbox/graph/ValidationTokenMinter';
import { AppError } from '../../../../../shared/platform/errors/AppError';
import { GRAPH_CHANGE_TRACKER_APP_ID, ValidationTokenVerifier } from '../../../../../shared/mail/webhooks/ValidationTokenVerifier';

const APP_ID = 'app-client-id';
const TENANT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const clock = { now: () => Date.now() };

let minter: ValidationTokenMinter;
let stranger: ValidationTokenMinter;
let verifier: ValidationTokenVerifier;

beforeAll(async () => {
  minter = await ValidationTokenMinter.create(clock);
  stranger = await ValidationTokenMinter.create(clock);
  verifier = new ValidationTokenVerifier({
    jwksUrl: 'http://unused.invalid/keys',
    audience: APP_ID,
    issuerTemplate: 'https://sts.windows.net/{tenantId}/',
    clockToleranceSeconds: 0,
    keySet: createLocalJWKSet(minter.keySet()),
  });
});

describe('ValidationTokenVerifier', () => {
  test('a token from Graph for our app vouches for its tenant', async () => {
    const token = await minter.mint({ tenantId: TENANT, audience: APP_ID });
    expect(await verifier.trustedTenants([token])).toEqual({ tenants: new Set([TENANT]), rejected: 0 });
  });

  test.each([
    ['another audience', { audience: 'someone-else' }],
    ['another appid', { appId: '00000000-0000-0000-0000-000000000000' }],
    ['the issuer of another tenant', { issuer: 'https://sts.windows.net/ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee/' }],
    ['an expired token', { expiresInSeconds: -60 }],
  ])('rejects %s', async (_what, change) => {
    const token = await minter.mint({ tenantId: TENANT, audience: APP_ID, ...change });
    expect(await verifier.trustedTenants([token])).toEqual({ tenants: new Set(), rejected: 1 });
  });

  test('rejects a token signed with a key that is not in the key set, and garbage', async () => {
    const forged = await stranger.mint({ tenantId: TENANT, audience: APP_ID });
    expect(await verifier.trustedTenants([forged, 'not.a.jwt'])).toEqual({ tenants: new Set(), rejected: 2 });
  });

  test('one bad token does not discredit another tenant’s good one', async () => {
    const other = '11111111-bbbb-cccc-dddd-eeeeeeeeeeee';
    const good = await minter.mint({ tenantId: other, audience: APP_ID });
    const bad = await minter.mint({ tenantId: TENANT, audience: 'x' });
    expect(await verifier.trustedTenants([good, bad])).toEqual({ tenants: new Set([other]), rejected: 1 });
    expect(GRAPH_CHANGE_TRACKER_APP_ID).toBe('0bf30f3b-4a52-48df-9a82-234910c4a086');
  });

  test('an unreachable key set is service_unavailable (Graph retries), not a rejection', async () => {
    const offline = new ValidationTokenVerifier({
      jwksUrl: 'http://127.0.0.1:1/keys',
      audience: APP_ID,
      issuerTemplate: 'https://sts.windows.net/{tenantId}/',
      jwksTimeoutMs: 500,
    });
    const token = await minter.mint({ tenantId: TENANT, audience: APP_ID });
    const error = await offline.trustedTenants([token]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'service_unavailable', detail: 'the key set for validation tokens could not be read' });
  });

  test('rejects a token whose tenant is empty, though its issuer is built from that empty tenant', async () => {
    const token = await minter.mint({ tenantId: '', audience: APP_ID });
    expect(await verifier.trustedTenants([token])).toEqual({ tenants: new Set(), rejected: 1 });
  });

  test('allows five minutes of clock skew unless told otherwise', async () => {
    const lenient = new ValidationTokenVerifier({
      jwksUrl: 'http://unused.invalid/keys',
      audience: APP_ID,
      issuerTemplate: 'https://sts.windows.net/{tenantId}/',
      keySet: createLocalJWKSet(minter.keySet()),
    });
    const lately = await minter.mint({ tenantId: TENANT, audience: APP_ID, expiresInSeconds: -60 });
    const long = await minter.mint({ tenantId: TENANT, audience: APP_ID, expiresInSeconds: -400 });
    expect(await lenient.trustedTenants([lately, long])).toEqual({ tenants: new Set([TENANT]), rejected: 1 });
  });
});
