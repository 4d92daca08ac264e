import { AppError } from '../platform/errors/AppError';
import { parseFormPairs } from '../jira/parseFormPairs';

const MAX_QUERY_LENGTH = 8192;

/**
 * The query is passed through as received, but it must be one we can sign exactly as Jira
 * will read it (valid percent-encoding), and it must not carry OAuth protocol parameters:
 * `oauth_token` would compete with ours, `xoauth_requestor_id` asks Jira to impersonate.
 */
export function checkProxyQuery(search: string): void {
  if (search.length > MAX_QUERY_LENGTH) throw new AppError({ code: 'invalid_query', detail: 'the query string is too long' });
  const pairs = parseFormPairs(search.startsWith('?') ? search.slice(1) : search);
  if (pairs === undefined) throw new AppError({ code: 'invalid_query', detail: 'the query string has an invalid percent-encoding' });
  for (const [name] of pairs) {
    if (/^x?oauth_/i.test(name) || name === '__proto__') {
      throw new AppError({ code: 'invalid_query', detail: 'the query string carries a reserved OAuth parameter' });
    }
  }
}
