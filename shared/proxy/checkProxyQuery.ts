import { AppError } from '../platform/errors/AppError';
import { parseFormPairs, type FormPair } from '../jira/parseFormPairs';

const MAX_QUERY_LENGTH = 8192;

/**
 * The query is passed through as received, but it must be one we can sign exactly as Jira
 * will read it (valid percent-encoding), and it must not carry reserved parameters.
 */
export function checkProxyQuery(search: string): void {
  if (search.length > MAX_QUERY_LENGTH) throw new AppError({ code: 'invalid_query', detail: 'the query string is too long' });
  const pairs = parseFormPairs(search.startsWith('?') ? search.slice(1) : search);
  if (pairs === undefined) throw new AppError({ code: 'invalid_query', detail: 'the query string has an invalid percent-encoding' });
  refuseReservedParameters(pairs, 'the query string');
}

/**
 * A form body's parameters are signed with the query's (RFC 5849 §3.4.1.3), and a servlet's
 * request parameters (what Jira's OAuth filter reads) are the query's and the form body's
 * together. So a form body gets the query's rules and the query's problem code: the client
 * must not be able to say in the body what it may not say in the query.
 */
export function checkProxyForm(pairs: readonly FormPair[]): void {
  refuseReservedParameters(pairs, 'the form body');
}

/**
 * `oauth_*` would compete with our own protocol parameters; `xoauth_requestor_id` and
 * `user_id` ask Jira to act as another user (2-legged OAuth with impersonation), which the
 * caller's own token must never be able to request; `__proto__` cannot be held by the
 * plain objects the signing package merges parameters into. Names compare without case, so
 * no spelling slips past a component that folds it.
 */
function refuseReservedParameters(pairs: readonly FormPair[], where: string): void {
  for (const [name] of pairs) {
    if (/^x?oauth_/i.test(name) || /^user_id$/i.test(name) || name === '__proto__') {
      throw new AppError({ code: 'invalid_query', detail: `${where} carries a reserved OAuth or impersonation parameter` });
    }
  }
}
