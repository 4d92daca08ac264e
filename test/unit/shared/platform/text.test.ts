import { escapeHtml, truncateText } from '../../../../shared/platform/text';

describe('escapeHtml', () => {
  it('escapes the characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeHtml('`x`')).toBe('&#96;x&#96;');
    expect(escapeHtml('plain text, ümlaut 😀')).toBe('plain text, ümlaut 😀');
  });
});

describe('truncateText', () => {
  it('keeps text that fits as it is', () => {
    expect(truncateText('', 3)).toBe('');
    expect(truncateText('abc', 3)).toBe('abc');
  });

  it('cuts to at most max units, marked with an ellipsis', () => {
    const cut = truncateText('abcdef', 4);
    expect(cut).toBe('abc…');
    expect(cut.length).toBe(4);
  });

  it('never splits a surrogate pair', () => {
    // '😀' is two UTF-16 units: the third and fourth would be cut through.
    expect(truncateText('ab😀cd', 4)).toBe('ab…');
    expect(truncateText('ab😀cd', 5)).toBe('ab😀…');
  });
});
