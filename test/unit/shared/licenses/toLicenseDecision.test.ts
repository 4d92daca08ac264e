import fc from 'fast-check';
import { toLicenseDecision } from '../../../../shared/licenses/toLicenseDecision';

const NOW = Date.parse('2030-01-15T12:00:00.000Z');
const DAY = 86_400_000;

/** A license representation as UPM serialises it (dates as epoch ms). */
function upm(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    links: { self: '/rest/plugins/1.0/com.example.app-key/license' },
    pluginKey: 'com.example.app',
    valid: true,
    evaluation: false,
    nearlyExpired: false,
    maximumNumberOfUsers: 50,
    maintenanceExpiryDate: NOW + 200 * DAY,
    licenseType: 'COMMERCIAL',
    dataCenter: true,
    active: true,
    rawLicense: 'AAAB',
    ...fields,
  };
}

describe('toLicenseDecision', () => {
  it('maps a valid commercial license to active, without an expiry (maintenance is not expiry)', () => {
    expect(toLicenseDecision(upm({}), NOW)).toEqual({ licensed: true, status: 'active', evaluation: false, expiresAt: null, maxUsers: 50 });
  });

  it('maps a valid evaluation license to evaluation with its expiry date', () => {
    const expiry = NOW + 10 * DAY;
    expect(toLicenseDecision(upm({ evaluation: true, expiryDate: expiry, licenseType: 'EVALUATION' }), NOW)).toEqual({
      licensed: true,
      status: 'evaluation',
      evaluation: true,
      expiresAt: new Date(expiry).toISOString(),
      maxUsers: 50,
    });
  });

  it('maps the EXPIRED error to expired and not licensed', () => {
    const expiry = NOW - DAY;
    expect(toLicenseDecision(upm({ valid: false, error: 'EXPIRED', evaluation: true, expiryDate: expiry }), NOW)).toEqual({
      licensed: false,
      status: 'expired',
      evaluation: true,
      expiresAt: new Date(expiry).toISOString(),
      maxUsers: 50,
    });
  });

  it('treats a license past its expiry date as expired even when UPM still says valid', () => {
    expect(toLicenseDecision(upm({ evaluation: true, expiryDate: NOW - 1 }), NOW)).toMatchObject({ licensed: false, status: 'expired' });
    expect(toLicenseDecision(upm({ evaluation: true, expiryDate: NOW + 1 }), NOW)).toMatchObject({ licensed: true, status: 'evaluation' });
  });

  it.each(['USER_MISMATCH', 'ROLE_EXCEEDED'])('maps %s to user_mismatch', (error) => {
    expect(toLicenseDecision(upm({ valid: false, error }), NOW)).toMatchObject({ licensed: false, status: 'user_mismatch', maxUsers: 50 });
  });

  it.each(['ROLE_UNDEFINED', 'EDITION_MISMATCH', 'TYPE_MISMATCH', 'VERSION_MISMATCH', 'SOMETHING_NEW'])('maps %s to invalid', (error) => {
    expect(toLicenseDecision(upm({ valid: false, error }), NOW)).toMatchObject({ licensed: false, status: 'invalid' });
  });

  it('lets an error win over valid: true', () => {
    expect(toLicenseDecision(upm({ valid: true, error: 'USER_MISMATCH' }), NOW)).toMatchObject({
      licensed: false,
      status: 'user_mismatch',
    });
  });

  it('maps valid: false without an error to invalid', () => {
    expect(toLicenseDecision(upm({ valid: false }), NOW)).toMatchObject({ licensed: false, status: 'invalid' });
  });

  it('reads an unlimited tier (-1 or absent) as maxUsers null', () => {
    expect(toLicenseDecision(upm({ maximumNumberOfUsers: -1 }), NOW).maxUsers).toBeNull();
    expect(toLicenseDecision(upm({ maximumNumberOfUsers: null }), NOW).maxUsers).toBeNull();
  });

  it('accepts an ISO expiry date as well as epoch milliseconds', () => {
    const expiry = new Date(NOW + DAY).toISOString();
    expect(toLicenseDecision(upm({ evaluation: true, expiryDate: expiry }), NOW)).toMatchObject({
      status: 'evaluation',
      expiresAt: expiry,
    });
  });

  it('maps the representation UPM gives with no license installed to unlicensed', () => {
    const none = { links: { self: '/rest/plugins/1.0/com.example.app-key/license' }, pluginKey: 'com.example.app' };
    expect(toLicenseDecision(none, NOW)).toEqual({
      licensed: false,
      status: 'unlicensed',
      evaluation: false,
      expiresAt: null,
      maxUsers: null,
    });
    expect(toLicenseDecision({ ...none, valid: null, rawLicense: null, error: null }, NOW)).toMatchObject({ status: 'unlicensed' });
  });

  it.each([
    ['a string', 'not json'],
    ['null', null],
    ['an array', [upm({})]],
    ['a number', 42],
    ['valid as text', upm({ valid: 'true' })],
    ['users as text', upm({ maximumNumberOfUsers: '50' })],
    ['an unparseable date', upm({ expiryDate: 'soon' })],
    ['a date out of range', upm({ expiryDate: 1e300 })],
    ['a license without a verdict', upm({ valid: undefined })],
  ])('maps a malformed answer (%s) to unknown, not licensed', (_name, body) => {
    expect(toLicenseDecision(body, NOW)).toEqual({
      licensed: false,
      status: 'unknown',
      evaluation: false,
      expiresAt: null,
      maxUsers: null,
    });
  });

  it('never throws and always yields a status from the contract, whatever the body', () => {
    const statuses = ['active', 'evaluation', 'expired', 'user_mismatch', 'invalid', 'unlicensed', 'unknown'];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record(
            {
              valid: fc.anything(),
              error: fc.anything(),
              expiryDate: fc.anything(),
              maximumNumberOfUsers: fc.anything(),
              evaluation: fc.anything(),
            },
            { requiredKeys: [] },
          ),
        ),
        (body) => {
          const decision = toLicenseDecision(body, NOW);
          expect(statuses).toContain(decision.status);
          expect(decision.licensed).toBe(decision.status === 'active' || decision.status === 'evaluation');
        },
      ),
    );
  });
});

