import { AppError, isAppError } from '../../platform/errors/AppError';
import type { GraphApi } from '../graph/GraphApi';

export interface SharedMailboxCheck {
  graph: { forTenant: (tenantId: string) => Pick<GraphApi, 'asUser'> };
  tenantId: string;
  /** The caller's own bearer token, traded on-behalf-of for a delegated Graph token. */
  userAssertion: string;
  mailboxId: string;
  conversationId: string;
}

/**
 * Before a conversation of a shared mailbox is linked: Graph, asked as the caller (delegated
 * `Mail.Read.Shared`), must show that mailbox holding the conversation. Our application
 * permission reads every mailbox of the tenant, so it proves nothing about the caller; the
 * caller's own token does. A mailbox Graph refuses the caller (403 `ErrorAccessDenied`) or
 * does not know (404) is one answer, `mailbox_access_denied`: no probing which exist.
 */
export async function verifySharedMailboxAccess(check: SharedMailboxCheck): Promise<void> {
  let found: boolean;
  try {
    found = await check.graph.forTenant(check.tenantId).asUser(check.userAssertion).hasConversation(check.mailboxId, check.conversationId);
  } catch (error) {
    if (isAppError(error) && (error.code === 'graph_access_denied' || error.code === 'graph_not_found'))
      throw new AppError({ code: 'mailbox_access_denied', detail: 'Microsoft Graph does not let you read that mailbox' });
    throw error;
  }
  if (!found) throw new AppError({ code: 'conversation_not_found', detail: 'the mailbox holds no message of that conversation' });
}
