import {
  ceilingShareTargetProof,
  cpuCeiling,
  cpuTargetProof,
  machineCeiling,
  nginxShareTargetProof,
  signingRateTargetProof,
} from '../../../bench/targetProof';
import { printTable } from '../../../bench/printTable';

describe('cpuCeiling', () => {
  it('divides the cores by the CPU one mail costs the machine: Azurite, the simulators, the signatures', () => {
    // 2 cores ÷ (13 + 6.6 + 1.8 ms) = 93.5 mails/s.
    expect(cpuCeiling(2, [13, 6.6, 1.8])).toBeCloseTo(93.46, 2);
  });

  it('counts an unmeasured part as nothing, which can only raise the ceiling', () => {
    expect(cpuCeiling(2, [undefined, 4])).toBe(500);
  });

  it('has no ceiling when nothing costs anything', () => {
    expect(cpuCeiling(2, [undefined, 0])).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('ceilingShareTargetProof', () => {
  const fanout = { anchor: 'the baseline', unit: 'mails/s', share: 5 };

  it('proves the 5× fan-out target out of reach when the machine cannot do five times the baseline', () => {
    expect(ceilingShareTargetProof({ ...fanout, ceiling: 93.5, anchorRate: 30.5 })).toBe(
      'CPU ceiling 94 mails/s = 3.07× the baseline < 5.00×',
    );
  });

  it('proves nothing when the ceiling leaves room for five times the baseline', () => {
    expect(ceilingShareTargetProof({ ...fanout, ceiling: 160, anchorRate: 30.5 })).toBeUndefined();
  });

  it('proves nothing when the ceiling is exactly the target', () => {
    expect(ceilingShareTargetProof({ ...fanout, ceiling: 150, anchorRate: 30 })).toBeUndefined();
  });
});

describe('machineCeiling', () => {
  it('divides the cores by the CPU one request costs every process on the machine', () => {
    // 2 cores ÷ (0.3 + 0.5 + 0.1 + 0.6 ms) = 2 ÷ 1.5 ms.
    expect(machineCeiling(2, { loadGenerator: 0.3, jira: 0.5, azurite: 0.1, appMinimum: 0.6 })).toBeCloseTo(1333.33, 1);
  });

  it('counts a missing Azurite as nothing, not as a failure', () => {
    expect(machineCeiling(2, { loadGenerator: 0.5, jira: 0.5, azurite: undefined, appMinimum: 1 })).toBe(1000);
  });
});

describe('cpuTargetProof', () => {
  it('proves the 1.15× target out of reach when the floor alone costs more than 0.15 of a signature', () => {
    expect(cpuTargetProof({ floorMicros: 120, signatureMicros: 300, ratio: 1.15 })).toBe(
      'Node relay floor 120 µs = 0.40× a signature > the 0.15× left besides it',
    );
  });

  it('proves nothing when a Node app could still fit under the target', () => {
    expect(cpuTargetProof({ floorMicros: 40, signatureMicros: 300, ratio: 1.15 })).toBeUndefined();
  });
});

describe('signingRateTargetProof', () => {
  it('proves the req/s target out of reach when the machine ceiling is under 0.8× the signing rate', () => {
    expect(signingRateTargetProof({ ceiling: 1500, signingRate: 4000, share: 0.8 })).toBe(
      'CPU ceiling 1,500 req/s = 0.38× signing rate < 0.80×',
    );
  });

  it('proves nothing when the ceiling leaves room for the target', () => {
    expect(signingRateTargetProof({ ceiling: 3300, signingRate: 4000, share: 0.8 })).toBeUndefined();
  });
});

describe('nginxShareTargetProof', () => {
  it('proves the OAuth 2.0 target out of reach when the floor relay is under half of nginx', () => {
    expect(nginxShareTargetProof({ floor: 'Node relay floor', floorRate: 4000, nginxRate: 10_000, share: 0.5 })).toBe(
      'Node relay floor 4,000 req/s = 0.40× nginx < 0.50×',
    );
  });

  it('proves nothing when the floor reaches half of nginx: the gap is then the app’s', () => {
    expect(nginxShareTargetProof({ floor: 'Node relay floor', floorRate: 6000, nginxRate: 10_000, share: 0.5 })).toBeUndefined();
  });

  it('names the floor that proves it: a relay through the Functions host', () => {
    expect(nginxShareTargetProof({ floor: 'host relay floor', floorRate: 3500, nginxRate: 10_000, share: 0.5 })).toBe(
      'host relay floor 3,500 req/s = 0.35× nginx < 0.50×',
    );
  });

  it('proves nothing without nginx', () => {
    expect(nginxShareTargetProof({ floor: 'Node relay floor', floorRate: 10, nginxRate: undefined, share: 0.5 })).toBeUndefined();
  });
});

describe('printTable verdicts', () => {
  const row = { name: 'r', figure: 'f', anchor: 'a', ratio: '—', target: 't' };

  it('prints the proof beside a missed target that no implementation could meet here', () => {
    expect(printTable([{ ...row, met: false, unreachable: 'floor 1 µs' }])).toContain('| not reachable on this machine: floor 1 µs |');
  });

  it('prints a plain "not met" when no floor proves it', () => {
    expect(printTable([{ ...row, met: false }])).toMatch(/\| not met +\|$/);
  });

  it('prints "met" even when a proof was computed (the target was met after all)', () => {
    expect(printTable([{ ...row, met: true, unreachable: 'x' }])).toMatch(/\| met +\|$/);
  });
});
