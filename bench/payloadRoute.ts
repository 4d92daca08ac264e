import type { JiraSimulatorRoute } from '../dev/sandbox/jira/JiraSimulatorRoute';
import { jiraAnswerHeaders } from '../dev/sandbox/jira/simulatorResponses';

export const PAYLOAD_PATH = 'rest/api/2/bench/payload';
export const PAYLOAD_BYTES = 1024;

/** An issue-like JSON document of exactly PAYLOAD_BYTES bytes. */
function payload(): Buffer {
  const document = { id: '10001', key: 'DEMO-1', fields: { summary: 'Bench payload', description: '' } };
  const empty = Buffer.byteLength(JSON.stringify(document));
  document.fields.description = 'x'.repeat(PAYLOAD_BYTES - empty);
  return Buffer.from(JSON.stringify(document), 'utf8');
}

/**
 * `GET /rest/api/2/bench/payload` in the Jira simulator: 1 KiB of JSON with Jira's usual
 * answer headers, for an authenticated user (the proxy's OAuth signature is verified, a
 * direct call uses a personal access token).
 */
export function payloadRoute(): JiraSimulatorRoute {
  const body = payload();
  return {
    methods: ['GET'],
    path: /^\/rest\/api\/2\/bench\/payload$/,
    auth: 'user',
    handle: (context) => {
      context.response.writeHead(200, {
        ...jiraAnswerHeaders(),
        'Content-Type': 'application/json;charset=UTF-8',
        'Content-Length': body.length,
      });
      context.response.end(body);
    },
  };
}
