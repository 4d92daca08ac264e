import type { JiraSimulatorRoute } from './JiraSimulatorRoute';
import { sendJson } from './simulatorResponses';

const TYPES = 'com.atlassian.applinks.api.auth.types.';
const INBOUND = [
  'BasicAuthenticationProvider',
  'OAuthAuthenticationProvider',
  'TwoLeggedOAuthAuthenticationProvider',
  'TwoLeggedOAuthWithImpersonationAuthenticationProvider',
];

/**
 * `GET /rest/applinks/1.0/manifest`, anonymous as in Jira: the application-links manifest,
 * XML by default and JSON for `Accept: application/json`, repeated elements as arrays.
 * `version` is the Jira version it claims (OAuth 2.0 provider from 8.22).
 */
export function applinksRoutes(init: { version: string; serverId: string }): JiraSimulatorRoute[] {
  return [
    {
      methods: ['GET'],
      path: /^\/rest\/applinks\/1\.0\/manifest$/,
      auth: 'none',
      handle: (context) => {
        const manifest = {
          id: init.serverId,
          name: 'Jira',
          typeId: 'jira',
          version: init.version,
          buildNumber: 912000,
          applinksVersion: '9.1.4',
          inboundAuthenticationTypes: INBOUND.map((type) => TYPES + type),
          outboundAuthenticationTypes: INBOUND.map((type) => TYPES + type),
          publicSignup: false,
          url: context.baseUrl,
        };
        if ((context.request.headers.accept ?? '').includes('application/json')) return sendJson(context.response, 200, manifest);
        const element = (name: string, value: string | number | boolean) => `<${name}>${String(value)}</${name}>`;
        const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><manifest>${Object.entries(manifest)
          .flatMap(([name, value]) => (Array.isArray(value) ? value.map((item) => element(name, item)) : [element(name, value)]))
          .join('')}</manifest>`;
        context.response.writeHead(200, { 'Content-Type': 'application/xml;charset=UTF-8', 'Content-Length': Buffer.byteLength(xml) });
        context.response.end(xml);
      },
    },
  ];
}
