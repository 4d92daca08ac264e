import { z } from 'zod';
import { parseDurationSeconds } from './duration';

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'expected true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((v, ctx) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

/** A duration in seconds; `zeroMeansOff` lets `0` switch a feature off; `maxSeconds` bounds it. */
const duration = (fallback: string, bounds: { zeroMeansOff?: boolean; maxSeconds?: number } = {}) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const seconds = parseDurationSeconds(v);
      const min = bounds.zeroMeansOff ? 0 : 1;
      if (seconds === undefined || seconds < min || seconds > (bounds.maxSeconds ?? Number.MAX_SAFE_INTEGER)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a duration such as 90s, 15m, 1h or 3d${bounds.zeroMeansOff ? ' (0: off)' : ''}${bounds.maxSeconds === undefined ? '' : `, at most ${bounds.maxSeconds}s`}`,
        });
        return z.NEVER;
      }
      return seconds;
    });

const httpUrl = z
  .string()
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), { message: 'expected an http(s) URL' })
  .transform((v) => v.replace(/\/+$/, ''));

const csv = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );

/** Unset or empty: no value (the reader picks one that depends on other settings). */
const optionalInt = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}, or nothing` });
        return z.NEVER;
      }
      return n;
    });

// `*` is the explicit "any tenant"; the template never writes an empty list by default.
const tenantList = csv.refine((v) => !v.includes('*') || v.length === 1, {
  message: 'expected tenant ids, or * alone for any tenant',
});

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const issuerTemplate = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => v.includes('{tenantId}'), { message: 'expected a URL containing {tenantId}' });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const optionalTenantId = optionalText
  .refine((v) => v === undefined || GUID.test(v.trim()), { message: 'expected a directory (tenant) id: a GUID' })
  .transform((v) => v?.trim().toLowerCase());

/**
 * Every setting the app reads, by its environment name. Defaults are the production
 * values; `local.settings.sample.json`, docs/settings.md and `infra/` list the same names.
 */
