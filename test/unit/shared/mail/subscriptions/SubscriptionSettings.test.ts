import { createSelfSignedCertificate } from '../../../../../dev/sandbox/graph/createSelfSignedCertificate';
import { ConfigError } from '../../../../../shared/platform/config/ConfigError';
import { loadConfig } from '../../../../../shared/platform/config/loadConfig';
import { toSubscriptionSettings } from '../../../../../shared/mail/subscriptions/SubscriptionSettings';

const certificate = createSelfSignedCertificate('settings').certificate;
const base = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  PUBLIC_BASE_URL: 'https://app.example.com/',
  API_AUDIENCE: 'api://jira-outlook',
  GRAPH_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
  GRAPH_CLIENT_SECRET: 'not-a-real-secret',
};
const rich = { GRAPH_ENCRYPTION_CERTIFICATE: certificate, GRAPH_ENCRYPTION_CERTIFICATE_ID: 'cert-1' };

/** As the app reads them: the environment through the schema, then the subscription part. */
const settingsFrom = (env: Record<string, string>) => toSubscriptionSettings(loadConfig({ ...base, ...env }).settings);

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    settingsFrom(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('subscription settings', () => {
  it('asks Graph’s maximum for the kind when GRAPH_SUBSCRIPTION_MINUTES is unset or empty', () => {
    expect(settingsFrom({}).subscriptionMinutes).toBe(10_070);
    expect(settingsFrom({ GRAPH_SUBSCRIPTION_MINUTES: '' }).subscriptionMinutes).toBe(10_070);
    expect(settingsFrom(rich).subscriptionMinutes).toBe(1_440);
    expect(settingsFrom(rich).richNotifications?.certificateId).toBe('cert-1');
  });

  it('lets the setting shorten the lifetime down to 45 minutes', () => {
    expect(settingsFrom({ GRAPH_SUBSCRIPTION_MINUTES: '4230' }).subscriptionMinutes).toBe(4230);
    expect(settingsFrom({ ...rich, GRAPH_SUBSCRIPTION_MINUTES: '1440' }).subscriptionMinutes).toBe(1440);
    expect(settingsFrom({ GRAPH_SUBSCRIPTION_MINUTES: '45', GRAPH_RENEWAL_WINDOW_MINUTES: '30' }).subscriptionMinutes).toBe(45);
    expect(() => loadConfig({ ...base, GRAPH_SUBSCRIPTION_MINUTES: '44' })).toThrow(/GRAPH_SUBSCRIPTION_MINUTES: expected a whole number/);
  });

  it('refuses a lifetime Graph would refuse, saying which maximum applies', () => {
    expect(problemsOf({ GRAPH_SUBSCRIPTION_MINUTES: '10071' })).toEqual([
      'GRAPH_SUBSCRIPTION_MINUTES: Graph refuses an Outlook message subscription without resource data longer than 10070 minutes; 10071 asks for more (leave it empty for the maximum)',
    ]);
    // The old default is too long once rich notifications are on.
    expect(problemsOf({ ...rich, GRAPH_SUBSCRIPTION_MINUTES: '4230' })).toEqual([
      'GRAPH_SUBSCRIPTION_MINUTES: Graph refuses an Outlook message subscription with resource data (GRAPH_ENCRYPTION_CERTIFICATE is set) longer than 1440 minutes; 4230 asks for more (leave it empty for the maximum)',
    ]);
  });

  it('refuses a renewal window that leaves no timer run between two renewals', () => {
    // 720 (the default) fits a day with 15 minutes to spare; 1,426 does not.
    expect(settingsFrom({ ...rich, GRAPH_RENEWAL_WINDOW_MINUTES: '1425' }).renewalWindowMinutes).toBe(1425);
    expect(problemsOf({ ...rich, GRAPH_RENEWAL_WINDOW_MINUTES: '1426' })).toEqual([
      'GRAPH_RENEWAL_WINDOW_MINUTES: 1426 does not fit a 1440-minute subscription renewed by a timer every 15 minutes; at most 1425',
    ]);
    expect(problemsOf({ GRAPH_SUBSCRIPTION_MINUTES: '60' })).toEqual([
      'GRAPH_RENEWAL_WINDOW_MINUTES: 720 does not fit a 60-minute subscription renewed by a timer every 15 minutes; at most 45',
    ]);
  });

  it('names every problem at once, the certificate id included', () => {
    expect(
      problemsOf({
        GRAPH_ENCRYPTION_CERTIFICATE: certificate,
        GRAPH_SUBSCRIPTION_MINUTES: '2000',
        GRAPH_RENEWAL_WINDOW_MINUTES: '1430',
      }).map((problem) => problem.split(':')[0]),
    ).toEqual(['GRAPH_ENCRYPTION_CERTIFICATE_ID', 'GRAPH_SUBSCRIPTION_MINUTES', 'GRAPH_RENEWAL_WINDOW_MINUTES']);
  });
});
