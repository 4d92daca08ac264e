// The backtick too: old engines took it as an attribute quote, and escaping it costs nothing.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/**
 * Text made safe for HTML element content and quoted attribute values. Every value that
 * comes from outside (a mail's subject, sender, preview or link; a display name; an error
 * text) goes through this before it reaches HTML: a mail is written by anyone on the internet.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (char) => ENTITIES[char] ?? char);
}

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
