/**
 * Reads `Retry-After` (delta-seconds or an HTTP date, RFC 9110 §10.2.3) as whole seconds
 * from now; the fallback when it is missing or unreadable.
 */
export function retryAfterSeconds(value: string | null | undefined, now: number, fallback: number): number {
  if (!value) return fallback;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return fallback;
  return Math.max(0, Math.ceil((at - now) / 1000));
}
