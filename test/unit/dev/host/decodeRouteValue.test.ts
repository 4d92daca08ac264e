import { decodeRouteValue } from '../../../../dev/host/decodeRouteValue';

describe('decodeRouteValue', () => {
  it('hands a segment without escapes back as it is', () => {
    expect(decodeRouteValue('rest/api/2/issue/DEMO-1')).toBe('rest/api/2/issue/DEMO-1');
  });

  it('decodes every escape but %2F, which stays as the client sent it (Kestrel)', () => {
    expect(decodeRouteValue('a%20b%2Fc%2fd%C3%A9')).toBe('a b%2Fc%2fdé');
  });

  it('leaves a malformed escape as it was', () => {
    expect(decodeRouteValue('100%.txt')).toBe('100%.txt');
    expect(decodeRouteValue('%E0%A4%A')).toBe('%E0%A4%A');
  });
});
