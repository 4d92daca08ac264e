import type { z } from 'zod';
import { settingNames, settingsSchema } from '../../../../shared/platform/config/settingsSchema';
import { toStorageTarget } from '../../../../shared/platform/config/storageTarget';
import { allQueueNames, poisonQueueName } from '../../../../shared/platform/storage/queueNames';
import { allTableNames } from '../../../../shared/platform/storage/tableNames';
import { deploymentOutputNames } from '../../../../infra/deploy/deploymentOutputs';
import {
  display,
  evaluate,
  expandResources,
  expandTemplates,
  isUnresolved,
  resourcesOf,
  rootScope,
  type ExpandedResource,
  type Value,
} from './armTemplate';

/** What the code says the infrastructure must provide. */
export interface InfraExpectations {
  queues: readonly string[];
  tables: readonly string[];
  requiredSettings: readonly string[];
  knownSettings: readonly string[];
  sensitiveSettings: readonly string[];
  outputNames: readonly string[];
  /** Output name → the route (DESIGN.md) its URL must end with. */
  outputRoutes: Readonly<Record<string, string>>;
  /** The lowest Node.js major version package.json's engines allow. */
  nodeMajor: string;
}

// Settings whose value the template takes from the resources it creates or from another
// setting's parameter, so they have no parameter of their own.
const DERIVED_SETTINGS: Readonly<Record<string, string>> = {
  AzureWebJobsStorage__accountName: 'the storage account',
  AzureWebJobsStorage__credential: 'managed identity',
  AzureWebJobsStorage__clientId: 'the user-assigned identity',
  STORAGE_PROVISIONED: 'the template creates every table and queue',
  FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: 'the proxyMaxBodyBytes parameter, as PROXY_MAX_BODY_BYTES',
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'the Application Insights component the template creates',
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'the user-assigned identity (local auth is off on the component)',
};

// Settings of the schema the template deliberately leaves out, with the reason.
const UNSET_SETTINGS: Readonly<Record<string, string>> = {
  AzureWebJobsStorage: 'a connection string needs the shared key the account refuses',
  AzureWebJobsStorage__queueServiceUri: 'AzureWebJobsStorage__accountName gives the queue endpoint',
  AzureWebJobsStorage__tableServiceUri: 'AzureWebJobsStorage__accountName gives the table endpoint',
};

/** `GRAPH_ENCRYPTION_PRIVATE_KEYS` → `graphEncryptionPrivateKeys`: the parameter that sets a setting. */
export function parameterNameOf(setting: string): string {
  return setting.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

// Settings the Functions host reads (not the app's schema) that the template may set.
const HOST_SETTINGS = ['APPLICATIONINSIGHTS_CONNECTION_STRING', 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'];

// Flex Consumption rejects or ignores these (functionAppConfig replaces them); a storage
// connection string would need the shared key the account refuses.
const FORBIDDEN_SETTINGS = [
  'AzureWebJobsStorage',
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_WORKER_RUNTIME_VERSION',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'ENABLE_ORYX_BUILD',
];

const ROLES = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
};
const BROAD_ROLES: Record<string, string> = {
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': 'User Access Administrator',
  '17d1049b-9a84-46fb-8f53-869881c3d3ab': 'Storage Account Contributor',
  '00482a5a-887f-4fb3-b363-3b7fe8e74483': 'Key Vault Administrator',
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': 'Key Vault Secrets Officer',
};

/** The settings a deployment must set: those the schema rejects when absent. */
export function requiredSettingsOf(schema: z.ZodType): string[] {
  const parsed = schema.safeParse({});
  if (parsed.success) return [];
  return [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))].sort();
}

