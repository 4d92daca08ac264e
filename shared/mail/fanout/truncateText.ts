/**
 * At most `max` UTF-16 units, cut at a code point boundary and marked with `…`, so no half
 * surrogate pair ends up in a table, a queue message or an e-mail.
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = '';
  for (const char of text) {
    if (kept.length + char.length > max - 1) break;
    kept += char;
  }
  return `${kept}…`;
}
