import { AppError } from '../platform/errors/AppError';
import type { OutboundClient, OutboundResponse } from '../platform/http/OutboundClient';
import { readJsonBody } from '../platform/http/readJsonBody';
import { toUpstreamError } from '../platform/http/toUpstreamError';
import type { LoadedInstance } from '../jira/InstanceService';
import { authorizeServiceCall } from '../jira/authorizeServiceCall';
import type { UpmLicenseResult, UpmLicenseSource } from './UpmLicenseSource';

export interface UpmLicenseClientInit {
  http: OutboundClient;
  /** Upper bound for the whole call; a slow Jira must not hold a thousand waiting checks. */
  timeoutMs?: number;
}

/** A license representation is a few hundred bytes; anything much larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;

/** `GET {baseUrl}/rest/plugins/1.0/{appKey}-key/license`. */
export function upmLicenseUrl(baseUrl: string, appKey: string): URL {
  return new URL(`${baseUrl.replace(/\/+$/, '')}/rest/plugins/1.0/${encodeURIComponent(appKey)}-key/license`);
}

/**
 * Reads the app's license from the instance's plugin manager, as the instance's service
 * user (UPM wants an administrator). 200 is a representation to map, 404 means the app is
 * not installed; any other answer, a redirect included (a login page, a moved instance),
 * is a failure, not a verdict on the license.
 */
export class UpmLicenseClient implements UpmLicenseSource {
  private readonly http: OutboundClient;
  private readonly timeoutMs: number;

  constructor(init: UpmLicenseClientInit) {
    this.http = init.http;
    this.timeoutMs = init.timeoutMs ?? 10_000;
  }

  async fetchLicense(instance: LoadedInstance): Promise<UpmLicenseResult> {
    const { entity } = instance;
    if (!entity.appKey) throw new AppError({ code: 'jira_app_key_missing', detail: `instance ${entity.instanceId} has no app key` });
    const authorized = await authorizeServiceCall(instance, { method: 'GET', url: upmLicenseUrl(entity.baseUrl, entity.appKey) });
    const headers = { accept: 'application/json', authorization: authorized.authorization };
    let response: OutboundResponse;
    try {
      response = await this.http.request(authorized.url, { method: 'GET', headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw toUpstreamError(error, 'Jira');
    }
    if (response.statusCode === 200) {
      try {
        return { found: true, body: await readJsonBody(response, 'Jira', MAX_BODY_BYTES) };
      } catch (error) {
        throw toUpstreamError(error, 'Jira');
      }
    }
    // The body is not needed, but the connection is only reused once it has been read.
    await response.body.dump().catch(() => undefined);
    if (response.statusCode === 404) return { found: false };
    throw failureFor(response.statusCode);
  }
}

function failureFor(status: number): AppError {
  if (status === 401 || status === 403) {
    return new AppError({ code: 'jira_forbidden', detail: `Jira refused the service user's license request (${status})` });
  }
  if (status === 429 || status >= 500) return new AppError({ code: 'upstream_unreachable', detail: `Jira answered ${status}` });
  return new AppError({ code: 'upstream_bad_response', detail: `Jira answered ${status} to the license request` });
}
