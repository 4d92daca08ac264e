import { ResponseType, type Client, type GraphRequest } from '@microsoft/microsoft-graph-client';
import type { z } from 'zod';
import { AppError } from '../../platform/errors/AppError';
import { MAIL_RESOURCE_FIELDS, mailResourceDataSchema, type MailResourceData } from '../webhooks/mailResourceDataSchema';
import {
  batchResponseSchema,
  graphSubscriptionSchema,
  graphUserSchema,
  MAX_BATCH_REQUESTS,
  messagePageSchema,
  USER_NAME_FIELDS,
  type CreateSubscriptionRequest,
  type GraphSubscription,
  type GraphUser,
} from './graphSchemas';
import { unwrapGraphError } from './passThroughError';
import { toGraphFailure } from './toGraphFailure';

/** One user of a `getUsers` batch: Graph's status for it, and the user when it answered 200. */
export interface GraphUserLookup {
  userId: string;
  status: number;
  user?: GraphUser;
}

export interface GraphApiInit {
  client: Client;
  /** e.g. `https://graph.microsoft.com/v1.0`: nextLinks must start with it. */
  baseUrl: string;
  now: () => number;
  /** The same API acting for a user (on-behalf-of, delegated `Mail.Read.Shared`); absent on a delegated one. */
  asUser?: (userAssertion: string) => GraphApi;
  /** The app-only token of this tenant (MSAL's cache first); absent on a delegated one. */
  appToken?: () => Promise<string>;
}

/**
 * The Graph calls this app makes, for one tenant, on the SDK's request builder with our
 * middleware chain. Every answer is read raw and checked with a schema; every failure is
 * an AppError (`throttled` with the delay for 429, `graph_not_found` for 404).
 */
export class GraphApi {
  constructor(private readonly init: GraphApiInit) {}

  async createSubscription(request: CreateSubscriptionRequest): Promise<GraphSubscription> {
    const response = await this.send('creating a subscription', (api) => api('/subscriptions').post(request));
    return this.parse(response, graphSubscriptionSchema, 'creating a subscription');
  }

  async renewSubscription(subscriptionId: string, expirationDateTime: string): Promise<GraphSubscription> {
    const response = await this.send('renewing a subscription', (api) =>
      api(`/subscriptions/${encodeURIComponent(subscriptionId)}`).patch({ expirationDateTime }),
    );
    return this.parse(response, graphSubscriptionSchema, 'renewing a subscription');
  }

  /** Deleting a subscription Graph no longer has is a success: the goal is that it is gone. */
  async deleteSubscription(subscriptionId: string): Promise<void> {
    try {
      await this.send('deleting a subscription', (api) => api(`/subscriptions/${encodeURIComponent(subscriptionId)}`).delete());
    } catch (error) {
      if (error instanceof AppError && error.code === 'graph_not_found') return;
      throw error;
    }
  }

  async getMessage(userId: string, messageId: string): Promise<MailResourceData> {
    const response = await this.send('reading a message', (api) =>
      api(`/users/${encodeURIComponent(userId)}/messages/${encodeURIComponent(messageId)}`)
        .select([...MAIL_RESOURCE_FIELDS])
        .get(),
    );
    return this.parse(response, mailResourceDataSchema, 'reading a message');
  }

  /**
   * Users by object id, at most 20 (Graph's limit per JSON batch), in one `POST /$batch` of
   * `GET /users/{id}?$select=displayName,mail,userPrincipalName` (application permission
   * `User.Read.All`). Each user has its own status: 404 for a deleted user, 403 when the app
   * may not read the directory, 429 when that request was throttled. Only the batch itself
   * failing throws.
   */
  async getUsers(userIds: readonly string[]): Promise<GraphUserLookup[]> {
    if (userIds.length === 0) return [];
    if (userIds.length > MAX_BATCH_REQUESTS)
      throw new AppError({ code: 'internal', detail: `a Graph batch holds at most ${MAX_BATCH_REQUESTS} requests` });
    const requests = userIds.map((userId, index) => ({
      id: String(index + 1),
      method: 'GET',
      url: `/users/${encodeURIComponent(userId)}?$select=${USER_NAME_FIELDS.join(',')}`,
    }));
    const response = await this.send('reading users', (api) => api('/$batch').post({ requests }));
    const batch = await this.parse(response, batchResponseSchema, 'reading users');
    const byId = new Map(batch.responses.map((answer) => [answer.id, answer]));
    return userIds.map((userId, index): GraphUserLookup => {
      const answer = byId.get(String(index + 1));
      // Graph answers every request of an accepted batch; a missing one is treated as a failure of that request.
      if (!answer) return { userId, status: 502 };
      if (answer.status !== 200) return { userId, status: answer.status };
      const user = graphUserSchema.safeParse(answer.body);
      return user.success ? { userId, status: 200, user: user.data } : { userId, status: 502 };
    });
  }

