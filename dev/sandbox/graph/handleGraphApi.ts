import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { z } from 'zod';
import type { Clock } from '../../../shared/platform/clock';
import { toCertificate } from './encryptResourceData';
import type { AccessTokenGrant, GraphSimulatorState, SimulatedSubscription } from './GraphSimulatorState';
import { answerUserRequest } from './answerUserRequest';
import { handleGraphBatch } from './handleGraphBatch';
import { runValidationHandshake } from './runValidationHandshake';
import { selectFields } from './SimulatedGraph';
import { readJson, sendEmpty, sendGraphError, sendJson } from './simulatorHttp';

export interface GraphApiInit {
  state: GraphSimulatorState;
  clock: Clock;
  baseUrl: string;
  validationTimeoutMs: number;
}

/**
 * Graph's longest Outlook message subscription, in minutes from the request, on creation
 * and on renewal. Documented as 10,080 ("under seven days") without resource data, enforced
 * at 10,070; 1,440 with resource data. Longer is refused with 400, never shortened.
 */
export const MAX_SUBSCRIPTION_MINUTES = { withoutResourceData: 10_070, withResourceData: 1_440 } as const;

const createSchema = z.object({
  changeType: z.string().min(1),
  notificationUrl: z.string().min(1),
  lifecycleNotificationUrl: z.string().optional(),
  resource: z.string().min(1),
  expirationDateTime: z.string().min(1),
  clientState: z.string().optional(),
  includeResourceData: z.boolean().optional(),
  encryptionCertificate: z.string().optional(),
  encryptionCertificateId: z.string().optional(),
  latestSupportedTlsVersion: z.string().optional(),
});

const updateSchema = z.object({ expirationDateTime: z.string().min(1) });

const MESSAGES_RESOURCE = /^\/?users\/([^/?]+)\/(?:mailfolders\('[^']+'\)\/)?messages(?:\?\$select=([\w,]+))?$/i;
const FILTER = /^\s*receivedDateTime\s+(ge|gt)\s+(\S+)\s*$/i;
/** `conversationId eq '…'`, quotes doubled inside the OData string literal. */
const CONVERSATION_FILTER = /^\s*conversationId\s+eq\s+'((?:[^']|'')*)'\s*$/i;

