import type { SandboxPart } from '../startSandbox';
import { createSelfSignedCertificate } from './createSelfSignedCertificate';
import { startGraphSimulator } from './startGraphSimulator';

export interface GraphSimulatorPartInit {
  /** Rich notifications (resource data encrypted with a fresh certificate). On by default. */
  rich?: boolean;
}

/**
 * The sandbox's Microsoft Graph: the simulator, accepting the sandbox app registration's
 * client credentials (from the token issuer part, or the user's), with the app pointed at
 * it. With `rich`, a certificate made at start encrypts resource data; its key lives only
 * in this process's settings, so after a restart the renewal timer moves subscriptions
 * to the new certificate.
 */
export function graphSimulatorPart(init: GraphSimulatorPartInit = {}): SandboxPart {
  return {
    name: 'Microsoft Graph',
    realSettings: ['GRAPH_BASE_URL', 'GRAPH_AUTHORITY_HOST'],
    async start(context) {
      const clientId = context.setting('GRAPH_CLIENT_ID') ?? context.identity.appClientId;
      const clientSecret = context.setting('GRAPH_CLIENT_SECRET') ?? context.identity.appClientSecret;
      // The on-behalf-of grant takes the add-in's tokens: the issuer's keys, the audiences of our API.
      const jwksUrl = context.setting('AUTH_JWKS_URL');
      const audiences = (context.setting('API_AUDIENCE') ?? '')
        .split(',')
        .map((value) => value.trim())
        .filter((value) => value.length > 0);
      const simulator = await startGraphSimulator({
        host: context.host,
        clientId,
        clientSecret,
        ...(jwksUrl && audiences.length > 0 ? { onBehalfOf: { jwksUrl, audiences } } : {}),
      });
      // The sandbox user is in Graph's directory, so the panel names their mailbox.
      simulator.state.putUser({
        id: context.identity.userId,
        tenantId: context.identity.tenantId,
        displayName: context.identity.userName,
        mail: 'sandbox.user@sandbox.test',
        userPrincipalName: 'sandbox.user@sandbox.test',
      });
      const certificate = init.rich === false ? undefined : createSelfSignedCertificate('jira-outlook-cloud sandbox');
      const certificateId = `sandbox-${certificate?.x509.fingerprint256.replace(/:/g, '').slice(0, 16).toLowerCase() ?? ''}`;
      return {
        settings: {
          GRAPH_CLIENT_ID: clientId,
          GRAPH_CLIENT_SECRET: clientSecret,
          GRAPH_AUTHORITY_HOST: simulator.authorityHost,
          GRAPH_BASE_URL: simulator.baseUrl,
          GRAPH_VALIDATION_JWKS_URL: simulator.validationJwksUrl,
          GRAPH_VALIDATION_ISSUER_TEMPLATE: simulator.validationIssuerTemplate,
          // The simulator is on loopback, which the outbound client refuses by default.
          ALLOW_PRIVATE_NETWORK_TARGETS: 'true',
          ...(certificate
            ? {
                GRAPH_ENCRYPTION_CERTIFICATE: certificate.certificate,
                GRAPH_ENCRYPTION_CERTIFICATE_ID: certificateId,
                GRAPH_ENCRYPTION_PRIVATE_KEYS: `${certificateId}:${certificate.privateKey}`,
              }
            : {}),
        },
        file: { graphUrl: simulator.url, graphMailUrl: `${simulator.url}/_sandbox/mail` },
        stop: () => simulator.stop(),
      };
    },
  };
}
