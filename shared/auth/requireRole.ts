import { AppError } from '../platform/errors/AppError';
import { bearerChallenge } from './bearerChallenge';
import type { Caller } from './Caller';

/**
 * Refuses a caller without the app role. The admin role is the only role the API knows,
 * hence the one code; the role's name comes from configuration, never from the request.
 */
export function requireRole(caller: Caller, role: string): void {
  if (caller.roles.includes(role)) return;
  const description = `The app role ${role} is required`;
  throw new AppError({
    code: 'admin_role_required',
    detail: description,
    headers: { 'WWW-Authenticate': bearerChallenge({ error: 'insufficient_scope', description }) },
  });
}
