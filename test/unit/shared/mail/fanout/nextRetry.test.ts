import fc from 'fast-check';
import { defaultRetryPolicy, nextRetry, type RetryPolicy } from '../../../../../shared/mail/fanout/nextRetry';

const policy: RetryPolicy = { ...defaultRetryPolicy, maxDelaySeconds: 600 };
const none = { throttled: 0, failed: 0 };

describe('nextRetry', () => {
  it('honours Retry-After with a second of margin, without counting a failure', () => {
    expect(nextRetry({ kind: 'throttled', retryAfterSeconds: 2 }, none, policy)).toEqual({
      action: 'requeue',
      delaySeconds: 3,
      retry: { throttled: 1, failed: 0 },
    });
  });

  it('bounds a throttle delay by the maximum', () => {
    expect(nextRetry({ kind: 'throttled', retryAfterSeconds: 3600 }, none, policy)).toMatchObject({ action: 'requeue', delaySeconds: 600 });
  });

  it('backs off exponentially with jitter for failures, then hands over to the host', () => {
    expect(nextRetry({ kind: 'failed' }, none, policy, () => 0)).toEqual({
      action: 'requeue',
      delaySeconds: 8,
      retry: { throttled: 0, failed: 1 },
    });
    expect(nextRetry({ kind: 'failed' }, { throttled: 3, failed: 2 }, policy, () => 1)).toEqual({
      action: 'requeue',
      delaySeconds: 60,
      retry: { throttled: 3, failed: 3 },
    });
    expect(nextRetry({ kind: 'failed' }, { throttled: 0, failed: policy.maxFailureRequeues }, policy)).toEqual({ action: 'throw' });
    expect(nextRetry({ kind: 'throttled', retryAfterSeconds: 1 }, { throttled: policy.maxThrottledRequeues, failed: 0 }, policy)).toEqual({
      action: 'throw',
    });
  });

  it('never waits less than Retry-After (when allowed) nor longer than the maximum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 3600 }),
        fc.integer({ min: 0, max: 10 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (retryAfter, max, failed, random) => {
          const bounded = { ...policy, maxDelaySeconds: max };
          const throttled = nextRetry({ kind: 'throttled', retryAfterSeconds: retryAfter }, none, bounded);
          if (throttled.action !== 'requeue') throw new Error('expected a requeue');
          expect(throttled.delaySeconds).toBeLessThanOrEqual(max);
          expect(throttled.delaySeconds).toBeGreaterThanOrEqual(Math.min(retryAfter + 1, max));
          const failure = nextRetry({ kind: 'failed' }, { throttled: 0, failed }, bounded, () => random);
          if (failure.action === 'requeue') {
            expect(failure.delaySeconds).toBeGreaterThanOrEqual(1);
            expect(failure.delaySeconds).toBeLessThanOrEqual(max);
          } else {
            expect(failed).toBeGreaterThanOrEqual(policy.maxFailureRequeues);
          }
        },
      ),
    );
  });
});
