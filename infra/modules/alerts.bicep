// What pages the operator: an action group (e-mail), and alerts on the app's own
// telemetry in Application Insights. Storage's queue metrics have no per-queue dimension
// (QueueMessageCount is account-wide, hourly), so a poison queue is watched through the
// app's log line for each message the host moves there.

@description('Name prefix of the alert resources.')
param namePrefix string

@description('Azure region of the availability test (alert rules are global or regional as their type requires).')
param location string

@description('Tags for the resources.')
param tags object

@description('Name of the Application Insights component the alerts read.')
param applicationInsightsName string

@description('The app\'s public base URL, without a trailing slash: the availability test calls /api/health under it.')
param baseUrl string

@description('Where alerts are e-mailed; empty: the action group has no receiver (alerts still show in the portal).')
param alertEmail string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-operators'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'joc-ops'
    enabled: true
    emailReceivers: empty(alertEmail)
      ? []
      : [
          {
            name: 'operator'
            emailAddress: alertEmail
            useCommonAlertSchema: true
          }
        ]
  }
}

var actions = {
  actionGroups: [
    actionGroup.id
  ]
}

// Every invocation the Functions host reports as failed (HTTP 5xx, a queue message or a timer run that threw).
resource functionFailures 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: '${namePrefix}-function-failures'
  location: 'global'
  tags: tags
  properties: {
    description: 'Function invocations failed (requests/failed > 0 over 15 minutes).'
    severity: 2
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'failedRequests'
          metricNamespace: 'microsoft.insights/components'
          metricName: 'requests/failed'
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Count'
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// functions/withPoisonReport.ts logs this line for each message whose last attempt failed, which the host then moves to <queue>-poison.
resource poisonMessages 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}-poison-queue'
  location: location
  tags: tags
  properties: {
    description: 'A message reached a poison queue: its depth is above 0 until it is replayed (npm run replay-poison, or the panel).'
    severity: 1
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'traces | where message startswith "poison: "'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: actions
  }
}

// functions/renewSubscriptions.ts warns with this prefix when a renewal failed; two runs in a row fail before it pages.
resource failedRenewals 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}-failed-renewals'
  location: location
  tags: tags
  properties: {
    description: 'Graph subscription renewals failed in two timer runs: mail will stop notifying when the subscriptions expire.'
    severity: 2
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'traces | where message startswith "renew subscriptions: " and message !has ", failed 0"'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 2
            minFailingPeriodsToAlert: 2
          }
        }
      ]
    }
    actions: actions
  }
}

// A standard test: Azure calls /api/health from five regions every five minutes; 200 is up.
resource healthTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: '${namePrefix}-health'
  location: location
  tags: union(tags, {
    'hidden-link:${appInsights.id}': 'Resource'
  })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: '${namePrefix}-health'
    Name: 'GET /api/health'
    Enabled: true
    Frequency: 300
    Timeout: 30
    Kind: 'standard'
    RetryEnabled: true
    Locations: [
      { Id: 'us-va-ash-azr' }
      { Id: 'emea-nl-ams-azr' }
      { Id: 'emea-gb-db3-azr' }
      { Id: 'apac-sg-sin-azr' }
      { Id: 'us-ca-sjc-azr' }
    ]
    Request: {
      RequestUrl: '${baseUrl}/api/health'
      HttpVerb: 'GET'
      ParseDependentRequests: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
}

resource healthAlert 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: '${namePrefix}-health-unavailable'
  location: 'global'
  tags: union(tags, {
    'hidden-link:${appInsights.id}': 'Resource'
    'hidden-link:${healthTest.id}': 'Resource'
  })
  properties: {
    description: '/api/health failed from 2 or more of 5 locations: storage unreachable or the app down.'
    severity: 1
    enabled: true
    scopes: [
      healthTest.id
      appInsights.id
    ]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: healthTest.id
      componentId: appInsights.id
      failedLocationCount: 2
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

output actionGroupId string = actionGroup.id
