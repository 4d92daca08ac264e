import { aadClientIdOf } from '../../../../../shared/platform/telemetry/aadClientIdOf';

describe('aadClientIdOf: which identity sends telemetry', () => {
  it('reads the user-assigned identity the template writes', () => {
    expect(aadClientIdOf('ClientId=7d3c5a1e-0000-4000-8000-000000000001;Authorization=AAD')).toBe('7d3c5a1e-0000-4000-8000-000000000001');
  });
  it('takes Authorization=AAD alone as the default chain, and anything else as local auth', () => {
    expect(aadClientIdOf('Authorization=aad')).toBe('');
    expect(aadClientIdOf('ClientId=abc')).toBeUndefined();
    expect(aadClientIdOf(undefined)).toBeUndefined();
  });
});