export function expectationsFromCode(
  schema: z.ZodType = settingsSchema,
  extraSettings: readonly string[] = [],
  nodeMajor: string,
): InfraExpectations {
  const known = [...settingNames, ...extraSettings];
  return {
    queues: allQueueNames.flatMap((queue) => [queue, poisonQueueName(queue)]),
    tables: allTableNames,
    requiredSettings: requiredSettingsOf(schema),
    knownSettings: known,
    sensitiveSettings: known.filter((name) => /SECRET|PASSWORD|PRIVATE_KEY|ENCRYPTION_KEY/.test(name)),
    outputNames: deploymentOutputNames,
    outputRoutes: {
      graphNotificationUrl: '/api/graph/notifications',
      graphLifecycleUrl: '/api/graph/lifecycle',
      jiraOAuthCallbackUrl: '/api/jira/oauth/callback',
    },
    nodeMajor,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isUnresolved(value);
}

function property(resource: ExpandedResource, path: string[]): Value | undefined {
  let node: unknown = resource.raw;
  for (const key of path) node = isRecord(node) ? node[key] : undefined;
  return node === undefined ? undefined : evaluate(node, resource.scope);
}

function created(resources: ExpandedResource[], type: string): ExpandedResource[] {
  return resources.filter((r) => !r.existing && r.condition !== false && r.type.toLowerCase() === type.toLowerCase());
}

const lastSegment = (name: string) => name.split('/').pop() ?? '';
const hasValue = (value: Value | undefined) => value !== undefined && value !== null && value !== '';

/** Every way the template and the code disagree, one line each; empty when they agree. */
export function checkInfraConsistency(template: Record<string, unknown>, expected: InfraExpectations): string[] {
  const resources = expandResources(template);
  return [
    ...checkStorage(resources, expected),
    ...checkAppSettings(resources, expected),
    ...checkSettingCoverage(template, expected),
    ...checkFunctionApp(resources, expected),
    ...checkNodeVersions(template, expected),
    ...checkRoles(resources),
    ...checkSecureParameters(template),
    ...checkOutputs(template, expected),
  ];
}

function checkStorage(resources: ExpandedResource[], expected: InfraExpectations): string[] {
  const problems: string[] = [];
  const queues = new Set(created(resources, 'Microsoft.Storage/storageAccounts/queueServices/queues').map((r) => lastSegment(r.name)));
  const tables = new Set(created(resources, 'Microsoft.Storage/storageAccounts/tableServices/tables').map((r) => lastSegment(r.name)));
  for (const queue of expected.queues)
    if (!queues.has(queue)) problems.push(`queue ${queue} is used by the code but not created by the template`);
  for (const table of expected.tables)
    if (!tables.has(table)) problems.push(`table ${table} is used by the code but not created by the template`);
  const accounts = created(resources, 'Microsoft.Storage/storageAccounts');
  if (accounts.length === 0) problems.push('no storage account is created');
  const hardening: [string, Value][] = [
    ['allowSharedKeyAccess', false],
    ['allowBlobPublicAccess', false],
    ['minimumTlsVersion', 'TLS1_2'],
    ['supportsHttpsTrafficOnly', true],
  ];
  for (const account of accounts) {
    for (const [name, value] of hardening) {
      const actual = property(account, ['properties', name]);
      if (actual !== value) problems.push(`storage account ${account.name}: ${name} must be ${display(value)}, is ${display(actual)}`);
    }
  }
  return problems;
}

/** The app settings the template gives the function app, evaluated. */
export function appSettingsOf(resources: ExpandedResource[]): Record<string, Value> | string {
  const configs = created(resources, 'Microsoft.Web/sites/config').filter((r) => lastSegment(r.name) === 'appsettings');
  const settings: Record<string, Value> = {};
  for (const config of configs) {
    const values = property(config, ['properties']);
    if (!isRecord(values)) return `the appsettings of ${config.name} are not an object literal, so they cannot be checked`;
    Object.assign(settings, values);
  }
  for (const site of created(resources, 'Microsoft.Web/sites')) {
    const inline = property(site, ['properties', 'siteConfig', 'appSettings']);
    if (Array.isArray(inline)) {
      for (const entry of inline) if (isRecord(entry) && typeof entry.name === 'string') settings[entry.name] = entry.value as Value;
    }
  }
  return configs.length === 0 && Object.keys(settings).length === 0 ? 'the template sets no app settings' : settings;
}

function checkAppSettings(resources: ExpandedResource[], expected: InfraExpectations): string[] {
  const settings = appSettingsOf(resources);
  if (typeof settings === 'string') return [settings];
  const problems: string[] = [];
  for (const name of expected.requiredSettings) {
    if (!hasValue(settings[name])) problems.push(`app setting ${name} is required by the config schema but not set by the template`);
  }
  const stub = Object.fromEntries(
    Object.entries(settings).map(([name, value]) => [name, typeof value === 'string' && !value.includes('⁇') ? value : 'stubaccount1']),
  );
  const storage = toStorageTarget(stub);
  if (typeof storage === 'string') problems.push(`storage settings: ${storage}`);
  else if (storage.kind !== 'identity')
    problems.push('storage settings must be identity-based (AzureWebJobsStorage__accountName), not a connection string');
  if (settings.AzureWebJobsStorage__credential !== 'managedidentity')
    problems.push('app setting AzureWebJobsStorage__credential must be managedidentity');
  if (!hasValue(settings.AzureWebJobsStorage__clientId))
    problems.push('app setting AzureWebJobsStorage__clientId must name the user-assigned identity');
  if (settings.STORAGE_PROVISIONED !== 'true')
    problems.push('app setting STORAGE_PROVISIONED must be true: the template creates the tables and queues, the app need not at start');
  if (!hasValue(settings.AUTH_ALLOWED_TENANTS))
    problems.push('app setting AUTH_ALLOWED_TENANTS must not be empty by default: empty allows any tenant (* asks for that explicitly)');
  const proxyLimit = settings.PROXY_MAX_BODY_BYTES;
  const hostLimit = settings.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT;
  if (!hasValue(proxyLimit) || proxyLimit !== hostLimit)
    problems.push(
      `app settings PROXY_MAX_BODY_BYTES (${display(proxyLimit)}) and FUNCTIONS_REQUEST_BODY_SIZE_LIMIT (${display(hostLimit)}) must be one figure`,
    );
  const authentication = settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING;
  if (typeof authentication !== 'string' || !/^ClientId=.+;Authorization=AAD$/.test(authentication)) {
    problems.push('app setting APPLICATIONINSIGHTS_AUTHENTICATION_STRING must be ClientId=<identity>;Authorization=AAD');
  }
  return problems;
}

/**
 * `sites/config/appsettings` replaces the whole set on every deployment: a setting the
 * template does not write is wiped by the next one, whoever set it by hand. So every
 * schema setting is written, from a parameter of its own unless the template derives it.
 * Optional settings may be left out while their parameter is empty, so this check (and the
 * ones on names and secrets) fills every parameter that defaults to empty.
 */
function checkSettingCoverage(template: Record<string, unknown>, expected: InfraExpectations): string[] {
  const definitions = isRecord(template.parameters) ? template.parameters : {};
  const filled: Record<string, Value> = {};
  for (const [name, definition] of Object.entries(definitions)) {
    if (isRecord(definition) && definition.defaultValue === '') filled[name] = 'filled';
  }
  const settings = appSettingsOf(expandResources(template, filled));
  if (typeof settings === 'string') return [settings];
  const problems: string[] = [];
  for (const name of Object.keys(settings)) {
    if (FORBIDDEN_SETTINGS.includes(name)) problems.push(`app setting ${name} must not be set on the Flex Consumption plan`);
    else if (!expected.knownSettings.includes(name) && !HOST_SETTINGS.includes(name))
      problems.push(`app setting ${name} is not a setting of the config schema`);
  }
  for (const name of expected.sensitiveSettings) {
    const value = settings[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !/^@Microsoft\.KeyVault\(SecretUri=[^)]+\)$/.test(value)) {
      problems.push(
        `app setting ${name} holds a secret: it must be a Key Vault reference @Microsoft.KeyVault(SecretUri=…), is ${display(value)}`,
      );
    }
  }
  for (const name of expected.knownSettings) {
    if (name in UNSET_SETTINGS) continue;
    if (!(name in settings))
      problems.push(`app setting ${name} of the config schema is not written by the template: the next deployment would wipe it`);
    const parameter = parameterNameOf(name);
    if (!(name in DERIVED_SETTINGS) && !(parameter in definitions))
      problems.push(`app setting ${name} of the config schema has no parameter ${parameter} in main.bicep`);
  }
  return problems;
}

