import fc from 'fast-check';
import { parseFormPairs } from '../../../../shared/jira/parseFormPairs';

const LONE_SURROGATE = /\p{Cs}/u;

describe('parseFormPairs', () => {
  it('keeps order and duplicates, reads + as space and %XX as UTF-8, keeps = inside values', () => {
    expect(parseFormPairs('a=1&b=x+y&a=2&c=%C3%B6%20%2B&d&e=&jql=project=DEMO&&')).toEqual([
      ['a', '1'],
      ['b', 'x y'],
      ['a', '2'],
      ['c', 'ö +'],
      ['d', ''],
      ['e', ''],
      ['jql', 'project=DEMO'],
    ]);
    expect(parseFormPairs('')).toEqual([]);
  });

  it.each(['a=%', 'a=%4', 'a=%zz', 'a=%FF', 'a=%C3', '%E0%A4%A=1'])('refuses %j', (text) => {
    expect(parseFormPairs(text)).toBeUndefined();
  });

  it('reads back what URLSearchParams writes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.string())), (pairs) => {
        const wellFormed = pairs.filter(([n, v]) => !LONE_SURROGATE.test(n) && !LONE_SURROGATE.test(v) && n !== '');
        const text = new URLSearchParams(wellFormed).toString();
        expect(parseFormPairs(text)).toEqual(wellFormed);
      }),
    );
  });
});
