import { escapeHtml } from '../platform/text';

/**
 * The page shown instead of the panel when the request is refused: a title and a hint,
 * nothing about which check failed (that is for the log).
 */
export function renderErrorPage(init: { status: number; title: string; hint: string }): string {
  const e = escapeHtml;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<title>${e(String(init.status))} · ${e(init.title)}</title>
</head>
<body>
<h1>${e(init.title)}</h1>
<p>${e(init.hint)}</p>
</body>
</html>
`;
}
