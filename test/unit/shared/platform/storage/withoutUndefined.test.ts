import { withoutUndefined } from '../../../../../shared/platform/storage/withoutUndefined';

describe('withoutUndefined', () => {
  it('drops only the undefined properties: a falsy value is still a column', () => {
    const at = new Date('2026-12-03T10:00:00.000Z');
    const row = withoutUndefined({ a: 'x', gone: undefined, zero: 0, no: false, empty: '', at });
    expect(row).toEqual({ a: 'x', zero: 0, no: false, empty: '', at });
    expect(Object.keys(row)).toEqual(['a', 'zero', 'no', 'empty', 'at']);
    expect(row.at).toBe(at);
  });
});
