import type { LookupAddress } from 'node:dns';
import {
  createGuardedLookup,
  ForbiddenTargetError,
  guardedLookup,
  type ResolveAll,
} from '../../../../../shared/platform/net/guardedLookup';

/** A resolver that answers a fixed list, as `dns.lookup(…, { all: true })` would. */
function answering(addresses: LookupAddress[]): ResolveAll {
  return (_hostname, options, callback) => {
    expect(options.all).toBe(true);
    callback(null, addresses);
  };
}

type Outcome = { error: unknown; address: unknown; family?: number };

function lookUp(resolve: ResolveAll, all: boolean): Promise<Outcome> {
  const lookup = createGuardedLookup(resolve);
  return new Promise((done) => {
    lookup('jira.example', { all }, (error: unknown, address: unknown, family?: number) => done({ error, address, family }));
  });
}

const PUBLIC_V4 = { address: '93.184.216.34', family: 4 };
const PUBLIC_V6 = { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 };

describe('guardedLookup', () => {
  it.each([true, false])('refuses an answer with only private addresses (all: %s)', async (all) => {
    const outcome = await lookUp(
      answering([
        { address: '127.0.0.1', family: 4 },
        { address: '::1', family: 6 },
      ]),
      all,
    );
    expect(outcome.error).toBeInstanceOf(ForbiddenTargetError);
    // The code is what the outbound client maps to its forbidden-target problem.
    // The name is what a log line shows of the error.
    expect(outcome.error).toMatchObject({
      name: 'ForbiddenTargetError',
      code: 'ERR_FORBIDDEN_TARGET',
      message: 'jira.example resolves to an address that is not allowed',
    });
  });

  it.each([true, false])('refuses an empty answer: no address is no public address (all: %s)', async (all) => {
    const outcome = await lookUp(answering([]), all);
    expect(outcome.error).toBeInstanceOf(ForbiddenTargetError);
  });

  it('the production lookup refuses localhost, which the system resolver answers with loopback', async () => {
    const error = await new Promise((done) => guardedLookup('localhost', { all: true }, (failure: unknown) => done(failure)));
    expect(error).toBeInstanceOf(ForbiddenTargetError);
  });

  it.each([true, false])('refuses a mixed public and private answer whole (all: %s)', async (all) => {
    const outcome = await lookUp(answering([PUBLIC_V4, { address: '169.254.169.254', family: 4 }]), all);
    expect(outcome.error).toBeInstanceOf(ForbiddenTargetError);
  });

  it('hands back exactly the public addresses for all: true', async () => {
    const outcome = await lookUp(answering([PUBLIC_V4, PUBLIC_V6]), true);
    expect(outcome.error).toBeNull();
    expect(outcome.address).toEqual([PUBLIC_V4, PUBLIC_V6]);
  });

  it('hands back the first public address for all: false', async () => {
    const outcome = await lookUp(answering([PUBLIC_V6, PUBLIC_V4]), false);
    expect(outcome).toEqual({ error: null, address: PUBLIC_V6.address, family: 6 });
  });

  it('passes a resolver error through', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND jira.example'), { code: 'ENOTFOUND' });
    const outcome = await lookUp((_hostname, _options, callback) => callback(notFound, []), true);
    expect(outcome.error).toBe(notFound);
  });
});