function checkFunctionApp(resources: ExpandedResource[], expected: InfraExpectations): string[] {
  const problems: string[] = [];
  const plans = created(resources, 'Microsoft.Web/serverfarms');
  if (plans.length !== 1) problems.push(`expected one hosting plan, found ${plans.length}`);
  for (const plan of plans) {
    if (property(plan, ['sku', 'name']) !== 'FC1' || property(plan, ['sku', 'tier']) !== 'FlexConsumption')
      problems.push(`plan ${plan.name} must be Flex Consumption (FC1)`);
    if (property(plan, ['properties', 'reserved']) !== true) problems.push(`plan ${plan.name} must be Linux (reserved: true)`);
  }
  const sites = created(resources, 'Microsoft.Web/sites');
  if (sites.length !== 1) problems.push(`expected one function app, found ${sites.length}`);
  for (const site of sites) {
    const kind = property(site, ['kind']);
    if (typeof kind !== 'string' || !kind.includes('functionapp') || !kind.includes('linux'))
      problems.push(`${site.name}: kind must be functionapp,linux`);
    if (property(site, ['properties', 'httpsOnly']) !== true) problems.push(`${site.name}: httpsOnly must be true`);
    if (property(site, ['properties', 'functionAppConfig', 'runtime', 'name']) !== 'node')
      problems.push(`${site.name}: the runtime must be node`);
    const version = property(site, ['properties', 'functionAppConfig', 'runtime', 'version']);
    if (typeof version !== 'string' || !(Number(version) >= Number(expected.nodeMajor)))
      problems.push(
        `${site.name}: the default Node.js version is ${display(version)}, package.json engines ask for ${expected.nodeMajor} or later`,
      );
    const alwaysReady = property(site, ['properties', 'functionAppConfig', 'scaleAndConcurrency', 'alwaysReady']);
    const groups: readonly Value[] = Array.isArray(alwaysReady) ? (alwaysReady as readonly Value[]) : [];
    const http = groups.find((entry) => isRecord(entry) && entry.name === 'http');
    if (!isRecord(http) || typeof http.instanceCount !== 'number' || http.instanceCount < 1)
      problems.push(`${site.name}: the HTTP group needs an always-ready instance by default (Graph wants an answer within 3 s)`);
    for (const setting of ['instanceMemoryMB', 'maximumInstanceCount']) {
      if (!hasValue(property(site, ['properties', 'functionAppConfig', 'scaleAndConcurrency', setting])))
        problems.push(`${site.name}: scaleAndConcurrency.${setting} is not set`);
    }
    if (property(site, ['properties', 'functionAppConfig', 'deployment', 'storage', 'authentication', 'type']) !== 'UserAssignedIdentity') {
      problems.push(`${site.name}: the deployment container must be read with the user-assigned identity`);
    }
    if (!hasValue(property(site, ['properties', 'keyVaultReferenceIdentity'])))
      problems.push(`${site.name}: keyVaultReferenceIdentity must name the user-assigned identity`);
    if (property(site, ['identity', 'type']) !== 'UserAssigned') problems.push(`${site.name}: must run as the user-assigned identity`);
  }
  for (const component of created(resources, 'Microsoft.Insights/components')) {
    if (property(component, ['properties', 'DisableLocalAuth']) !== true)
      problems.push(`Application Insights ${component.name}: DisableLocalAuth must be true`);
  }
  const vaults = created(resources, 'Microsoft.KeyVault/vaults');
  if (vaults.length === 0) problems.push('no Key Vault is created');
  for (const vault of vaults) {
    if (property(vault, ['properties', 'enableRbacAuthorization']) !== true)
      problems.push(`Key Vault ${vault.name}: enableRbacAuthorization must be true`);
  }
  return problems;
}