/** `/v1.0/...`: subscriptions and messages, behind a bearer token from the token endpoint. */
export async function handleGraphApi(
  init: GraphApiInit,
  segments: string[],
  url: URL,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const { state } = init;
  const method = request.method ?? 'GET';
  state.graphRequests.push({ method, path: url.pathname });
  const grant = authorize(init, request);
  if (!grant) return sendGraphError(response, 401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.');
  const fault = state.takeFault('graph', url.pathname);
  if (fault) {
    const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
    return sendGraphError(
      response,
      fault.status,
      fault.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable',
      'The request has been throttled.',
      headers,
    );
  }

  if (segments[0] === 'subscriptions' && segments.length === 1) {
    if (method === 'POST') return createSubscription(init, grant, request, response);
    if (method === 'GET') {
      const value = [...state.subscriptions.values()].filter(
        (s) => s.tenantId === grant.tenantId && s.applicationId === grant.clientId && s.expiresAt > init.clock.now(),
      );
      return sendJson(response, 200, { value: value.map(toJson) });
    }
    return sendGraphError(response, 405, 'MethodNotAllowed', 'Method not allowed.');
  }
  if (segments[0] === 'subscriptions' && segments.length === 2 && segments[1]) {
    const subscription = state.liveSubscription(segments[1], init.clock.now());
    if (!subscription || subscription.tenantId !== grant.tenantId || subscription.applicationId !== grant.clientId) {
      return sendGraphError(response, 404, 'ResourceNotFound', 'The object was not found.');
    }
    if (method === 'GET') return sendJson(response, 200, toJson(subscription));
    if (method === 'DELETE') {
      state.subscriptions.delete(subscription.id);
      return sendEmpty(response, 204);
    }
    if (method === 'PATCH') {
      const parsed = updateSchema.safeParse(await readJson(request));
      if (!parsed.success) return sendGraphError(response, 400, 'InvalidRequest', 'Only expirationDateTime can be updated.');
      const expiry = checkExpiry(init, parsed.data.expirationDateTime, subscription.includeResourceData);
      if (typeof expiry === 'string') return sendGraphError(response, 400, 'ExtensionError', expiry);
      subscription.expiresAt = expiry;
      return sendJson(response, 200, toJson(subscription));
    }
    return sendGraphError(response, 405, 'MethodNotAllowed', 'Method not allowed.');
  }
  if (segments[0] === '$batch' && segments.length === 1) {
    if (method !== 'POST') return sendGraphError(response, 405, 'MethodNotAllowed', 'Method not allowed.');
    return handleGraphBatch(state, grant, request, response);
  }
  if (segments[0] === 'users' && segments[1] && segments.length === 2) {
    if (method !== 'GET') return sendGraphError(response, 405, 'MethodNotAllowed', 'Method not allowed.');
    const select = url.searchParams
      .get('$select')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const answer = answerUserRequest(state, grant, segments[1], select);
    return sendJson(response, answer.status, answer.body);
  }
  if (segments[0] === 'users' && segments[1] && segments[2] === 'messages') {
    if (method !== 'GET') return sendGraphError(response, 405, 'MethodNotAllowed', 'Method not allowed.');
    const userId = segments[1];
    if (!mailboxVisible(state, userId, grant))
      return sendGraphError(response, 404, 'ErrorInvalidUser', `The requested user '${userId}' is invalid.`);
    if (!delegatedAccess(state, userId, grant))
      return sendGraphError(response, 403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    const select = url.searchParams
      .get('$select')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (segments.length === 4 && segments[3]) {
      const mail = state.mails.get(segments[3]);
      if (!mail || mail.userId !== userId)
        return sendGraphError(response, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      return sendJson(response, 200, selectFields(mail, select));
    }
    if (segments.length === 3) return listMessages(init, userId, url, select, response);
  }
  return sendGraphError(response, 400, 'BadRequest', `Resource not found for the segment '${segments[0] ?? ''}'.`);
}

function authorize(init: GraphApiInit, request: http.IncomingMessage): AccessTokenGrant | undefined {
  const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
  const grant = match?.[1] ? init.state.accessTokens.get(match[1]) : undefined;
  return grant && grant.expiresAt > init.clock.now() ? grant : undefined;
}

/** A mailbox whose tenant the simulator knows is visible to that tenant only. */
function mailboxVisible(state: GraphSimulatorState, userId: string, grant: AccessTokenGrant): boolean {
  const known = state.mailsOf(userId).find((mail) => mail.tenantId !== undefined);
  return !known || known.tenantId?.toLowerCase() === grant.tenantId;
}

/**
 * What a delegated token may read: the user's own mailbox, and with `Mail.Read.Shared` a
 * shared mailbox the user has full access to. Anything else is Exchange's 403
 * `ErrorAccessDenied` ("Access is denied. Check credentials and try again."), which Graph
 * answers for a mailbox the signed-in user has no rights on. App-only tokens read every
 * mailbox of their tenant (application permission `Mail.Read`).
 */
function delegatedAccess(state: GraphSimulatorState, mailboxId: string, grant: AccessTokenGrant): boolean {
  if (grant.userId === undefined) return true;
  const mailbox = mailboxId.toLowerCase();
  const scopes = grant.scopes ?? [];
  if (mailbox === grant.userId) return scopes.some((scope) => /^Mail\.(Read|ReadWrite)(\.Shared)?$/i.test(scope));
  const shared = scopes.some((scope) => /^Mail\.(Read|ReadWrite)\.Shared$/i.test(scope));
  return shared && (state.sharedMailboxes.get(mailbox)?.has(grant.userId) ?? false);
}

/** The expiry as a time, or Graph's message refusing it. */
function checkExpiry(init: GraphApiInit, text: string, withResourceData: boolean): number | string {
  const expiresAt = Date.parse(text);
  if (Number.isNaN(expiresAt)) return 'expirationDateTime is not a valid date.';
  const now = init.clock.now();
  if (expiresAt <= now) return 'Subscription expiration must be in the future.';
  const maximum = withResourceData ? MAX_SUBSCRIPTION_MINUTES.withResourceData : MAX_SUBSCRIPTION_MINUTES.withoutResourceData;
  if (expiresAt > now + maximum * 60_000) return `Subscription expiration can only be ${maximum} minutes in the future.`;
  return expiresAt;
}

async function createSubscription(
  init: GraphApiInit,
  grant: AccessTokenGrant,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const parsed = createSchema.safeParse(await readJson(request));
  if (!parsed.success) return sendGraphError(response, 400, 'InvalidRequest', 'The subscription is missing required properties.');
  const body = parsed.data;
  const resource = MESSAGES_RESOURCE.exec(body.resource);
  if (!resource?.[1]) return sendGraphError(response, 400, 'InvalidRequest', 'The resource is not supported by the simulator.');
  const userId = decodeURIComponent(resource[1]);
  if (!mailboxVisible(init.state, userId, grant))
    return sendGraphError(response, 404, 'ErrorInvalidUser', `The requested user '${userId}' is invalid.`);
  const changeType = body.changeType.split(',').map((s) => s.trim());
  if (changeType.some((type) => !['created', 'updated', 'deleted'].includes(type)))
    return sendGraphError(response, 400, 'InvalidRequest', 'changeType is not valid.');
  if (body.clientState !== undefined && body.clientState.length > 128)
    return sendGraphError(response, 400, 'InvalidRequest', 'clientState must be at most 128 characters.');
  if (
    !URL.canParse(body.notificationUrl) ||
    (body.lifecycleNotificationUrl !== undefined && !URL.canParse(body.lifecycleNotificationUrl))
  ) {
    return sendGraphError(response, 400, 'InvalidRequest', 'The notification URL is not valid.');
  }
  const expiry = checkExpiry(init, body.expirationDateTime, body.includeResourceData ?? false);
  if (typeof expiry === 'string') return sendGraphError(response, 400, 'ExtensionError', expiry);
  if (body.includeResourceData) {
    if (!body.encryptionCertificate || !body.encryptionCertificateId)
      return sendGraphError(
        response,
        400,
        'InvalidRequest',
        'includeResourceData requires encryptionCertificate and encryptionCertificateId.',
      );
    if (!body.lifecycleNotificationUrl)
      return sendGraphError(response, 400, 'InvalidRequest', 'includeResourceData requires lifecycleNotificationUrl.');
    try {
      toCertificate(body.encryptionCertificate);
    } catch {
      return sendGraphError(response, 400, 'InvalidRequest', 'encryptionCertificate is not a base64 encoded certificate.');
    }
  }

  // Graph validates every URL before the subscription exists, and refuses it if any fails.
  const urls = [body.notificationUrl, ...(body.lifecycleNotificationUrl ? [body.lifecycleNotificationUrl] : [])];
  const handshakes = await Promise.all(urls.map((target) => runValidationHandshake(target, init.validationTimeoutMs)));
  init.state.handshakes.push(...handshakes);
  const failed = handshakes.find((handshake) => !handshake.ok);
  if (failed) {
    return sendGraphError(
      response,
      400,
      'ValidationError',
      `Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request. (${failed.url}: ${failed.reason ?? ''})`,
    );
  }

  const subscription: SimulatedSubscription = {
    id: randomUUID(),
    tenantId: grant.tenantId,
    applicationId: grant.clientId,
    resource: body.resource,
    userId,
    changeType,
    notificationUrl: body.notificationUrl,
    lifecycleNotificationUrl: body.lifecycleNotificationUrl,
    clientState: body.clientState,
    expiresAt: expiry,
    includeResourceData: body.includeResourceData ?? false,
    encryptionCertificate: body.encryptionCertificate,
    encryptionCertificateId: body.encryptionCertificateId,
    selectFields: resource[2]?.split(','),
  };
  init.state.subscriptions.set(subscription.id, subscription);
  await init.state.afterSubscriptionCreated?.(subscription);
  sendJson(response, 201, toJson(subscription), { Location: `${init.baseUrl}/subscriptions/${subscription.id}` });
}

function listMessages(init: GraphApiInit, userId: string, url: URL, select: string[] | undefined, response: http.ServerResponse): void {
  const filterText = url.searchParams.get('$filter');
  let since = Number.NEGATIVE_INFINITY;
  let inclusive = true;
  let conversationId: string | undefined;
  const byConversation = filterText === null ? null : CONVERSATION_FILTER.exec(filterText);
  if (byConversation?.[1] !== undefined) {
    conversationId = byConversation[1].replace(/''/g, "'");
  } else if (filterText) {
    const filter = FILTER.exec(filterText);
    const at = filter?.[2] ? Date.parse(filter[2]) : Number.NaN;
    if (!filter || Number.isNaN(at))
      return sendGraphError(response, 400, 'ErrorInvalidUrlQueryFilter', 'The query filter contains one or more invalid nodes.');
    since = at;
    inclusive = filter[1]?.toLowerCase() === 'ge';
  }
  const top = Number(url.searchParams.get('$top') ?? '10');
  if (!Number.isInteger(top) || top < 1 || top > 1000) return sendGraphError(response, 400, 'BadRequest', 'Invalid $top.');
  const offset = Number(Buffer.from(url.searchParams.get('$skiptoken') ?? 'MA', 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) return sendGraphError(response, 400, 'BadRequest', 'Invalid $skiptoken.');
  const ascending = /\basc$/i.test(url.searchParams.get('$orderby') ?? '');

  const matching = init.state
    .mailsOf(userId)
    .filter((mail) => {
      if (conversationId !== undefined) return mail.conversationId === conversationId;
      const at = Date.parse(mail.receivedDateTime);
      return inclusive ? at >= since : at > since;
    })
    .sort((a, b) => (ascending ? 1 : -1) * (Date.parse(a.receivedDateTime) - Date.parse(b.receivedDateTime)));
  const page = matching.slice(offset, offset + top);
  const body: Record<string, unknown> = {
    '@odata.context': `${init.baseUrl}/$metadata#users('${userId}')/messages`,
    value: page.map((mail) => selectFields(mail, select)),
  };
  if (offset + top < matching.length) {
    const next = new URL(url.pathname + url.search, init.baseUrl);
    next.searchParams.set('$skiptoken', Buffer.from(String(offset + top), 'utf8').toString('base64url'));
    body['@odata.nextLink'] = next.toString();
  }
  sendJson(response, 200, body);
}

function toJson(subscription: SimulatedSubscription): Record<string, unknown> {
  return {
    id: subscription.id,
    resource: subscription.resource,
    applicationId: subscription.applicationId,
    changeType: subscription.changeType.join(','),
    clientState: subscription.clientState ?? null,
    notificationUrl: subscription.notificationUrl,
    lifecycleNotificationUrl: subscription.lifecycleNotificationUrl ?? null,
    expirationDateTime: new Date(subscription.expiresAt).toISOString(),
    creatorId: subscription.applicationId,
    includeResourceData: subscription.includeResourceData,
    encryptionCertificateId: subscription.encryptionCertificateId ?? null,
    latestSupportedTlsVersion: 'v1_2',
  };
}
