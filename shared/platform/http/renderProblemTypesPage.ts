import { errorCodes, type ErrorCode } from '../errors/errorCodes';
import { escapeHtml } from '../text';

/** Where every problem's `type` points: this page, at the code's anchor. */
export const PROBLEM_TYPES_PATH = '/api/problems';

/** A problem type URI that resolves to its documentation (RFC 9457 §3.1.1: "type" SHOULD resolve to human-readable documentation). */
export function problemTypeUri(code: ErrorCode): string {
  return `${PROBLEM_TYPES_PATH}#${code}`;
}

/**
 * The documentation page of every problem type: one section per code, whose `id` is the
 * code, with its HTTP status and meaning, from the same table the answers take them from.
 */
export function renderProblemTypesPage(): string {
  const e = escapeHtml;
  const sections = (Object.entries(errorCodes) as [ErrorCode, { status: number; title: string }][])
    .sort(([a, x], [b, y]) => x.status - y.status || a.localeCompare(b))
    .map(
      ([code, { status, title }]) =>
        `<section id="${e(code)}"><h2><code>${e(code)}</code></h2><p>HTTP ${e(String(status))}: ${e(title)}.</p></section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<title>Problem types · jira-outlook-cloud</title>
</head>
<body>
<h1>Problem types</h1>
<p>Every error of the API is <code>application/problem+json</code> (RFC 9457). Its <code>code</code> is stable; its <code>type</code> points at the section of that code here.</p>
${sections}
</body>
</html>
`;
}
