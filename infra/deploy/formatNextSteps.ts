import type { DeploymentOutputs } from './deploymentOutputs';

/**
 * What the operator does after the infrastructure exists: publish the code, finish the
 * Entra ID app registration, and link Jira. Values only, no secrets.
 */
export function formatNextSteps(outputs: DeploymentOutputs, resourceGroup: string): string[] {
  return [
    'Deployed.',
    `  Function app          ${outputs.functionAppName} (${outputs.functionAppUrl})`,
    `  Graph notifications   ${outputs.graphNotificationUrl}`,
    `  Graph lifecycle       ${outputs.graphLifecycleUrl}`,
    `  Jira OAuth callback   ${outputs.jiraOAuthCallbackUrl}`,
    `  Key Vault             ${outputs.keyVaultName}`,
    `  Storage account       ${outputs.storageAccountName}`,
    `  Application Insights  ${outputs.applicationInsightsName}`,
    '',
    'Next steps (docs/deployment.md has the details):',
    '  1. Publish the code:',
    '       npm ci && npm run build && npm prune --omit=dev',
    `       func azure functionapp publish ${outputs.functionAppName}`,
    `     or: azd deploy api    (or: az functionapp deployment source config-zip -g ${resourceGroup} -n ${outputs.functionAppName} --src app.zip)`,
    `     then: curl ${outputs.functionAppUrl}/api/health`,
    '  2. The app registration (GRAPH_CLIENT_ID) in Microsoft Entra ID:',
    '     - API permissions: Microsoft Graph, application permission Mail.Read, then "Grant admin consent".',
    `     - Expose an API: Application ID URI api://<client id>, a scope for the add-in, and the app role Integration.Admin`,
    '       (assign it to the Jira administrators).',
    `     - Graph validates ${outputs.graphNotificationUrl} and ${outputs.graphLifecycleUrl}`,
    '       when the app creates a subscription: both answer as soon as the code is published.',
    '  3. In Jira (Administration > Applications > Application links), create a link to:',
    `     - Application URL:        ${outputs.functionAppUrl}`,
    '     - Incoming authentication: the consumer key and public key of the instance you register',
    `       with PUT ${outputs.functionAppUrl}/api/manage/instances/<instanceId>`,
    `     - Consumer callback URL:  ${outputs.jiraOAuthCallbackUrl}`,
  ];
}
