import type { JiraSimulatorRoute, SimulatorContext } from './JiraSimulatorRoute';
import { sendJson } from './simulatorResponses';

export const upmLicenseModes = ['active', 'evaluation', 'expired', 'user_mismatch', 'none', 'malformed'] as const;
export type UpmLicenseMode = (typeof upmLicenseModes)[number];

/** `unavailable`: 503 with `Retry-After`; `reset`: the connection is dropped without an answer. */
export const upmOutages = ['unavailable', 'reset'] as const;
export type UpmOutage = (typeof upmOutages)[number];

export interface UpmAppLicense {
  mode: UpmLicenseMode;
  /** The user tier; default 50 (10 for `user_mismatch`). */
  maxUsers?: number;
}

export interface UpmLicensesInit {
  /** App key → its license. An app not listed is not installed: UPM answers 404. */
  apps?: Readonly<Record<string, UpmAppLicense>>;
  /** Users allowed to read licenses (UPM wants an administrator). Default: `jira-service`. */
  admins?: readonly string[];
}

const DAY_MS = 86_400_000;
const LICENSE_PATH = /^\/rest\/plugins\/1\.0\/([^/]+)-key\/license$/;

/**
 * The plugin manager's license resource, `GET /rest/plugins/1.0/{appKey}-key/license`, with
 * settable states per app key and outages, for the license checks. Mount its `routes()` in
 * the Jira simulator. Answers carry the fields UPM's plugin license representation has
 * (dates as epoch ms); with no license installed UPM answers only `links` and `pluginKey`.
 * A refused connection is the simulator stopped (`stop()`), not a mode of this resource.
 */
export class UpmLicenses {
  private readonly apps = new Map<string, UpmAppLicense>();
  private readonly admins: ReadonlySet<string>;
  private readonly calls = new Map<string, number>();
  private currentOutage: UpmOutage | undefined;

  constructor(init: UpmLicensesInit = {}) {
    for (const [appKey, license] of Object.entries(init.apps ?? {})) this.apps.set(appKey, { ...license });
    this.admins = new Set(init.admins ?? ['jira-service']);
  }

  set(appKey: string, license: UpmAppLicense): void {
    this.apps.set(appKey, { ...license });
  }

  /** The app is no longer installed. */
  uninstall(appKey: string): void {
    this.apps.delete(appKey);
  }

  /** Every license request from now on fails this way; undefined ends the outage. */
  setOutage(outage: UpmOutage | undefined): void {
    this.currentOutage = outage;
  }

  /** Authenticated license requests received for the app (outages included), or for every app. */
  requestCount(appKey?: string): number {
    if (appKey !== undefined) return this.calls.get(appKey) ?? 0;
    let total = 0;
    for (const count of this.calls.values()) total += count;
    return total;
  }

  routes(): JiraSimulatorRoute[] {
    return [{ methods: ['GET'], path: LICENSE_PATH, auth: 'user', handle: (context) => this.license(context) }];
  }

  /** The simulator has authenticated the caller (OAuth 1.0a, 2-legged or a PAT) before this runs. */
  private license(context: SimulatorContext): void {
    const appKey = decodeURIComponent(context.match[1] ?? '');
    this.calls.set(appKey, (this.calls.get(appKey) ?? 0) + 1);

    if (this.currentOutage === 'reset') {
      context.request.socket.destroy();
      return;
    }
    if (this.currentOutage === 'unavailable') {
      context.response.writeHead(503, { 'Content-Type': 'text/html;charset=UTF-8', 'Retry-After': '30' });
      context.response.end('<html><body>Service Unavailable</body></html>');
      return;
    }

    if (!context.user || !this.admins.has(context.user.name)) {
      return sendJson(context.response, 403, {
        'status-code': 403,
        subCode: 'upm.permissionDenied',
        message: 'You must be an administrator to access this resource.',
      });
    }
    const license = this.apps.get(appKey);
    if (!license)
      return sendJson(context.response, 404, {
        'status-code': 404,
        subCode: 'upm.plugin.not.found',
        message: `Plugin ${appKey} not found`,
      });
    sendJson(context.response, 200, toUpmLicenseBody(context, appKey, license), {
      'Content-Type': 'application/vnd.atl.plugins+json;charset=UTF-8',
    });
  }
}

/** The representation UPM's license resource answers, for one of the settable states. */
function toUpmLicenseBody(context: SimulatorContext, appKey: string, license: UpmAppLicense): unknown {
  const now = context.nowMs();
  const self = `${context.baseUrl}/rest/plugins/1.0/${encodeURIComponent(appKey)}-key/license`;
  const links = { self, alternate: `${context.baseUrl}/plugins/servlet/upm#manage/${encodeURIComponent(appKey)}` };
  if (license.mode === 'none') return { links, pluginKey: appKey };
  // Answers 200 with the right content type, as a proxy or a broken UPM might: only the shape is wrong.
  if (license.mode === 'malformed')
    return { links, pluginKey: appKey, valid: 'yes', maximumNumberOfUsers: 'fifty', expiryDate: 'tomorrow' };

  const evaluation = license.mode === 'evaluation' || license.mode === 'expired';
  const expiryDate = license.mode === 'evaluation' ? now + 30 * DAY_MS : license.mode === 'expired' ? now - DAY_MS : null;
  const error = license.mode === 'expired' ? 'EXPIRED' : license.mode === 'user_mismatch' ? 'USER_MISMATCH' : null;
  const maxUsers = license.maxUsers ?? (license.mode === 'user_mismatch' ? 10 : 50);
  return {
    links,
    pluginKey: appKey,
    valid: error === null,
    error,
    evaluation,
    nearlyExpired: license.mode === 'evaluation' ? false : null,
    maximumNumberOfUsers: maxUsers,
    maintenanceExpiryDate: evaluation ? null : now + 365 * DAY_MS,
    maintenanceExpired: false,
    licenseType: 'COMMERCIAL',
    creationDateString: new Date(now - 30 * DAY_MS).toISOString().slice(0, 10),
    expiryDate,
    expiryDateString: expiryDate === null ? null : new Date(expiryDate).toISOString().slice(0, 10),
    rawLicense: 'AAABsimulatedLicenseKey0000',
    renewable: true,
    supportEntitlementNumber: 'SEN-00000000',
    organizationName: 'Example Org',
    contactEmail: 'admin@example.test',
    enterprise: false,
    dataCenter: true,
    subscription: false,
    active: error === null,
    autoRenewal: false,
  };
}
