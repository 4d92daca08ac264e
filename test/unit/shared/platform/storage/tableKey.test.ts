import fc from 'fast-check';
import { AppError } from '../../../../../shared/platform/errors/AppError';
import {
  assertKeyLength,
  compositeKey,
  decodeKeyPart,
  encodeKeyPart,
  hashKey,
  KEY_SEPARATOR,
  MAX_KEY_LENGTH,
  splitCompositeKey,
} from '../../../../../shared/platform/storage/tableKey';
import { hasForbiddenKeyCharacter } from './rowAssertions';

/** Full Unicode, biased towards the characters that break keys and our own escape and separator. */
const nasty = fc.constantFrom(
  '/',
  '\\',
  '#',
  '?',
  '+',
  '=',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u009f',
  '.',
  '~',
  '%',
  "'",
  ' ',
  'é',
  '€',
  '😀',
  'A',
  '-',
  '_',
);
const anyId = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: nasty }),
  fc.string({ unit: fc.oneof(nasty, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) }),
);

const expectKeyError = (run: () => unknown, detail?: string) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('storage_key_invalid');
    if (detail !== undefined) expect((error as AppError).detail).toBe(detail);
    return;
  }
  throw new Error('expected storage_key_invalid');
};

describe('encodeKeyPart', () => {
  it('is checked against every character Table Storage refuses', () => {
    for (const char of ['/', '\\', '#', '?', '\u0000', '\u001f', '\u007f', '\u009f'])
      expect(hasForbiddenKeyCharacter(`a${char}b`)).toBe(true);
    for (const char of ['+', '=', '~', '.', '\u00a0', '😀']) expect(hasForbiddenKeyCharacter(`a${char}b`)).toBe(false);
  });

  it('never yields a character Table Storage forbids, nor the separator, and round-trips', () => {
    fc.assert(
      fc.property(anyId, (id) => {
        const encoded = encodeKeyPart(id);
        expect(hasForbiddenKeyCharacter(encoded)).toBe(false);
        expect(encoded).not.toContain(KEY_SEPARATOR);
        expect(encoded).toMatch(/^[A-Za-z0-9_~-]*$/);
        expect(decodeKeyPart(encoded)).toBe(id);
      }),
      { numRuns: 2000 },
    );
  });

  it('is injective: different ids never share a key', () => {
    fc.assert(
      fc.property(anyId, anyId, (a, b) => {
        fc.pre(a !== b);
        expect(encodeKeyPart(a)).not.toBe(encodeKeyPart(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps GUIDs and simple ids readable and escapes Graph id characters', () => {
    expect(encodeKeyPart('72f988bf-86f1-41af-91ab-2d7cd011db47')).toBe('72f988bf-86f1-41af-91ab-2d7cd011db47');
    expect(encodeKeyPart('DEMO-1')).toBe('DEMO-1');
    expect(encodeKeyPart('AAMk/AG+Q=')).toBe('AAMk~2FAG~2BQ~3D');
    expect(encodeKeyPart('a.b~c')).toBe('a~2Eb~7Ec');
    expect(encodeKeyPart('')).toBe('');
  });

  it('refuses text with a lone surrogate, which UTF-8 cannot carry', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string(), (before, unit, after) => {
        fc.pre(!/[\ud800-\udbff]$/.test(before) && !/^[\udc00-\udfff]/.test(after));
        expectKeyError(() => encodeKeyPart(before + String.fromCharCode(unit) + after), 'the identifier is not well-formed Unicode');
      }),
    );
  });
});

describe('decodeKeyPart', () => {
  it('refuses what encodeKeyPart cannot have produced', () => {
    for (const text of ['a/b', 'a.b', '~', '~4', '~zz', '~2e', '~41', '~FF', '~C3', 'a b', 'é', 'Ā', '😀', '~00~', 'A~'])
      expectKeyError(() => decodeKeyPart(text), 'not an encoded key part');
  });

  it('refuses byte sequences that are not UTF-8, and decodes those that are', () => {
    // Overlong NUL, a UTF-16 surrogate written as UTF-8 (CESU-8), past U+10FFFF, a lone continuation byte, a cut sequence.
    for (const text of ['~C0~80', '~ED~A0~80', '~F4~90~80~80', '~80', '~E2~82'])
      expectKeyError(() => decodeKeyPart(text), 'not an encoded key part');
    expect(decodeKeyPart('~E2~82~AC')).toBe('€');
    expect(decodeKeyPart('~EF~BF~BD')).toBe('\ufffd');
    expect(decodeKeyPart('~F0~9F~98~80-1')).toBe('😀-1');
  });
});

describe('compositeKey', () => {
  const parts = fc.array(anyId, { minLength: 1, maxLength: 4 });

  it('joins parts into a table-safe key that splits back into the same parts', () => {
    fc.assert(
      fc.property(parts, ([first, ...rest]) => {
        const key = compositeKey(first!, ...rest);
        expect(hasForbiddenKeyCharacter(key)).toBe(false);
        expect(splitCompositeKey(key)).toEqual([first, ...rest]);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives different keys for different part lists', () => {
    fc.assert(
      fc.property(parts, parts, (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        expect(compositeKey(a[0]!, ...a.slice(1))).not.toBe(compositeKey(b[0]!, ...b.slice(1)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('hashKey', () => {
  it('is 43 table-safe characters, the same for the same text and kept as it is by encodeKeyPart', () => {
    fc.assert(
      fc.property(anyId, (text) => {
        const hash = hashKey(text);
        expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(hashKey(text)).toBe(hash);
        expect(encodeKeyPart(hash)).toBe(hash);
      }),
    );
    expect(hashKey('a')).not.toBe(hashKey('b'));
    // A known vector, so the hash cannot silently change between releases (keys would be lost).
    expect(hashKey('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });
});

describe('assertKeyLength', () => {
  it('accepts 1 KiB and refuses more', () => {
    expect(assertKeyLength('a'.repeat(MAX_KEY_LENGTH))).toHaveLength(MAX_KEY_LENGTH);
    expectKeyError(
      () => assertKeyLength('a'.repeat(MAX_KEY_LENGTH + 1)),
      'the identifier is too long to store (key of 1025 characters, at most 1024)',
    );
  });
});
