import type { DeploymentOutputs } from './deploymentOutputs';

/**
 * What the operator does after the infrastructure exists: publish the code (unless the
 * deploy just did), finish the Entra ID app registration, and link Jira. Values only, no secrets.
 */
export function formatNextSteps(outputs: DeploymentOutputs, resourceGroup: string, published = false): string[] {
  const publish = published
    ? ['  1. The code is published. Check it:', `       curl ${outputs.functionAppUrl}/api/health`]
    : [
        '  1. Publish the code (the package `npm run package` prints):',
        `       az functionapp deployment source config-zip -g ${resourceGroup} -n ${outputs.functionAppName} --src dist/package/<name>.zip`,
        '     or: azd deploy api',
        `     then: curl ${outputs.functionAppUrl}/api/health`,
      ];
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
    ...publish,
    '  2. The app registration (GRAPH_CLIENT_ID) in Microsoft Entra ID:',
    '     - API permissions: Microsoft Graph, application permissions Mail.Read and User.Read.All (the panel names',
    '       mailbox owners), delegated Mail.Read.Shared for shared mailboxes, then "Grant admin consent".',
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
