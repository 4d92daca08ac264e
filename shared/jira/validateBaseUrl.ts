import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AppError } from '../platform/errors/AppError';
import { isPublicAddress } from '../platform/net/isPublicAddress';

export interface BaseUrlPolicy {
  /** `ALLOW_INSECURE_JIRA`: http is accepted (sandbox only). */
  allowInsecure: boolean;
  /** `ALLOW_PRIVATE_NETWORK_TARGETS`: loopback and private addresses are accepted (sandbox, tests). */
  allowPrivateTargets: boolean;
  /** Every address a name resolves to; the system resolver unless a test injects one. */
  resolve?: (hostname: string) => Promise<string[]>;
}

const MAX_LENGTH = 2048;
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const FORBIDDEN_TEXT = /[\u0000-\u001f\u007f\\]/;

// Every address of the answer is checked, so their order (`verbatim`) does not matter.
const systemResolve = async (hostname: string): Promise<string[]> => (await lookup(hostname, { all: true })).map((entry) => entry.address);

/**
 * The base URL of a Jira instance, normalized (`https://host[:port][/context]`, no trailing
 * slash), or an AppError. https only unless insecure Jira is allowed; no credentials,
 * query or fragment; and the host must not be or resolve to a loopback, private,
 * link-local (169.254.169.254), Azure platform (168.63.129.16) or otherwise reserved
 * address, in whatever spelling the URL parser accepts. The outbound client checks
 * the address again at every connection, so a name re-pointed later (DNS rebinding) fails
 * then too.
 */
export async function validateBaseUrl(raw: string, policy: BaseUrlPolicy): Promise<string> {
  if (raw.length === 0 || raw.length > MAX_LENGTH || FORBIDDEN_TEXT.test(raw)) throw invalid('baseUrl is not a URL we accept');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('baseUrl is not a URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowInsecure)) throw invalid('baseUrl must use https');
  // Checked on the raw text, not on the parsed URL: the parser reads credentials only after an
  // `@`, a query only after a `?` and a fragment only after a `#` (and an https URL always has
  // a host, or it does not parse), so these also refuse what another parser could read as them.
  if (raw.includes('@')) throw invalid('baseUrl must not carry credentials');
  if (raw.includes('?') || raw.includes('#')) throw invalid('baseUrl must not have a query or fragment');

  if (!policy.allowPrivateTargets) {
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    let addresses: string[];
    if (isIP(host) !== 0) {
      addresses = [host];
    } else {
      try {
        addresses = await (policy.resolve ?? systemResolve)(host);
      } catch {
        throw invalid('the host of baseUrl does not resolve');
      }
    }
    if (addresses.length === 0 || !addresses.every((address) => isPublicAddress(address))) {
      throw new AppError({ code: 'target_not_allowed', detail: 'baseUrl is or resolves to a private, loopback or reserved address' });
    }
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

function invalid(detail: string): AppError {
  return new AppError({ code: 'instance_invalid', detail });
}
