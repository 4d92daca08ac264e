import type { GraphUserLookup } from '../../../../../shared/mail/graph/GraphApi';
import { UserDirectory } from '../../../../../shared/mail/graph/UserDirectory';
import { AppError } from '../../../../../shared/platform/errors/AppError';

const TENANT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const OTHER_TENANT = '12345678-bbbb-cccc-dddd-eeeeeeeeeeee';

/** Graph as the directory sees it: each batch recorded; a user's answer by id, 200 with a name otherwise. */
function fakeGraph(statusOf: (userId: string) => number = () => 200) {
  const batches: { tenantId: string; userIds: string[] }[] = [];
  let failWith: AppError | undefined;
  return {
    batches,
    failNext(error: AppError) {
      failWith = error;
    },
    forTenant(tenantId: string) {
      return {
        getUsers: (userIds: readonly string[]): Promise<GraphUserLookup[]> => {
          batches.push({ tenantId, userIds: [...userIds] });
          if (failWith) {
            const error = failWith;
            failWith = undefined;
            return Promise.reject(error);
          }
          return Promise.resolve(
            userIds.map((userId) => {
              const status = statusOf(userId);
              return status === 200
                ? {
                    userId,
                    status,
                    user: { displayName: `Name of ${userId}`, mail: `${userId}@contoso.test`, userPrincipalName: `${userId}@upn` },
                  }
                : { userId, status };
            }),
          );
        },
      };
    },
  };
}

function clockAt(start: number) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `user-${String(i).padStart(2, '0')}`);

describe('UserDirectory', () => {
  test('asks Graph for 45 ids in three batches of at most 20, and names every one', async () => {
    const graph = fakeGraph();
    const directory = new UserDirectory({ graph, clock: clockAt(0) });
    const names = await directory.resolve(TENANT, ids(45));
    expect(graph.batches.map((batch) => batch.userIds.length)).toEqual([20, 20, 5]);
    expect(new Set(graph.batches.flatMap((batch) => batch.userIds))).toEqual(new Set(ids(45)));
    expect(names.size).toBe(45);
    expect(names.get('user-44')).toEqual({ kind: 'user', displayName: 'Name of user-44', mail: 'user-44@contoso.test' });
  });

  test('asks once for an id repeated on the page', async () => {
    const graph = fakeGraph();
    const directory = new UserDirectory({ graph, clock: clockAt(0) });
    await directory.resolve(TENANT, ['a', 'a', 'b']);
    expect(graph.batches).toEqual([{ tenantId: TENANT, userIds: ['a', 'b'] }]);
  });

  test('a deleted user (404) is deleted; a refused one (403) is left out; neither fails the rest', async () => {
    const graph = fakeGraph((userId) => (userId === 'gone' ? 404 : userId === 'secret' ? 403 : 200));
    const directory = new UserDirectory({ graph, clock: clockAt(0) });
    const names = await directory.resolve(TENANT, ['gone', 'secret', 'alice']);
    expect(names.get('gone')).toEqual({ kind: 'deleted' });
    expect(names.get('secret')).toEqual({ kind: 'hidden' });
    expect(names.get('alice')).toMatchObject({ kind: 'user', displayName: 'Name of alice' });
  });

  test('a cached id makes no call until its hour is over; the cache is per tenant', async () => {
    const graph = fakeGraph();
    const clock = clockAt(1_000_000);
    const directory = new UserDirectory({ graph, clock });
    await directory.resolve(TENANT, ['alice', 'bob']);
    expect(graph.batches).toHaveLength(1);

    clock.advance(59 * 60 * 1000);
    const again = await directory.resolve(TENANT, ['ALICE', 'bob']);
    expect(graph.batches).toHaveLength(1);
    expect(again.get('ALICE')).toMatchObject({ displayName: 'Name of alice' });

    // Another tenant's user of the same id is another person.
    await directory.resolve(OTHER_TENANT, ['alice']);
    expect(graph.batches.at(-1)).toEqual({ tenantId: OTHER_TENANT, userIds: ['alice'] });

    clock.advance(2 * 60 * 1000);
    await directory.resolve(TENANT, ['alice', 'carol']);
    expect(graph.batches.at(-1)).toEqual({ tenantId: TENANT, userIds: ['alice', 'carol'] });
  });

  test('a refusal is asked again after five minutes: consent may have been granted meanwhile', async () => {
    let denied = true;
    const graph = fakeGraph(() => (denied ? 403 : 200));
    const clock = clockAt(0);
    const directory = new UserDirectory({ graph, clock });
    await directory.resolve(TENANT, ['alice']);
    clock.advance(4 * 60 * 1000);
    await directory.resolve(TENANT, ['alice']);
    expect(graph.batches).toHaveLength(1);
    denied = false;
    clock.advance(2 * 60 * 1000);
    expect((await directory.resolve(TENANT, ['alice'])).get('alice')).toMatchObject({ kind: 'user' });
    expect(graph.batches).toHaveLength(2);
  });

  test('a throttled user is not cached, so the next page asks again', async () => {
    let throttled = true;
    const graph = fakeGraph(() => (throttled ? 429 : 200));
    const directory = new UserDirectory({ graph, clock: clockAt(0) });
    expect((await directory.resolve(TENANT, ['alice'])).has('alice')).toBe(false);
    throttled = false;
    expect((await directory.resolve(TENANT, ['alice'])).get('alice')).toMatchObject({ kind: 'user' });
    expect(graph.batches).toHaveLength(2);
  });

  test('a failing batch leaves ids unnamed, reports its code only, and stops asking for that page', async () => {
    const graph = fakeGraph();
    const codes: string[] = [];
    const directory = new UserDirectory({ graph, clock: clockAt(0), onBatchError: (code) => codes.push(code) });
    graph.failNext(new AppError({ code: 'graph_access_denied', detail: 'token refused' }));
    const names = await directory.resolve(TENANT, ids(45));
    expect(names.size).toBe(0);
    expect(graph.batches).toHaveLength(1);
    expect(codes).toEqual(['graph_access_denied']);
    // Nothing was cached: the next page asks again.
    expect((await directory.resolve(TENANT, ['user-00'])).get('user-00')).toMatchObject({ kind: 'user' });
  });

  test('keeps at most maxEntries names', async () => {
    const graph = fakeGraph();
    const directory = new UserDirectory({ graph, clock: clockAt(0), maxEntries: 10 });
    await directory.resolve(TENANT, ids(20));
    await directory.resolve(TENANT, ['user-19']);
    expect(graph.batches).toHaveLength(1);
    // The oldest were evicted.
    await directory.resolve(TENANT, ['user-00']);
    expect(graph.batches.at(-1)?.userIds).toEqual(['user-00']);
  });
});
