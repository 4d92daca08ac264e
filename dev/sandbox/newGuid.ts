import { randomUUID } from 'node:crypto';

/** A lower-case GUID, the shape Microsoft uses for tenant, object and client ids. */
export function newGuid(): string {
  return randomUUID();
}