/** Every Node.js version the template lets a deployment choose must be one package.json allows. */
function checkNodeVersions(template: Record<string, unknown>, expected: InfraExpectations): string[] {
  const definitions = isRecord(template.parameters) ? template.parameters : {};
  const definition = definitions.nodeVersion;
  const allowed = isRecord(definition) && Array.isArray(definition.allowedValues) ? (definition.allowedValues as unknown[]) : [];
  return allowed
    .filter((version) => !(Number(version) >= Number(expected.nodeMajor)))
    .map((version) => `nodeVersion allows ${String(version)}, package.json engines ask for ${expected.nodeMajor} or later`);
}

function checkRoles(resources: ExpandedResource[]): string[] {
  const problems: string[] = [];
  const assigned = new Map<string, string[]>();
  for (const assignment of created(resources, 'Microsoft.Authorization/roleAssignments')) {
    const id = property(assignment, ['properties', 'roleDefinitionId']);
    const role = typeof id === 'string' ? lastSegment(id) : '⁇';
    const scope = property(assignment, ['scope']);
    assigned.set(role, [...(assigned.get(role) ?? []), typeof scope === 'string' ? scope : '⁇']);
    if (BROAD_ROLES[role]) problems.push(`role ${BROAD_ROLES[role]} is not least privilege`);
  }
  for (const [name, id] of Object.entries(ROLES)) if (!assigned.has(id)) problems.push(`role ${name} (${id}) is not assigned`);
  for (const scope of assigned.get(ROLES.keyVaultSecretsUser) ?? []) {
    if (!scope.includes('Microsoft.KeyVault/vaults/secrets/'))
      problems.push(`Key Vault Secrets User must be scoped to one secret, is scoped to ${scope}`);
  }
  return problems;
}

