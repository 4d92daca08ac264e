import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JiraSimulatorState, RecordedRequest, SimulatedUser } from './JiraSimulatorState';
import type { OAuthVerification } from './verifyOAuthRequest';

export interface SimulatorContext {
  request: IncomingMessage;
  response: ServerResponse;
  match: RegExpExecArray;
  /** The request path after the base path, as sent (percent-encoding kept). */
  path: string;
  query: URLSearchParams;
  /** The authenticated user of an `auth: 'user'` route. */
  user?: SimulatedUser;
  state: JiraSimulatorState;
  /** The simulator's base URL, base path included, no trailing slash. */
  baseUrl: string;
  nowMs(): number;
  record: RecordedRequest;
  /** The `application/x-www-form-urlencoded` body, read once; undefined for another type. */
  readForm(): Promise<string | undefined>;
  /** Verifies the request's OAuth signature, reading a form body first when there is one. */
  verifyOAuth(): Promise<OAuthVerification>;
}

/**
 * One route of the simulated Jira. Features add their own (watchers and notify for the
 * fan-out, UPM licenses) in their own files and pass them to `startJiraSimulator`.
 */
export interface JiraSimulatorRoute {
  methods: readonly string[];
  /** Matched against the path after the base path, e.g. `/^\/rest\/api\/2\/myself$/`. */
  path: RegExp;
  /** `user`: a signed 3-legged token, 2-legged OAuth (with impersonation) or a PAT must name a user. */
  auth: 'user' | 'none';
  handle(context: SimulatorContext): Promise<void> | void;
}
