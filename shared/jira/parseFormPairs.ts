/** One `name=value` pair of a query string or form body, decoded. */
export type FormPair = readonly [name: string, value: string];

const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses `application/x-www-form-urlencoded` text (a query string without `?`, or a form
 * body) into its pairs, in order, duplicates kept. `+` is a space and `%XX` a byte, as
 * RFC 5849 §3.4.1.3.1 and Jira read them. Returns undefined for a `%` that is not followed
 * by two hex digits or bytes that are not UTF-8: Jira would decode those differently than
 * we sign them, so such a request could only fail with `signature_invalid`.
 */
export function parseFormPairs(text: string): FormPair[] | undefined {
  const pairs: FormPair[] = [];
  if (text === '') return pairs;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = decodeComponent(equals === -1 ? part : part.slice(0, equals));
    const value = decodeComponent(equals === -1 ? '' : part.slice(equals + 1));
    if (name === undefined || value === undefined) return undefined;
    pairs.push([name, value]);
  }
  return pairs;
}

function decodeComponent(raw: string): string | undefined {
  const spaced = raw.replace(/\+/g, ' ');
  if (!spaced.includes('%')) return spaced;
  // Every `%` must start a valid escape; the runs of escapes must each be valid UTF-8.
  if (/%(?![0-9A-Fa-f]{2})/.test(spaced)) return undefined;
  let failed = false;
  const decoded = spaced.replace(PERCENT_RUN, (run) => {
    const bytes = Uint8Array.from(run.slice(1).split('%'), (hex) => Number.parseInt(hex, 16));
    try {
      return strictUtf8.decode(bytes);
    } catch {
      failed = true;
      return '';
    }
  });
  return failed ? undefined : decoded;
}
