import { expectReply } from './appRequest';
import type { Stack } from './stack';

/**
 * Links a conversation to issues through `POST /api/links` as the user (as the add-in
 * does), which makes the app subscribe the user's mailbox in the simulated Graph (with the
 * validation handshake); returns that subscription's id.
 */
export async function linkConversation(
  stack: Stack,
  init: { userId: string; token: string; conversationId: string; instanceId: string; issueKeys: readonly string[] },
): Promise<string> {
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
