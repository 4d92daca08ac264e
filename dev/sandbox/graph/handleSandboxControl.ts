import type http from 'node:http';
import { z } from 'zod';
import type { GraphSimulatorState } from './GraphSimulatorState';
import { LIFECYCLE_EVENTS, type SimulatedGraph } from './SimulatedGraph';
import { readJson, sendEmpty, sendJson } from './simulatorHttp';

const mailSchema = z.object({
  userId: z.string().min(1),
  conversationId: z.string().min(1),
  subject: z.string(),
  from: z.union([z.string().min(1), z.object({ emailAddress: z.object({ name: z.string().optional(), address: z.string().min(1) }) })]),
  tenantId: z.string().optional(),
  bodyPreview: z.string().optional(),
  receivedDateTime: z.string().optional(),
  notify: z.boolean().optional(),
  isDraft: z.boolean().optional(),
  headers: z
    .array(z.object({ name: z.string().min(1), value: z.string() }))
    .max(100)
    .optional(),
  internetMessageId: z.string().min(1).max(2048).optional(),
});

const sharedMailboxSchema = z.object({ mailboxId: z.string().min(1), members: z.array(z.string().min(1)) });

const userSchema = z.object({
  id: z.string().min(1),
  tenantId: z.string().min(1),
  displayName: z.string().min(1),
  mail: z.string().min(1).optional(),
  userPrincipalName: z.string().min(1),
  /** True: the tenant has not consented `User.Read.All`, every user read of it is 403. */
  directoryDenied: z.boolean().optional(),
});

const lifecycleSchema = z.object({ subscriptionId: z.string().min(1), lifecycleEvent: z.enum(LIFECYCLE_EVENTS) });

const faultSchema = z.object({
  status: z.number().int().min(400).max(599),
  retryAfter: z.number().int().min(0).optional(),
  count: z.number().int().min(1).default(1),
  scope: z.enum(['graph', 'token']).default('graph'),
  messageId: z.string().min(1).optional(),
});

/**
 * `/_sandbox/...`, so a person (or a test) can drive Graph by hand: put a mail in a mailbox
 * (notifying its subscriptions, or not with `notify: false`), make a shared mailbox with its
 * members (`{ mailboxId, members }`; its mail is put with `userId: mailboxId`), put a user in
 * the directory (`{ id, tenantId, displayName, mail?, userPrincipalName }`), post a lifecycle event,
 * make the next calls fail, and look at what the simulator saw.
 */
export async function handleSandboxControl(
  graph: SimulatedGraph,
  state: GraphSimulatorState,
  path: string,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const method = request.method ?? 'GET';
  if (path === '/_sandbox/mail' && method === 'POST') {
    const parsed = mailSchema.safeParse(await readJson(request));
    if (!parsed.success)
      return sendJson(response, 400, { error: 'invalid_body', issues: parsed.error.issues.map((issue) => issue.path.join('.')) });
    const result = graph.putMail(parsed.data);
    // Delivery (and Graph's retries) continue in the background, as with Graph.
    result.delivered.catch(() => undefined);
    return sendJson(response, 201, { id: result.id, internetMessageId: result.internetMessageId });
  }
  if (path === '/_sandbox/shared-mailboxes' && method === 'POST') {
    const parsed = sharedMailboxSchema.safeParse(await readJson(request));
    if (!parsed.success)
      return sendJson(response, 400, { error: 'invalid_body', issues: parsed.error.issues.map((issue) => issue.path.join('.')) });
    state.addSharedMailbox(parsed.data.mailboxId, parsed.data.members);
    return sendEmpty(response, 204);
  }
  if (path === '/_sandbox/users' && method === 'POST') {
    const parsed = userSchema.safeParse(await readJson(request));
    if (!parsed.success)
      return sendJson(response, 400, { error: 'invalid_body', issues: parsed.error.issues.map((issue) => issue.path.join('.')) });
    const { directoryDenied, ...user } = parsed.data;
    state.putUser(user);
    if (directoryDenied === true) state.directoryDenied.add(user.tenantId.toLowerCase());
    if (directoryDenied === false) state.directoryDenied.delete(user.tenantId.toLowerCase());
    return sendEmpty(response, 204);
  }
  if (path === '/_sandbox/lifecycle' && method === 'POST') {
    const parsed = lifecycleSchema.safeParse(await readJson(request));
    if (!parsed.success)
      return sendJson(response, 400, { error: 'invalid_body', issues: parsed.error.issues.map((issue) => issue.path.join('.')) });
    if (!state.subscriptions.has(parsed.data.subscriptionId)) return sendJson(response, 404, { error: 'subscription_not_found' });
    graph.postLifecycleEvent(parsed.data.subscriptionId, parsed.data.lifecycleEvent).catch(() => undefined);
    return sendJson(response, 202, { accepted: true });
  }
  if (path === '/_sandbox/faults' && method === 'POST') {
    const parsed = faultSchema.safeParse(await readJson(request));
    if (!parsed.success)
      return sendJson(response, 400, { error: 'invalid_body', issues: parsed.error.issues.map((issue) => issue.path.join('.')) });
    state.faults.push({
      status: parsed.data.status,
      retryAfterSeconds: parsed.data.retryAfter,
      remaining: parsed.data.count,
      scope: parsed.data.scope,
      ...(parsed.data.messageId === undefined ? {} : { messageId: parsed.data.messageId }),
    });
    return sendEmpty(response, 204);
  }
  if (method === 'GET' && path === '/_sandbox/subscriptions') {
    return sendJson(response, 200, {
      value: [...state.subscriptions.values()].map(({ clientState, encryptionCertificate, ...rest }) => ({
        ...rest,
        hasClientState: clientState !== undefined,
        hasEncryptionCertificate: encryptionCertificate !== undefined,
        expirationDateTime: new Date(rest.expiresAt).toISOString(),
      })),
    });
  }
  if (method === 'GET' && path === '/_sandbox/handshakes') return sendJson(response, 200, { value: state.handshakes });
  if (method === 'GET' && path === '/_sandbox/deliveries') {
    return sendJson(response, 200, { value: state.deliveries.map(({ body: _body, ...rest }) => rest) });
  }
  return sendJson(response, 404, { error: 'not_found' });
}
