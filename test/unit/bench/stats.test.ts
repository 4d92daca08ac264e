import { quantile, summarize } from '../../../bench/stats';

describe('summarize', () => {
  it('summarises more samples than fit on the stack as arguments (the proxy rows failed on 10 s of fast direct calls)', () => {
    const samples = Array.from({ length: 500_000 }, (_, index) => (index % 1000) / 100);
    const summary = summarize(samples);
    expect(summary.max).toBe(9.99);
    expect(summary.p50).toBeCloseTo(4.99, 5);
    expect(summary.p99).toBeCloseTo(9.89, 5);
    expect(summary.mean).toBeCloseTo(4.995, 5);
  });

  it('sorts numerically, not as text', () => {
    expect(summarize([10, 9, 100, 2]).max).toBe(100);
    expect(quantile([10, 9, 100, 2], 0.5)).toBe(9);
  });

  it('gives NaN for no samples', () => {
    expect(summarize([]).p99).toBeNaN();
    expect(summarize([]).max).toBeNaN();
  });
});