  /**
   * The mailbox's messages received at or after `since`, oldest first, page by page
   * (following `@odata.nextLink`), with the fields the fan-out needs. Oldest first lets a
   * caller record its progress after each page. (Graph requires an `$orderby` property to
   * be the first one filtered on, which receivedDateTime is.)
   */
  async *listMessagesSince(userId: string, since: string, pageSize = 50): AsyncGenerator<MailResourceData[]> {
    const filter = encodeURIComponent(`receivedDateTime ge ${since}`);
    const orderBy = encodeURIComponent('receivedDateTime asc');
    let path: string | undefined =
      `/users/${encodeURIComponent(userId)}/messages?$filter=${filter}&$orderby=${orderBy}&$select=${MAIL_RESOURCE_FIELDS.join(',')}&$top=${pageSize}`;
    while (path) {
      const current: string = path;
      const response = await this.send('listing messages', (api) => api(current).get());
      const page = await this.parse(response, messagePageSchema, 'listing messages');
      yield page.value;
      path = page['@odata.nextLink'] === undefined ? undefined : this.relativeToBase(page['@odata.nextLink']);
    }
  }

  /**
   * This API as the user whose token `userAssertion` is: what it reads, Graph lets that user
   * read (their mailbox, and shared mailboxes they have full access to).
   */
  asUser(userAssertion: string): GraphApi {
    if (!this.init.asUser) throw new AppError({ code: 'internal', detail: 'a delegated Graph client cannot act for another user' });
    return this.init.asUser(userAssertion);
  }

  /**
   * Resolves when an app-only token for this tenant can be had, from MSAL's cache while it
   * lasts: the client secret still works and the tenant has not revoked the app. Throws the
   * token endpoint's failure as an AppError. The token itself never leaves the client.
   */
  async checkAppToken(): Promise<void> {
    if (!this.init.appToken) throw new AppError({ code: 'internal', detail: 'a delegated Graph client has no app token' });
    await this.init.appToken();
  }

  /**
   * Whether the mailbox holds a message of the conversation, as far as the caller may see:
   * Graph answers 403 (`graph_access_denied`) for a mailbox the caller has no rights on.
   */
  async hasConversation(mailboxId: string, conversationId: string): Promise<boolean> {
    // An OData string literal: a quote inside is doubled.
    const filter = encodeURIComponent(`conversationId eq '${conversationId.replace(/'/g, "''")}'`);
    const path = `/users/${encodeURIComponent(mailboxId)}/messages?$filter=${filter}&$select=${MAIL_RESOURCE_FIELDS.join(',')}&$top=1`;
    const response = await this.send('finding a conversation', (api) => api(path).get());
    return (await this.parse(response, messagePageSchema, 'finding a conversation')).value.length > 0;
  }

  /** A nextLink must stay on our Graph base, and becomes a path the SDK appends to it. */
  private relativeToBase(nextLink: string): string {
    const base = this.init.baseUrl.replace(/\/+$/, '');
    if (!nextLink.startsWith(`${base}/`))
      throw new AppError({ code: 'upstream_bad_response', detail: 'Microsoft Graph answered a nextLink outside its base URL' });
    return nextLink.slice(base.length);
  }

  private async send(action: string, call: (api: (path: string) => GraphRequest) => Promise<unknown>): Promise<Response> {
    let response: unknown;
    try {
      // Raw: the SDK's own error parsing drops Retry-After when the body is not Graph's JSON.
      response = await call((path) => this.init.client.api(path).responseType(ResponseType.RAW));
    } catch (error) {
      throw unwrapGraphError(error);
    }
    if (!(response instanceof Response))
      throw new AppError({ code: 'internal', detail: `${action}: the Graph client did not answer a raw response` });
    if (!response.ok) throw await toGraphFailure(response, action, this.init.now());
    return response;
  }

  private async parse<T extends z.ZodType>(response: Response, schema: T, action: string): Promise<z.output<T>> {
    let json: unknown;
    try {
      json = (await response.json()) as unknown;
    } catch (cause) {
      throw new AppError({
        code: 'upstream_bad_response',
        detail: `${action}: Microsoft Graph answered something that is not JSON`,
        cause,
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new AppError({ code: 'upstream_bad_response', detail: `${action}: Microsoft Graph answered an unexpected shape` });
    return parsed.data;
  }
}