describe('toLicenseDecision at its edges', () => {
  it('decides on a license UPM describes by its verdict alone, without the raw license', () => {
    expect(toLicenseDecision(upm({ rawLicense: undefined }), NOW)).toMatchObject({ licensed: true, status: 'active' });
    expect(toLicenseDecision(upm({ rawLicense: undefined, valid: undefined, error: 'EXPIRED' }), NOW)).toMatchObject({
      licensed: false,
      status: 'expired',
    });
    // An error without a `valid` verdict is still UPM's verdict: not unknown.
    expect(toLicenseDecision(upm({ valid: null, error: 'USER_MISMATCH' }), NOW)).toMatchObject({
      licensed: false,
      status: 'user_mismatch',
    });
  });

  it('expires at the very millisecond of the expiry date, and a null expiry date never expires', () => {
    expect(toLicenseDecision(upm({ evaluation: true, expiryDate: NOW }), NOW)).toMatchObject({ licensed: false, status: 'expired' });
    expect(toLicenseDecision(upm({ evaluation: true, expiryDate: NOW + 1 }), NOW)).toMatchObject({ licensed: true, status: 'evaluation' });
    expect(toLicenseDecision(upm({ expiryDate: null }), NOW)).toMatchObject({ licensed: true, status: 'active', expiresAt: null });
  });

  it('reads no user limit from 0 or a negative count, and no evaluation from a missing flag', () => {
    expect(toLicenseDecision(upm({ maximumNumberOfUsers: 0 }), NOW).maxUsers).toBeNull();
    expect(toLicenseDecision(upm({ maximumNumberOfUsers: -1 }), NOW).maxUsers).toBeNull();
    expect(toLicenseDecision(upm({ maximumNumberOfUsers: 1 }), NOW).maxUsers).toBe(1);
    expect(toLicenseDecision(upm({ evaluation: undefined }), NOW)).toMatchObject({ status: 'active', evaluation: false });
  });
});
