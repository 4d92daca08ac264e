import { JiraBearerTokens } from '../../../../shared/jira/JiraBearerTokens';
import type { LoadedInstance } from '../../../../shared/jira/InstanceService';
import type { StoredGrant } from '../../../../shared/jira/JiraTokenStore';
import type { OAuth2Grant, OAuth2TokenAnswer } from '../../../../shared/jira/OAuth2TokenClient';

/**
 * The refresh rules with an injected clock: fresh tokens are used as they are, a token in
 * the margin is refreshed once however many requests wait for it, a lost race (ETag or a
 * rotated refresh token) ends with the winner's grant, and a refused refresh drops the grant.
 */
describe('JiraBearerTokens', () => {
  const HOUR = 3600_000;
  let now: number;
  /** The table row: what every process reads. */
  let row: StoredGrant | undefined;
  let etagCounter: number;
  let refreshCalls: string[];
  let answer: () => Promise<OAuth2TokenAnswer>;
  let dropped: OAuth2Grant[];
  /** Runs once when a refresh reaches "Jira": what another process does meanwhile. */
  let meanwhile: (() => void) | undefined;
  /** This process's cache, when it differs from the table. */
  let cached: OAuth2Grant | undefined;

  const instance = {
    entity: { tenantId: 't', instanceId: 'demo', baseUrl: 'https://jira.example', oauth2ClientId: 'c', encryptedOAuth2ClientSecret: 's' },
  } as unknown as LoadedInstance;
  const grant = (name: string, expiresAt: number): OAuth2Grant => ({
    accessToken: `access-${name}`,
    refreshToken: `refresh-${name}`,
    expiresAt,
  });
  const store = (value: OAuth2Grant) => {
    etagCounter += 1;
    row = { grant: value, etag: `etag-${etagCounter}` };
  };

  function bearers(): JiraBearerTokens {
    return new JiraBearerTokens({
      clock: { now: () => now },
      refreshMarginMs: 60_000,
      loserPollMs: 1,
      loserPolls: 3,
      sleep: () => Promise.resolve(),
      instances: { callbackUrl: 'https://app.example/api/jira/oauth/callback', oauth2Client: () => ({ clientId: 'c', clientSecret: 's' }) },
      tokens: {
        getGrant: async () => cached ?? row?.grant,
        readGrant: async () => row,
        replaceGrant: async (_t, _u, _i, value, etag) => {
          if (row?.etag !== etag) return false;
          store(value);
          return true;
        },
        dropRejectedGrant: async (_t, _u, _i, rejected) => {
          dropped.push(rejected);
          if (row?.grant.refreshToken === rejected.refreshToken) row = undefined;
        },
      },
      tokenClient: {
        refresh: async (input) => {
          refreshCalls.push(input.refreshToken);
          expect(input.redirectUri).toBe('https://app.example/api/jira/oauth/callback');
          const other = meanwhile;
          meanwhile = undefined;
          other?.();
          return answer();
        },
      },
    });
  }

  beforeEach(() => {
    now = 1_000_000;
    etagCounter = 0;
    refreshCalls = [];
    dropped = [];
    meanwhile = undefined;
    cached = undefined;
    store(grant('1', now + 2 * HOUR));
    answer = async () => ({ kind: 'granted', grant: grant('2', now + 2 * HOUR) });
  });

  it('uses a token outside the margin as it is', async () => {
    now += 2 * HOUR - 61_000;
    expect((await bearers().current('t', 'u', instance))?.accessToken).toBe('access-1');
    expect(refreshCalls).toEqual([]);
  });

  it('refreshes inside the margin, once for many waiting requests, and stores the rotated refresh token', async () => {
    now += 2 * HOUR - 59_000;
    const tokens = bearers();
    const grants = await Promise.all(Array.from({ length: 5 }, () => tokens.current('t', 'u', instance)));
    expect(grants.map((value) => value?.accessToken)).toEqual(Array(5).fill('access-2'));
    expect(refreshCalls).toEqual(['refresh-1']);
    expect(row?.grant.refreshToken).toBe('refresh-2');
  });

  it('uses what another process stored since this one cached, without refreshing', async () => {
    now += 2 * HOUR;
    cached = row!.grant;
    store(grant('other', now + 2 * HOUR));
    expect((await bearers().current('t', 'u', instance))?.accessToken).toBe('access-other');
    expect(refreshCalls).toEqual([]);
  });

  it('loses the ETag race (another process stored first): answers the stored grant', async () => {
    now += 2 * HOUR;
    meanwhile = () => store(grant('winner', now + 2 * HOUR));
    expect((await bearers().current('t', 'u', instance))?.accessToken).toBe('access-winner');
    expect(row?.grant.accessToken).toBe('access-winner');
  });

  it('a refresh refused because the winner rotated the token first: the winner stores meanwhile, its grant is used, nothing dropped', async () => {
    now += 2 * HOUR;
    meanwhile = () => store(grant('winner', now + 2 * HOUR));
    answer = async () => ({ kind: 'refused', error: 'invalid_grant' });
    expect((await bearers().current('t', 'u', instance))?.accessToken).toBe('access-winner');
    expect(dropped).toEqual([]);
  });

  it('a refresh refused for good: the grant is dropped and the user must authorize', async () => {
    now += 2 * HOUR;
    answer = async () => ({ kind: 'refused', error: 'invalid_grant' });
    expect(await bearers().current('t', 'u', instance)).toBeUndefined();
    expect(dropped.map((value) => value.refreshToken)).toEqual(['refresh-1']);
    expect(row).toBeUndefined();
  });

  it('renews a refused access token before its expiry, once, unless the stored grant is already another', async () => {
    const tokens = bearers();
    const refused = row!.grant;
    const renewed = await Promise.all([tokens.renew('t', 'u', instance, refused), tokens.renew('t', 'u', instance, refused)]);
    expect(renewed.map((value) => value?.accessToken)).toEqual(['access-2', 'access-2']);
    expect(refreshCalls).toEqual(['refresh-1']);
    // A later refusal of the old token (another request in flight) finds the new grant stored.
    expect((await tokens.renew('t', 'u', instance, refused))?.accessToken).toBe('access-2');
    expect(refreshCalls).toEqual(['refresh-1']);
  });
});
