import { queueNames } from '../../shared/platform/storage/queueNames';
import { startFanoutStack, waitFor, type FanoutStack } from '../support/fanoutStack';

/**
 * Switching an instance from OAuth 1.0a to OAuth 2.0 in place (issue 17) concerns users'
 * authorizations only: links, subscriptions and deliveries stay, and the fan-out's
 * background calls keep the instance's service credential (here 2-legged OAuth 1.0a with
 * impersonation of the service user), so a mail arriving after the switch still notifies.
 */
describe('an instance switched to OAuth 2.0 keeps notifying', () => {
  let stack: FanoutStack;

  beforeAll(async () => {
    stack = await startFanoutStack();
  }, 120_000);
  afterAll(() => stack?.stop());

  it('links and the subscription untouched, the notification sent with the service credential', async () => {
    const scenario = await stack.newScenario();
    stack.addIssue('SWITCH-1', ['bob', 'carol']);
    await stack.link(scenario, 'SWITCH-1');

    const client = stack.jira.addOAuth2Client('http://127.0.0.1:7071/api/jira/oauth/callback');
    const { view } = await stack.services.instances.register(scenario.tenantId, scenario.instanceId, {
      baseUrl: stack.jira.url,
      displayName: 'Demo',
      serviceUser: 'jira-service',
      authKind: 'oauth2',
      oauth2ClientId: client.clientId,
      oauth2ClientSecret: client.clientSecret,
    });
    expect(view.authKind).toBe('oauth2');
    expect(
      await stack.services.repositories.links.get({
        tenantId: scenario.tenantId,
        conversationId: scenario.conversationId,
        instanceId: scenario.instanceId,
        issueKey: 'SWITCH-1',
      }),
    ).toBeDefined();
    expect(await stack.services.repositories.subscriptions.get({ subscriptionId: scenario.subscriptionId })).toBeDefined();

    const message = stack.mail(scenario, { from: 'Alice Example <alice@example.test>', subject: 'After the switch' });
    await stack.notify(message);
    const sent = await waitFor(async () => {
      const entries = stack.notifications.outbox.filter((entry) => entry.issueKey === 'SWITCH-1');
      const queued = (await stack.count(queueNames.graphNotifications)) + (await stack.count(queueNames.jiraNotify));
      return entries.length > 0 && queued === 0 ? entries : undefined;
    }, 'the notification of SWITCH-1');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.recipients.sort()).toEqual(['bob', 'carol']);
    const calls = stack.jira.requests.filter((request) => request.url.includes('/issue/SWITCH-1/'));
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call.auth).toMatchObject({ kind: 'oauth-2lo', user: 'jira-service' });
  });
});
