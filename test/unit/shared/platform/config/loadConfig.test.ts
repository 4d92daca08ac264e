import { ConfigError } from '../../../../../shared/platform/config/ConfigError';
import { loadConfig } from '../../../../../shared/platform/config/loadConfig';

const key = Buffer.alloc(32, 7).toString('base64');
const valid = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  DATA_ENCRYPTION_KEY: `k1:${key}`,
  PUBLIC_BASE_URL: 'https://app.example.com/',
  API_AUDIENCE: 'api://jira-outlook',
  GRAPH_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
  GRAPH_CLIENT_SECRET: 'not-a-real-secret',
};

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads a valid environment with defaults applied', () => {
    const config = loadConfig(valid);
    expect(config.settings.PUBLIC_BASE_URL).toBe('https://app.example.com');
    expect(config.settings.API_AUDIENCE).toEqual(['api://jira-outlook']);
    expect(config.settings.LICENSE_TTL).toBe(3600);
    expect(config.settings.LICENSE_GRACE).toBe(72 * 3600);
    expect(config.settings.ALLOW_PRIVATE_NETWORK_TARGETS).toBe(false);
    expect(config.storage).toEqual({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
    expect(config.encryption.activeKeyId).toBe('k1');
  });

  it('names every bad setting in one error', () => {
    const problems = problemsOf({
      ...valid,
      PUBLIC_BASE_URL: 'not a url',
      GRAPH_SUBSCRIPTION_MINUTES: 'abc',
      LICENSE_TTL: '-3',
      ALLOW_INSECURE_JIRA: 'yes',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'ALLOW_INSECURE_JIRA',
      'GRAPH_SUBSCRIPTION_MINUTES',
      'LICENSE_TTL',
      'PUBLIC_BASE_URL',
    ]);
    expect(problems.join('\n')).toContain('expected an http(s) URL');
  });

  it('takes the operator as a role in one tenant: both settings or neither', () => {
    expect(loadConfig(valid).settings.OPERATOR_ROLE).toBeUndefined();
    const tenant = '6F1C2A4E-8B0D-4C7E-9A51-3D2F0E6B7C18';
    const config = loadConfig({ ...valid, OPERATOR_ROLE: 'Integration.Operator', OPERATOR_TENANT_ID: tenant });
    expect(config.settings.OPERATOR_TENANT_ID).toBe(tenant.toLowerCase());
    expect(loadConfig({ ...valid, OPERATOR_ROLE: '', OPERATOR_TENANT_ID: '' }).settings.OPERATOR_TENANT_ID).toBeUndefined();
    expect(problemsOf({ ...valid, OPERATOR_ROLE: 'Integration.Operator' })).toEqual([
      'OPERATOR_ROLE, OPERATOR_TENANT_ID: set both or neither (the role counts only for users of that tenant)',
    ]);
    expect(problemsOf({ ...valid, OPERATOR_TENANT_ID: tenant })).toHaveLength(1);
    expect(problemsOf({ ...valid, OPERATOR_ROLE: 'Integration.Operator', OPERATOR_TENANT_ID: 'contoso.com' })[0]).toMatch(
      /^OPERATOR_TENANT_ID: expected a directory \(tenant\) id/,
    );
  });

  it('names every missing required setting, storage included', () => {
    const problems = problemsOf({});
    for (const name of [
      'AzureWebJobsStorage',
      'DATA_ENCRYPTION_KEY',
      'PUBLIC_BASE_URL',
      'API_AUDIENCE',
      'GRAPH_CLIENT_ID',
      'GRAPH_CLIENT_SECRET',
    ]) {
      expect(problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
    }
  });

  it('accepts identity-based storage the way the Functions host reads it', () => {
    const { AzureWebJobsStorage: _omit, ...rest } = valid;
    expect(loadConfig({ ...rest, AzureWebJobsStorage__accountName: 'mystore', AzureWebJobsStorage__clientId: 'cid' }).storage).toEqual({
      kind: 'identity',
      tableServiceUri: 'https://mystore.table.core.windows.net',
      queueServiceUri: 'https://mystore.queue.core.windows.net',
      clientId: 'cid',
    });
    expect(
      loadConfig({
        ...rest,
        AzureWebJobsStorage__queueServiceUri: 'https://q.example/',
        AzureWebJobsStorage__tableServiceUri: 'https://t.example',
      }).storage,
    ).toEqual({ kind: 'identity', tableServiceUri: 'https://t.example', queueServiceUri: 'https://q.example' });
  });

  it('rejects an encryption key that is not 32 bytes, naming the key id but not the value', () => {
    const problems = problemsOf({ ...valid, DATA_ENCRYPTION_KEY: 'k1:c2hvcnQ=' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('"k1"');
    expect(problems[0]).not.toContain('c2hvcnQ');
  });

  it('reads both issuer templates and the allowed client ids (GUIDs, lower case; none by default, which refuses every token)', () => {
    const defaults = loadConfig(valid).settings;
    expect(defaults.AUTH_ISSUER_TEMPLATE).toBe('https://login.microsoftonline.com/{tenantId}/v2.0');
    expect(defaults.AUTH_ISSUER_TEMPLATE_V1).toBe('https://sts.windows.net/{tenantId}/');
    expect(defaults.AUTH_ALLOWED_CLIENT_IDS).toEqual([]);
    const client = '6F1B2A3C-0000-4000-8000-00000000A11D';
    expect(loadConfig({ ...valid, AUTH_ALLOWED_CLIENT_IDS: ` ${client} ,` }).settings.AUTH_ALLOWED_CLIENT_IDS).toEqual([
      client.toLowerCase(),
    ]);
    const problems = problemsOf({
      ...valid,
      AUTH_ALLOWED_CLIENT_IDS: 'api://my-addin',
      AUTH_ISSUER_TEMPLATE_V1: 'https://sts.windows.net/',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['AUTH_ALLOWED_CLIENT_IDS', 'AUTH_ISSUER_TEMPLATE_V1']);
  });

  it('reads the storm-control window: 5 minutes by default, 0 switches it off, more than a day or garbage is refused', () => {
    expect(loadConfig(valid).settings.NOTIFY_DIGEST_WINDOW).toBe(300);
    expect(loadConfig({ ...valid, NOTIFY_DIGEST_WINDOW: '0' }).settings.NOTIFY_DIGEST_WINDOW).toBe(0);
    expect(loadConfig({ ...valid, NOTIFY_DIGEST_WINDOW: '90s' }).settings.NOTIFY_DIGEST_WINDOW).toBe(90);
    for (const bad of ['2d', 'soon', '-5m'])
      expect(problemsOf({ ...valid, NOTIFY_DIGEST_WINDOW: bad }).join('\n')).toContain('NOTIFY_DIGEST_WINDOW');
  });

  it('keeps every key of a rotation list, the first one active', () => {
    const other = Buffer.alloc(32, 9).toString('base64');
    const config = loadConfig({ ...valid, DATA_ENCRYPTION_KEY: `k2:${other},k1:${key}` });
    expect(config.encryption.activeKeyId).toBe('k2');
    expect([...config.encryption.keys.keys()]).toEqual(['k2', 'k1']);
  });

  it('keeps the proxy body limit at what the Functions host accepts by default (100 MiB)', () => {
    expect(loadConfig(valid).settings.PROXY_MAX_BODY_BYTES).toBe(104_857_600);
    expect(loadConfig({ ...valid, FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '104857600' }).settings.PROXY_MAX_BODY_BYTES).toBe(104_857_600);
  });

  it('refuses a proxy body limit above the host limit when the host limit is set', () => {
    const problems = problemsOf({ ...valid, PROXY_MAX_BODY_BYTES: '262144000', FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '104857600' });
    expect(problems).toEqual([
      'PROXY_MAX_BODY_BYTES: 262144000 is above FUNCTIONS_REQUEST_BODY_SIZE_LIMIT (104857600), the largest body the Functions host accepts; lower it or raise both',
    ]);
    // Without the host setting (the local host) the app's own figure is the only one.
    expect(loadConfig({ ...valid, PROXY_MAX_BODY_BYTES: '262144000' }).settings.PROXY_MAX_BODY_BYTES).toBe(262_144_000);
    expect(problemsOf({ ...valid, FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: 'lots' })[0]).toMatch(
      /^FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: expected a whole number/,
    );
  });

  it('reads AUTH_ALLOWED_TENANTS: ids, * for any tenant, empty for any tenant (local runs)', () => {
    const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    expect(loadConfig({ ...valid, AUTH_ALLOWED_TENANTS: ` ${tenant} ` }).settings.AUTH_ALLOWED_TENANTS).toEqual([tenant]);
    expect(loadConfig({ ...valid, AUTH_ALLOWED_TENANTS: '*' }).settings.AUTH_ALLOWED_TENANTS).toEqual([]);
    expect(loadConfig(valid).settings.AUTH_ALLOWED_TENANTS).toEqual([]);
    expect(problemsOf({ ...valid, AUTH_ALLOWED_TENANTS: `*,${tenant}` })).toEqual([
      'AUTH_ALLOWED_TENANTS: expected tenant ids, or * alone for any tenant',
    ]);
  });

  it('ensures storage at start unless the deployment says it provisioned it', () => {
    expect(loadConfig(valid).settings.STORAGE_PROVISIONED).toBe(false);
    expect(loadConfig({ ...valid, STORAGE_PROVISIONED: 'true' }).settings.STORAGE_PROVISIONED).toBe(true);
  });
});
