import { settingsSchema } from '../../../shared/platform/config/settingsSchema';
import type { SandboxPart } from '../startSandbox';
import { startTokenIssuer } from './tokenIssuer';

export interface TokenIssuerPartInit {
  /** Lifetime of the tokens in sandbox.json: long enough for a working day. */
  tokenLifetimeSeconds?: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The sandbox's identity platform: the local token issuer, the sandbox tenant's app
 * registration as the API's audience and Graph client, the issuer's client id as the one
 * allowed client (the add-in), and ready tokens for a user (v2.0, and the same user in a
 * v1.0 token), an admin (the admin app role) and a user of another tenant.
 */
export function tokenIssuerPart(init: TokenIssuerPartInit = {}): SandboxPart {
  const lifetime = init.tokenLifetimeSeconds ?? 12 * 3600;
  return {
    name: 'token issuer',
    realSettings: ['AUTH_JWKS_URL', 'AUTH_ISSUER_TEMPLATE', 'AUTH_ISSUER_TEMPLATE_V1'],
    async start(context) {
      const { identity } = context;
      const issuer = await startTokenIssuer({ host: context.host });
      try {
        // Both forms, as Entra puts them in `aud`: the client id (v2.0), the App ID URI (v1.0).
        const defaultAudience = `api://${identity.appClientId},${identity.appClientId}`;
        // Tokens must carry what the app will check, including a user's own overrides.
        const audiences = (context.setting('API_AUDIENCE') ?? defaultAudience)
          .split(',')
          .map((value) => value.trim())
          .filter((value) => value.length > 0);
        const v2Audience = audiences.find((value) => GUID.test(value)) ?? audiences[0]!;
        const v1Audience = audiences.find((value) => !GUID.test(value)) ?? audiences[0]!;
        const clientId = context.setting('AUTH_ALLOWED_CLIENT_IDS')?.split(',')[0]?.trim() || issuer.clientId;
        const adminRole = context.setting('ADMIN_ROLE') ?? settingsSchema.shape.ADMIN_ROLE.parse(undefined);
        const common = { audience: v2Audience, clientId, expiresInSeconds: lifetime };
        const user = {
          tenantId: identity.tenantId,
          userId: identity.userId,
          name: identity.userName,
          username: 'sandbox.user@sandbox.test',
        };
        const tokens = {
          user: await issuer.mint({ ...common, ...user }),
          userV1: await issuer.mint({ ...common, ...user, audience: v1Audience, version: '1.0' }),
          admin: await issuer.mint({
            ...common,
            tenantId: identity.tenantId,
            userId: identity.adminUserId,
            name: 'Sandbox Admin',
            username: 'sandbox.admin@sandbox.test',
            roles: [adminRole],
          }),
          otherTenantUser: await issuer.mint({
            ...common,
            tenantId: identity.otherTenantId,
            userId: identity.otherTenantUserId,
            name: 'Other Tenant User',
            username: 'other.user@other.sandbox.test',
          }),
        };
        return {
          settings: {
            ...issuer.appSettings,
            API_AUDIENCE: defaultAudience,
            GRAPH_CLIENT_ID: identity.appClientId,
            GRAPH_CLIENT_SECRET: identity.appClientSecret,
          },
          file: {
            issuerUrl: issuer.url,
            tokenUrl: `${issuer.url}/_sandbox/token`,
            adminUserId: identity.adminUserId,
            addinClientId: clientId,
            tokens,
          },
          stop: () => issuer.stop(),
        };
      } catch (error) {
        await issuer.stop();
        throw error;
      }
    },
  };
}