const PARAMETER_REFERENCE = /parameters\('([^']+)'\)/g;
// A resource written only when a secret is given: the condition learns whether it is empty, nothing else.
const EMPTINESS_CONDITION = /^\[(not\()?empty\(parameters\('[^']+'\)\)\)?\]$/;

function secureParameterNames(template: Record<string, unknown>): Set<string> {
  const definitions = isRecord(template.parameters) ? template.parameters : {};
  return new Set(
    Object.entries(definitions)
      .filter(
        ([, definition]) => isRecord(definition) && typeof definition.type === 'string' && /^secure(string|object)$/i.test(definition.type),
      )
      .map(([name]) => name),
  );
}

/** Secure parameters may only become Key Vault secret values or secure module inputs. */
function checkSecureParameters(template: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const { template: current, modules } of expandTemplates(template)) {
    const secure = secureParameterNames(current);
    if (secure.size === 0) continue;
    const where = modules.length > 0 ? `module ${modules.join('/')}` : 'main.bicep';
    const visit = (node: unknown, path: string[], allowed: (path: string[]) => boolean, what: string) => {
      if (typeof node === 'string') {
        for (const match of node.matchAll(PARAMETER_REFERENCE)) {
          if (match[1] && secure.has(match[1]) && !allowed(path))
            problems.push(`${where}: secure parameter ${match[1]} reaches ${what} at ${path.join('.')}`);
        }
      } else if (Array.isArray(node)) {
        node.forEach((item, i) => visit(item, [...path, String(i)], allowed, what));
      } else if (isRecord(node)) {
        for (const [key, item] of Object.entries(node)) {
          // A module's own template has its own parameters; it is checked on its own.
          if (path.length === 1 && path[0] === 'properties' && key === 'template') continue;
          visit(item, [...path, key], allowed, what);
        }
      }
    };
    visit(current.variables, ['variables'], () => false, 'a variable');
    visit(current.outputs, ['outputs'], () => false, 'an output');
    for (const resource of resourcesOf(current)) {
      const type = String(resource.type);
      const nested = isRecord(resource.properties) && isRecord(resource.properties.template) ? resource.properties.template : undefined;
      const nestedSecure = nested ? secureParameterNames(nested) : new Set<string>();
      visit(
        resource,
        [],
        (path) =>
          (path.join('.') === 'condition' && typeof resource.condition === 'string' && EMPTINESS_CONDITION.test(resource.condition)) ||
          (type === 'Microsoft.KeyVault/vaults/secrets' && path.join('.') === 'properties.value') ||
          (type === 'Microsoft.Resources/deployments' &&
            path.length === 4 &&
            path[0] === 'properties' &&
            path[1] === 'parameters' &&
            path[3] === 'value' &&
            nestedSecure.has(path[2] ?? '')),
        `a ${type} resource`,
      );
    }
  }
  return problems;
}

function checkOutputs(template: Record<string, unknown>, expected: InfraExpectations): string[] {
  const problems: string[] = [];
  const outputs = isRecord(template.outputs) ? template.outputs : {};
  const scope = rootScope(template);
  for (const name of expected.outputNames)
    if (!(name in outputs)) problems.push(`output ${name} is read by the deploy CLI but not declared`);
  for (const [name, route] of Object.entries(expected.outputRoutes)) {
    const output = outputs[name];
    const value = isRecord(output) ? evaluate(output.value, scope) : undefined;
    if (typeof value !== 'string' || !value.endsWith(route)) problems.push(`output ${name} must end with ${route}, is ${display(value)}`);
  }
  return problems;
}

/** Every setting with a parameter is read from the environment variable of the same name. */
export function checkParametersFileSettings(
  parametersFile: unknown,
  template: Record<string, unknown>,
  expected: InfraExpectations,
): string[] {
  const definitions = isRecord(template.parameters) ? template.parameters : {};
  const parameters = isRecord(parametersFile) && isRecord(parametersFile.parameters) ? parametersFile.parameters : {};
  const problems: string[] = [];
  for (const setting of expected.knownSettings) {
    const parameter = parameterNameOf(setting);
    if (!(parameter in definitions)) continue;
    const entry = parameters[parameter];
    if (!isRecord(entry) || entry.value !== `\${${setting}}`)
      problems.push(`parameters file: ${parameter} must read \${${setting}}, so the setting can be given by its own name`);
  }
  return problems;
}

/** Secure parameters in the parameters file must come from the environment or Key Vault. */
export function checkParametersFile(parametersFile: unknown, template: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const definitions = isRecord(template.parameters) ? template.parameters : {};
  const secure = secureParameterNames(template);
  const parameters = isRecord(parametersFile) && isRecord(parametersFile.parameters) ? parametersFile.parameters : {};
  for (const [name, entry] of Object.entries(parameters)) {
    if (!(name in definitions)) problems.push(`parameters file: ${name} is not a parameter of main.bicep`);
    if (!secure.has(name) || !isRecord(entry)) continue;
    const fromEnvironment = typeof entry.value === 'string' && /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(entry.value);
    if (!fromEnvironment && !isRecord(entry.reference))
      problems.push(`parameters file: ${name} is secure: its value must be \${VARIABLE} or a Key Vault reference`);
  }
  return problems;
}
