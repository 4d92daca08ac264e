import { z } from 'zod';
import { isAppError } from '../platform/errors/AppError';
import type { JiraServiceClient } from '../jira/JiraServiceClient';

export type ConnectionTest =
  | { ok: true; status: number; jiraUser?: string }
  | { ok: false; outcome: 'missing' | 'rejected' | 'unreachable' | 'failed'; status?: number; code?: string };

const myselfSchema = z.object({ name: z.string().max(255) });
const MAX_BODY_BYTES = 64 * 1024;
const REFUSALS = new Set([
  'jira_consumer_unknown',
  'jira_signature_invalid',
  'jira_timestamp_refused',
  'jira_oauth_problem',
  'jira_authorization_denied',
]);
const UNREACHABLE = new Set(['upstream_unreachable', 'upstream_timeout', 'target_not_allowed']);

/**
 * "Test connection": who Jira says the service credential is (`GET /rest/api/2/myself`),
 * the same credential the fan-out and license checks use. Jira's answer body is read for
 * the user name only and never passed on.
 */
export async function testJiraConnection(
  jira: Pick<JiraServiceClient, 'request'>,
  tenantId: string,
  instanceId: string,
): Promise<ConnectionTest> {
  let status: number;
  let text = '';
  try {
    const response = await jira.request(tenantId, instanceId, { method: 'GET', path: 'rest/api/2/myself' });
    status = response.statusCode;
    if (status === 200) text = await readBounded(response.body);
    else await response.body.dump();
  } catch (error) {
    if (!isAppError(error)) throw error;
    if (error.code === 'jira_service_credential_missing') return { ok: false, outcome: 'missing', code: error.code };
    if (REFUSALS.has(error.code)) return { ok: false, outcome: 'rejected', code: error.code };
    if (UNREACHABLE.has(error.code)) return { ok: false, outcome: 'unreachable', code: error.code };
    if (error.code === 'instance_not_found') throw error;
    return { ok: false, outcome: 'failed', code: error.code };
  }
  if (status === 401 || status === 403) return { ok: false, outcome: 'rejected', status };
  if (status !== 200) return { ok: false, outcome: 'failed', status };
  let name: string | undefined;
  try {
    const parsed = myselfSchema.safeParse(JSON.parse(text) as unknown);
    if (parsed.success) name = parsed.data.name;
  } catch {
    name = undefined;
  }
  return { ok: true, status, ...(name === undefined ? {} : { jiraUser: name }) };
}

/** At most `MAX_BODY_BYTES` of the body; a larger one is cut off (and then fails to parse). */
async function readBounded(body: AsyncIterable<Uint8Array> & { destroy(): unknown }): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
