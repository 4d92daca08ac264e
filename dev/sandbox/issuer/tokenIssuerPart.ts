import { settingsSchema } from '../../../shared/platform/config/settingsSchema';
import type { SandboxPart } from '../startSandbox';
import { startTokenIssuer } from './tokenIssuer';

export interface TokenIssuerPartInit {
  /** Lifetime of the tokens in sandbox.json: long enough for a working day. */
  tokenLifetimeSeconds?: number;
}

/**
 * The sandbox's identity platform: the local token issuer, the sandbox tenant's app
 * registration as the API's audience and Graph client, and ready tokens for a user, an
 * admin (the admin app role) and a user of another tenant.
 */
export function tokenIssuerPart(init: TokenIssuerPartInit = {}): SandboxPart {
  const lifetime = init.tokenLifetimeSeconds ?? 12 * 3600;
  return {
    name: 'token issuer',
    realSettings: ['AUTH_JWKS_URL', 'AUTH_ISSUER_TEMPLATE'],
    async start(context) {
      const { identity } = context;
      const issuer = await startTokenIssuer({ host: context.host });
      try {
        const defaultAudience = `api://${identity.appClientId}`;
        // Tokens must carry what the app will check, including a user's own overrides.
        const audience = (context.setting('API_AUDIENCE') ?? defaultAudience).split(',')[0]!.trim();
        const adminRole = context.setting('ADMIN_ROLE') ?? settingsSchema.shape.ADMIN_ROLE.parse(undefined);
        const common = { audience, expiresInSeconds: lifetime };
        const tokens = {
          user: await issuer.mint({ ...common, tenantId: identity.tenantId, userId: identity.userId, name: identity.userName }),
          admin: await issuer.mint({
            ...common,
            tenantId: identity.tenantId,
            userId: identity.adminUserId,
            name: 'Sandbox Admin',
            roles: [adminRole],
          }),
          otherTenantUser: await issuer.mint({
            ...common,
            tenantId: identity.otherTenantId,
            userId: identity.otherTenantUserId,
            name: 'Other Tenant User',
          }),
        };
        return {
          settings: {
            AUTH_ISSUER_TEMPLATE: issuer.issuerTemplate,
            AUTH_JWKS_URL: issuer.jwksUrl,
            API_AUDIENCE: defaultAudience,
            GRAPH_CLIENT_ID: identity.appClientId,
            GRAPH_CLIENT_SECRET: identity.appClientSecret,
          },
          file: { issuerUrl: issuer.url, tokenUrl: `${issuer.url}/_sandbox/token`, adminUserId: identity.adminUserId, tokens },
          stop: () => issuer.stop(),
        };
      } catch (error) {
        await issuer.stop();
        throw error;
      }
    },
  };
}
