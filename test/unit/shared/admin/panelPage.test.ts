import { Script } from 'node:vm';
import { panelAssets } from '../../../../shared/admin/ui/panelAssets';
import { panelScript } from '../../../../shared/admin/ui/panelScript';
import { frameAncestorOf, panelSecurityHeaders } from '../../../../shared/admin/panelSecurityHeaders';
import { renderErrorPage } from '../../../../shared/admin/renderErrorPage';
import { renderPanelPage } from '../../../../shared/admin/renderPanelPage';

describe('the panel page', () => {
  const evil = '"><script>alert(1)</script>';

  it('escapes every value it writes and has no inline script or style', () => {
    const html = renderPanelPage({
      sessionToken: evil,
      assetBase: `/a${evil}`,
      apiBase: `/p${evil}`,
      scriptVersion: evil,
      styleVersion: evil,
    });
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('content="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toMatch(/<script src="[^"]+" defer><\/script>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain('data-mode="panel"');
  });

  it('without a session is the sign-in page', () => {
    const html = renderPanelPage({
      assetBase: '/api/manage/ui/assets',
      apiBase: '/api/manage/panel',
      scriptVersion: 'v',
      styleVersion: 'v',
    });
    expect(html).toContain('data-mode="signin"');
    expect(html).not.toContain('panel-session');
  });

  it('the error page says nothing but its title and hint, escaped', () => {
    const html = renderErrorPage({ status: 401, title: `Not valid ${evil}`, hint: 'Open it again from Jira.' });
    expect(html).not.toContain('<script>');
    expect(html).toContain('<title>401 · Not valid &quot;&gt;&lt;script&gt;');
  });

  it('headers: a CSP without inline anything, framing by one origin or none', () => {
    const headers = panelSecurityHeaders('https://jira.example.com');
    expect(headers['Content-Security-Policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors https://jira.example.com",
    );
    expect(headers['X-Frame-Options']).toBeUndefined();
    expect(panelSecurityHeaders("'none'")['X-Frame-Options']).toBe('DENY');
    expect(frameAncestorOf('https://jira.example.com:8443/jira')).toBe('https://jira.example.com:8443');
    expect(frameAncestorOf('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(frameAncestorOf('javascript:alert(1)')).toBe("'none'");
    expect(frameAncestorOf('not a url')).toBe("'none'");
  });

  it('panel.js is one self-contained script: it parses, and it writes values as text only', () => {
    expect(() => new Script(panelScript)).not.toThrow();
    expect(panelScript).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    // Compiled module references (imports) would not exist in the browser.
    expect(panelScript).not.toMatch(/\brequire\(|\bexports\b|_interop|_define_property/);
    expect([...panelAssets.keys()].sort()).toEqual(['panel.css', 'panel.js']);
    expect(panelAssets.get('panel.js')?.version).toMatch(/^[\w-]{16}$/);
  });
});
