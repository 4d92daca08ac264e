import fc from 'fast-check';
import { clientStateMatches, hashClientState, newClientState } from '../../../../../shared/mail/webhooks/clientState';

describe('clientState hash and comparison', () => {
  test('the stored hash is not the state, and matches exactly the state it was made from', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 128 }), fc.string({ minLength: 1, maxLength: 128 }), (state, other) => {
        const stored = hashClientState(state);
        expect(stored).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(clientStateMatches(state, stored)).toBe(true);
        expect(clientStateMatches(other, stored)).toBe(other === state);
      }),
    );
  });

  test('missing, empty or null states and malformed stored hashes never match', () => {
    const stored = hashClientState('s');
    expect(clientStateMatches(undefined, stored)).toBe(false);
    expect(clientStateMatches(null, stored)).toBe(false);
    expect(clientStateMatches('', hashClientState(''))).toBe(false);
    expect(clientStateMatches('s', 'not-a-hash')).toBe(false);
  });

  test('the stored hash presented as the clientState is refused: a read of the table forges nothing', () => {
    const state = newClientState();
    const stored = hashClientState(state);
    expect(clientStateMatches(stored, stored)).toBe(false);
    expect(clientStateMatches(state, stored)).toBe(true);
  });

  test('a new clientState is 256 random bits in base64url, different every time', () => {
    const states = Array.from({ length: 100 }, () => newClientState());
    for (const state of states) expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(states).size).toBe(states.length);
  });
});
