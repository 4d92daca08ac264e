import { z } from 'zod';
import { expectReply } from './appRequest';
import type { Stack } from './stack';

const instanceViewSchema = z.object({ consumerKey: z.string(), publicKeyPem: z.string() });
const startSchema = z.object({ authorizeUrl: z.string() });

/**
 * Registers a Jira instance through the admin API (as an admin would) and links its
 * consumer key in the simulated Jira (as the Jira admin would, with impersonation for
 * 2-legged calls as the service user).
 */
export async function registerInstance(stack: Stack, instanceId: string, body: Record<string, unknown> = {}): Promise<void> {
  const reply = await expectReply([200, 201], `registering ${instanceId}`, `${stack.appUrl}/api/manage/instances/${instanceId}`, {
    method: 'PUT',
    token: stack.adminToken,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ baseUrl: stack.jira.url, displayName: `Bench ${instanceId}`, serviceUser: 'jira-service', ...body }),
  });
  const view = instanceViewSchema.parse(JSON.parse(reply.text));
  stack.jira.registerConsumer({ consumerKey: view.consumerKey, publicKeyPem: view.publicKeyPem, allowImpersonation: true });
}

/**
 * Registers an OAuth 2.0 instance: creates the incoming link in the simulated Jira (its
 * redirect URL our callback) and registers its client id and secret, as a Jira admin would.
 */
export async function registerOAuth2Instance(stack: Stack, instanceId: string): Promise<void> {
  const client = stack.jira.addOAuth2Client(`${stack.appUrl}/api/jira/oauth/callback`);
  await registerInstance(stack, instanceId, {
    authKind: 'oauth2',
    oauth2ClientId: client.clientId,
    oauth2ClientSecret: client.clientSecret,
  });
}

/**
 * The dance for one user: start, open the begin URL (its cookie binds this "browser"),
 * "Allow" in Jira as `jiraUser` (OAuth 1.0a or 2.0, by where the begin URL sends the
 * browser), follow the callback with the cookie.
 */
export async function authorizeUser(stack: Stack, userToken: string, instanceId: string, jiraUser: string): Promise<void> {
  const started = await expectReply([200], 'starting the OAuth dance', `${stack.appUrl}/api/jira/${instanceId}/oauth/start`, {
    method: 'POST',
    token: userToken,
  });
  const begin = await expectReply([302], 'opening the begin URL', startSchema.parse(JSON.parse(started.text)).authorizeUrl);
  const cookie = begin.headers.getSetCookie().map((line) => line.split(';', 1)[0] ?? '');
  const jiraAuthorize = new URL(begin.headers.get('location') ?? '');
  const { callbackUrl } = jiraAuthorize.pathname.endsWith('/rest/oauth2/latest/authorize')
    ? stack.jira.approveOAuth2(jiraAuthorize.toString(), jiraUser)
    : stack.jira.approve(jiraAuthorize.searchParams.get('oauth_token') ?? '', jiraUser);
  const callback = new URL(callbackUrl);
  await expectReply([200], 'following the OAuth callback', `${stack.appUrl}${callback.pathname}${callback.search}`, {
    headers: { cookie: cookie.join('; ') },
  });
}
