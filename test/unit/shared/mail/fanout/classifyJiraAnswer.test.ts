import { classifyJiraAnswer, DEFAULT_THROTTLE_SECONDS } from '../../../../../shared/mail/fanout/classifyJiraAnswer';

const now = Date.parse('2024-05-01T10:00:00Z');

describe('classifyJiraAnswer', () => {
  it.each<[number, string | undefined, string]>([
    [200, undefined, 'ok'],
    [204, undefined, 'ok'],
    [429, '2', 'throttled'],
    [503, '30', 'throttled'],
    [503, undefined, 'transient'],
    [500, undefined, 'transient'],
    [502, '5', 'transient'],
    [408, undefined, 'transient'],
    [404, undefined, 'gone'],
    [403, undefined, 'forbidden'],
    [401, undefined, 'refused'],
    [302, undefined, 'refused'],
    [400, undefined, 'rejected'],
    [415, undefined, 'rejected'],
  ])('%i (Retry-After %s) is %s', (status, retryAfter, kind) => {
    expect(classifyJiraAnswer(status, retryAfter, now).kind).toBe(kind);
  });

  it('reads the delay as seconds or an HTTP date, with a default', () => {
    expect(classifyJiraAnswer(429, '7', now)).toEqual({ kind: 'throttled', retryAfterSeconds: 7 });
    expect(classifyJiraAnswer(429, 'Wed, 01 May 2024 10:00:42 GMT', now)).toEqual({ kind: 'throttled', retryAfterSeconds: 42 });
    expect(classifyJiraAnswer(429, undefined, now)).toEqual({ kind: 'throttled', retryAfterSeconds: DEFAULT_THROTTLE_SECONDS });
  });
});
