/**
 * Headers of every HTML answer of the panel. No inline script or style: the page's only
 * script and style sheet come from the app itself; data is fetched from the app only.
 * `frameAncestors` is the instance's own origin when Jira frames the page, `'none'`
 * otherwise. The URL carries a token, so no Referer leaves the page.
 */
export function panelSecurityHeaders(frameAncestors: string): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': csp,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    ...(frameAncestors === "'none'" ? { 'X-Frame-Options': 'DENY' } : {}),
  };
}

/**
 * The CSP source of a Jira base URL: its origin (`https://jira.example.com`, port kept).
 * Anything but http(s) yields `'none'`: a page nobody may frame is the safe answer.
 */
export function frameAncestorOf(baseUrl: string): string {
  if (!URL.canParse(baseUrl)) return "'none'";
  const url = new URL(baseUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return "'none'";
  return url.origin;
}
