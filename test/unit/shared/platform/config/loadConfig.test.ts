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

  it('keeps every key of a rotation list, the first one active', () => {
    const other = Buffer.alloc(32, 9).toString('base64');
    const config = loadConfig({ ...valid, DATA_ENCRYPTION_KEY: `k2:${other},k1:${key}` });
    expect(config.encryption.activeKeyId).toBe('k2');
    expect([...config.encryption.keys.keys()]).toEqual(['k2', 'k1']);
  });
});
