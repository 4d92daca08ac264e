/** A structured record as a log line holds it: the text before its attributes, and the attributes. */
export interface ParsedLogRecord {
  message: string;
  attributes: Record<string, unknown>;
}

/**
 * The record a captured line ends with (`… message {"tenantId":…}`), read back as an operator's
 * query would; undefined for a line with no attributes (a host line, a record with none).
 */
export function parseLogRecord(line: string): ParsedLogRecord | undefined {
  // The last one: the attributes' JSON has no space (shaped values, no indentation), a message may.
  const start = line.lastIndexOf(' {"');
  if (start < 0 || !line.endsWith('}')) return undefined;
  try {
    const attributes = JSON.parse(line.slice(start + 1)) as unknown;
    if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) return undefined;
    return { message: line.slice(0, start), attributes: attributes as Record<string, unknown> };
  } catch {
    return undefined;
  }
}