export const settingsSchema = z.object({
  AzureWebJobsStorage: optionalText,
  AzureWebJobsStorage__accountName: optionalText,
  AzureWebJobsStorage__queueServiceUri: optionalText,
  AzureWebJobsStorage__tableServiceUri: optionalText,
  AzureWebJobsStorage__clientId: optionalText,
  AzureWebJobsStorage__credential: optionalText,
  // Set by the template, which creates every table and queue: the app then makes no
  // storage round trip at start (Graph wants its answer within 3 s of a cold start).
  STORAGE_PROVISIONED: bool(false),

  DATA_ENCRYPTION_KEY: z.string({ message: 'required: one or more kid:base64(32 bytes), comma separated, the first encrypts' }),

  PUBLIC_BASE_URL: httpUrl,
  API_AUDIENCE: csv.refine((v) => v.length > 0, { message: 'required: the app ID URI or client id bearer tokens are issued for' }),
  // One template per access token version: Entra issues v1.0 tokens from another host
  // (sts.windows.net), and sovereign clouds use other hosts for both, so neither is derived.
  AUTH_ISSUER_TEMPLATE: issuerTemplate('https://login.microsoftonline.com/{tenantId}/v2.0'),
  AUTH_ISSUER_TEMPLATE_V1: issuerTemplate('https://sts.windows.net/{tenantId}/'),
  AUTH_JWKS_URL: httpUrl.default('https://login.microsoftonline.com/common/discovery/v2.0/keys'),
  AUTH_ALLOWED_TENANTS: tenantList.transform((v) => (v[0] === '*' ? [] : v)),
  // Empty refuses every bearer token: there is no client id that is right for every
  // deployment, and accepting any would let every app that can get a token for our audience in.
  AUTH_ALLOWED_CLIENT_IDS: csv
    .refine((v) => v.every((id) => GUID.test(id)), { message: 'expected application (client) ids (GUIDs), comma separated' })
    .transform((v) => v.map((id) => id.toLowerCase())),
  AUTH_CLOCK_SKEW: duration('120s'),
  ADMIN_ROLE: z.string().min(1).default('Integration.Admin'),
  OPERATOR_ROLE: optionalText,
  OPERATOR_TENANT_ID: optionalTenantId,

  GRAPH_CLIENT_ID: z.string({ message: 'required: the app registration client id used to call Microsoft Graph' }).min(1),
  GRAPH_CLIENT_SECRET: z.string({ message: 'required: the client secret of GRAPH_CLIENT_ID' }).min(1),
  GRAPH_AUTHORITY_HOST: httpUrl.default('https://login.microsoftonline.com'),
  GRAPH_BASE_URL: httpUrl.default('https://graph.microsoft.com/v1.0'),
  GRAPH_VALIDATION_JWKS_URL: httpUrl.default('https://login.microsoftonline.com/common/discovery/v2.0/keys'),
  GRAPH_VALIDATION_ISSUER_TEMPLATE: z.string().default('https://sts.windows.net/{tenantId}/'),
  // Graph's maximum depends on the kind of subscription (rich or not): checked where that is known.
  GRAPH_SUBSCRIPTION_MINUTES: optionalInt(45),
  GRAPH_RENEWAL_WINDOW_MINUTES: int(720, 15, 10080),
  GRAPH_ENCRYPTION_CERTIFICATE: optionalText,
  GRAPH_ENCRYPTION_CERTIFICATE_ID: optionalText,
  GRAPH_ENCRYPTION_PRIVATE_KEYS: optionalText,

  ALLOWED_ORIGINS: csv,
  ALLOW_INSECURE_JIRA: bool(false),
  ALLOW_PRIVATE_NETWORK_TARGETS: bool(false),
  // 100 MiB: what the Functions host accepts unless FUNCTIONS_REQUEST_BODY_SIZE_LIMIT says otherwise.
  PROXY_MAX_BODY_BYTES: int(104_857_600, 0, 2_147_483_647),
  // The host's own request body limit; loadConfig refuses a PROXY_MAX_BODY_BYTES above it.
  FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: optionalInt(1),

  OUTBOUND_CONNECT_TIMEOUT_MS: int(5000, 100, 120_000),
  OUTBOUND_HEADERS_TIMEOUT_MS: int(30_000, 100, 600_000),
  OUTBOUND_BODY_TIMEOUT_MS: int(60_000, 100, 600_000),
  OUTBOUND_CONNECTIONS_PER_ORIGIN: int(64, 1, 4096),

  LICENSE_TTL: duration('1h'),
  LICENSE_BAD_TTL: duration('5m'),
  LICENSE_GRACE: duration('72h'),
  LICENSE_UNKNOWN_POLICY: z.enum(['allow', 'deny'], { message: 'expected allow or deny' }).default('allow'),

  NOTIFY_RETRY_MAX_DELAY: duration('10m'),
  DELIVERY_LEASE: duration('5m'),
  /** Storm control: at most one notification per linked issue and conversation per window; the rest is digested. */
  // 0 switches storm control off; at most a day (a flush is a queue message invisible for the window; Storage allows 7 days).
  NOTIFY_DIGEST_WINDOW: duration('5m', { zeroMeansOff: true, maxSeconds: 86_400 }),
  DELIVERY_RETENTION: duration('30d'),
  /** How often a process writes the report counters it summed in memory; a crash loses at most this much of the counts. */
  REPORT_FLUSH_INTERVAL: duration('5s', { maxSeconds: 300 }),

  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error'], { message: 'expected debug, info, warn or error' }).default('info'),
  /** Print every span (requests, queue messages, Jira and Graph calls) to the console: local debugging. */
  OTEL_CONSOLE: bool(false),
  /** Export every span to Application Insights (the template sets it); unset exports nothing. */
  APPLICATIONINSIGHTS_CONNECTION_STRING: optionalText,
  /** `ClientId=<guid>;Authorization=AAD`: the identity that sends telemetry when local auth is off (the template sets it). */
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: optionalText,
});

export type Settings = z.output<typeof settingsSchema>;
export const settingNames = Object.keys(settingsSchema.shape) as (keyof Settings)[];
