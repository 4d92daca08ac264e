import { escapeHtml } from '../../../../../shared/mail/fanout/escapeHtml';

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeHtml('plain text, ümlaut 😀')).toBe('plain text, ümlaut 😀');
  });
});
