import { expectReply } from './appRequest';
import { authorizeUser } from './jiraSetup';
import type { Stack } from './stack';

/** What a stack must serve for `linkConversation`: the OAuth dance (linking needs the user's Jira token) and the links API. */
export const LINK_FUNCTIONS = ['jiraOAuthStart', 'jiraOAuthBegin', 'jiraOAuthCallback', 'links'];

/**
 * Links a conversation to issues through `POST /api/links` as the user (as the add-in
 * does), after the user's OAuth dance with Jira (the app checks each issue as that user),
 * which makes the app subscribe the user's mailbox in the simulated Graph (with the
 * validation handshake); returns that subscription's id.
 */
export async function linkConversation(
  stack: Stack,
  init: { userId: string; token: string; conversationId: string; instanceId: string; issueKeys: readonly string[] },
): Promise<string> {
  await authorizeUser(stack, init.token, init.instanceId, 'alice');
  for (const issueKey of init.issueKeys) {
    await expectReply([200, 201], `linking ${issueKey}`, `${stack.appUrl}/api/links`, {
      method: 'POST',
      token: init.token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversationId: init.conversationId, instanceId: init.instanceId, issueKey }),
    });
  }
  const subscription = [...(stack.graph?.state.subscriptions.values() ?? [])].find((candidate) => candidate.userId === init.userId);
  if (!subscription) throw new Error('linking did not create a Graph subscription for the mailbox');
  return subscription.id;
}
