import type { AccessTokenGrant, GraphSimulatorState } from './GraphSimulatorState';

export interface SimulatedAnswer {
  status: number;
  body: unknown;
}

/** Graph's `user` properties returned when no `$select` is given (v1.0's default set, the ones the simulator knows). */
const DEFAULT_USER_FIELDS = ['id', 'displayName', 'mail', 'userPrincipalName'] as const;

/**
 * `GET /users/{id | userPrincipalName}` as Graph answers it, standing alone or inside a
 * batch. App-only tokens need `User.Read.All` (or `Directory.Read.All`): a tenant that has
 * not consented it gets 403 `Authorization_RequestDenied`. A user of another tenant, or one
 * deleted, is 404 `Request_ResourceNotFound`. `$select` limits the properties (`id` always).
 */
export function answerUserRequest(
  state: GraphSimulatorState,
  grant: AccessTokenGrant,
  userId: string,
  select: readonly string[] | undefined,
): SimulatedAnswer {
  if (state.directoryDenied.has(grant.tenantId.toLowerCase()))
    return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  const user = state.userOf(userId);
  if (!user || user.tenantId.toLowerCase() !== grant.tenantId.toLowerCase())
    return graphError(
      404,
      'Request_ResourceNotFound',
      `Resource '${userId}' does not exist or one of its queried reference-property objects are not present.`,
    );
  const full: Record<string, unknown> = {
    id: user.id,
    displayName: user.displayName,
    mail: user.mail ?? null,
    userPrincipalName: user.userPrincipalName,
  };
  const fields = select && select.length > 0 ? select : DEFAULT_USER_FIELDS;
  const body: Record<string, unknown> = { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity', id: user.id };
  for (const field of fields) {
    const key = Object.keys(full).find((name) => name.toLowerCase() === field.toLowerCase());
    if (key) body[key] = full[key];
  }
  return { status: 200, body };
}

/** Graph's error envelope as a value (a batch's response body carries it). */
export function graphError(status: number, code: string, message: string): SimulatedAnswer {
  return {
    status,
    body: { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': crypto.randomUUID() } } },
  };
}
