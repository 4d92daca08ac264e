import { z } from 'zod';
import type { OutboundClient } from '../platform/http/OutboundClient';
import { readBody } from '../platform/http/readBody';
import { AppError } from '../platform/errors/AppError';

/** The applinks class name of OAuth 1.0a (three-legged) in a manifest's `inboundAuthenticationTypes`. */
const OAUTH1_PROVIDER = 'com.atlassian.applinks.api.auth.types.OAuthAuthenticationProvider';
/** Jira Data Center has been an OAuth 2.0 provider since 8.22. */
const OAUTH2_SINCE: readonly [number, number] = [8, 22];
const MAX_MANIFEST_BYTES = 64 * 1024;

// `GET /rest/applinks/1.0/manifest` with `Accept: application/json`: the same fields as its
// default XML (`<manifest><version>…<inboundAuthenticationTypes>…`), repeated elements as an array.
const manifestSchema = z.object({
  typeId: z.string().max(100).optional(),
  version: z.string().max(100).optional(),
  inboundAuthenticationTypes: z.union([z.array(z.string().max(300)).max(50), z.string().max(300)]).optional(),
});

/**
 * The authorization kind the application-links manifest of a Jira suggests: `oauth2` for
 * Jira 8.22 and later (its OAuth 2.0 provider is not an applinks authentication type, so
 * the version tells), else `oauth1` when the manifest lists OAuth 1.0a as inbound, else
 * undefined. Only a proposal: any failure (no answer, not Jira, an odd body) is undefined.
 */
export async function proposeAuthKind(http: Pick<OutboundClient, 'request'>, baseUrl: string): Promise<'oauth1' | 'oauth2' | undefined> {
  let parsed: unknown;
  try {
    const response = await http.request(new URL(`${baseUrl}/rest/applinks/1.0/manifest`), {
      method: 'GET',
      headers: { accept: 'application/json', 'user-agent': 'jira-outlook-cloud' },
    });
    const body = await readBody(response.body, {
      maxBytes: MAX_MANIFEST_BYTES,
      tooLarge: () => new AppError({ code: 'upstream_bad_response', detail: 'the manifest is larger than expected' }),
    });
    if (response.statusCode !== 200) return undefined;
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const manifest = manifestSchema.safeParse(parsed);
  if (!manifest.success || (manifest.data.typeId !== undefined && manifest.data.typeId !== 'jira')) return undefined;
  const [major = 0, minor = 0] = (manifest.data.version ?? '').split('.').map((part) => Number.parseInt(part, 10) || 0);
  if (major > OAUTH2_SINCE[0] || (major === OAUTH2_SINCE[0] && minor >= OAUTH2_SINCE[1])) return 'oauth2';
  const inbound = manifest.data.inboundAuthenticationTypes;
  return (Array.isArray(inbound) ? inbound : [inbound]).includes(OAUTH1_PROVIDER) ? 'oauth1' : undefined;
}
