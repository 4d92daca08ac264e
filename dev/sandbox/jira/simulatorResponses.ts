import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { percentEncode } from './rfc5849';

/** Headers Jira DC sends with every REST answer: a request id, rate-limit state and a session cookie. */
export function jiraAnswerHeaders(): Record<string, string | string[]> {
  return {
    'X-AREQUESTID': `${Math.floor(Math.random() * 1e6)}x${Math.floor(Math.random() * 1e6)}x1`,
    'X-RateLimit-Limit': '100',
    'X-RateLimit-Remaining': '99',
    'X-RateLimit-Interval-Seconds': '1',
    'X-RateLimit-FillRate': '10',
    'X-ASESSIONID': randomBytes(6).toString('hex'),
    'Set-Cookie': [
      `JSESSIONID=${randomBytes(16).toString('hex').toUpperCase()}; Path=/; HttpOnly`,
      'atlassian.xsrf.token=BWP3-NZB2; Path=/',
    ],
    'X-Seraph-LoginReason': 'OK',
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...jiraAnswerHeaders(),
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

export function sendForm(
  response: ServerResponse,
  status: number,
  pairs: Record<string, string>,
  headers: Record<string, string> = {},
): void {
  const text = Object.entries(pairs)
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
  response.writeHead(status, { 'Content-Type': 'text/plain;charset=UTF-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** Jira's OAuth refusal: the problem in the challenge and, for the token endpoints, in the body. */
export function sendOAuthProblem(response: ServerResponse, status: number, problem: string, realm: string): void {
  sendForm(
    response,
    status,
    { oauth_problem: problem },
    { 'WWW-Authenticate': `OAuth realm="${percentEncode(realm)}", oauth_problem="${problem}"` },
  );
}

export function sendErrorMessages(response: ServerResponse, status: number, message: string): void {
  sendJson(response, status, { errorMessages: [message], errors: {} });
}
