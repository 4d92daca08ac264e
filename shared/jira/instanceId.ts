/**
 * An instance id as it appears in routes (`jira/{instanceId}/…`) and as a RowKey: lower-case
 * letters, digits and dashes, so it never needs escaping in a URL, a key or a log line.
 */
export const INSTANCE_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62})$/;

export function isInstanceId(value: unknown): value is string {
  return typeof value === 'string' && INSTANCE_ID_PATTERN.test(value);
}
