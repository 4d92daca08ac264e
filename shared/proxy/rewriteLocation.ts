import { isAppError } from '../platform/errors/AppError';
import { parseProxyPath } from './parseProxyPath';

export interface RewriteLocationInput {
  /** The upstream `Location` header, absolute or relative. */
  location: string;
  /** The URL the redirect answered, to resolve a relative `Location`. */
  requestUrl: URL;
  /** The instance's base URL (no trailing slash). */
  baseUrl: string;
  /** This instance's proxy URL, ending in `/proxy/`. */
  proxyBase: string;
}

/**
 * A redirect inside the instance, to a path the proxy itself would serve, becomes the
 * matching proxy URL. Anything else (another host, Jira's login page, a path outside
 * rest/ and secure/attachment/) yields undefined and the caller answers 502: we neither
 * follow redirects nor hand the add-in a URL it could not use through us.
 */
export function rewriteLocation(input: RewriteLocationInput): string | undefined {
  let target: URL;
  try {
    target = new URL(input.location, input.requestUrl);
  } catch {
    return undefined;
  }
  const base = new URL(`${input.baseUrl}/`);
  if (target.origin !== base.origin || target.username !== '' || target.password !== '') return undefined;
  if (!target.pathname.startsWith(base.pathname)) return undefined;
  const rest = target.pathname.slice(base.pathname.length);
  try {
    parseProxyPath(rest);
  } catch (error) {
    if (isAppError(error)) return undefined;
    throw error;
  }
  return `${input.proxyBase}${rest}${target.search}`;
}
