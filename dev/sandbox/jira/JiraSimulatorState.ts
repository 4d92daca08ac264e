import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SimulatedUser {
  name: string;
  key: string;
  displayName: string;
  emailAddress: string;
}

export interface SimulatedIssue {
  key: string;
  summary: string;
  /** User names. */
  watchers: string[];
  reporter?: string;
}

export interface SimulatedAttachment {
  id: string;
  filename: string;
  mimeType: string;
  size: number;
  issueKey?: string;
}

export interface ConsumerRegistration {
  consumerKey: string;
  publicKeyPem: string;
  name?: string;
  /** 2-legged OAuth: the user a request without a token runs as; absent means 2LO is off. */
  twoLeggedUser?: string;
  /** 2-legged OAuth with impersonation: `xoauth_requestor_id` names the user. */
  allowImpersonation?: boolean;
}

export interface Consumer extends ConsumerRegistration {
  publicKey: KeyObject;
}

export interface RequestToken {
  token: string;
  secret: string;
  consumerKey: string;
  callback: string;
  createdAt: number;
  authorizedBy?: string;
  verifier?: string;
  used: boolean;
}

export interface AccessToken {
  token: string;
  secret: string;
  consumerKey: string;
  user: string;
  expiresAt: number;
  revoked: boolean;
}

export type OAuth2ScopeName = 'READ' | 'WRITE' | 'ADMIN' | 'SYSTEM_ADMIN';

/** An incoming OAuth 2.0 link (Administration → Application links → External application, Incoming). */
export interface OAuth2Client {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface OAuth2Code {
  code: string;
  clientId: string;
  redirectUri: string;
  user: string;
  scope: OAuth2ScopeName;
  challenge?: string;
  challengeMethod?: 'S256' | 'plain';
  expiresAt: number;
  used: boolean;
}

export interface OAuth2AccessToken {
  token: string;
  clientId: string;
  user: string;
  scope: OAuth2ScopeName;
  /** The authorization code the grant came from: a replayed code revokes all of it. */
  code: string;
  expiresAt: number;
  revoked: boolean;
}

export interface OAuth2RefreshToken {
  token: string;
  /** The access token issued with it. */
  accessToken: string;
  clientId: string;
  user: string;
  scope: OAuth2ScopeName;
  code: string;
  expiresAt: number;
  used: boolean;
  revoked: boolean;
}

export interface RecordedAuth {
  kind: 'oauth' | 'oauth-2lo' | 'oauth2' | 'pat' | 'none';
  consumerKey?: string;
  user?: string;
  /** The `oauth_problem` answered, when the request was refused. */
  problem?: string;
}

export interface RecordedRequest {
  method: string;
  /** As sent, after the base path, with its query. */
  url: string;
  headers: IncomingHttpHeaders;
  auth?: RecordedAuth;
  /** Request body bytes the simulator read (uploads, form bodies). */
  bodyBytes?: number;
  status?: number;
}

export interface Fault {
  status: number;
  retryAfter?: number;
  remaining: number;
}

export interface RecordedUpload {
  issueKey: string;
  bytes: number;
  contentType: string;
  filename?: string;
}

const DEFAULT_USERS: SimulatedUser[] = [
  { name: 'alice', key: 'JIRAUSER10000', displayName: 'Alice Example', emailAddress: 'alice@example.test' },
  { name: 'bob', key: 'JIRAUSER10001', displayName: 'Bob Example', emailAddress: 'bob@example.test' },
  { name: 'carol', key: 'JIRAUSER10002', displayName: 'Carol Example', emailAddress: 'carol@example.test' },
  { name: 'jira-service', key: 'JIRAUSER10003', displayName: 'Integration Service', emailAddress: 'service@example.test' },
];

const DEFAULT_ISSUES: SimulatedIssue[] = [
  { key: 'DEMO-1', summary: 'The first demo issue', watchers: ['alice', 'bob'], reporter: 'alice' },
  { key: 'DEMO-2', summary: 'A second demo issue', watchers: ['bob', 'carol'], reporter: 'bob' },
  { key: 'DEMO-3', summary: 'A third demo issue', watchers: [], reporter: 'carol' },
];

/**
 * Everything the simulated Jira knows. Route modules (the simulator's own and those other
 * features add: watchers, notify, plugin licenses) read and change it through this object.
 */
export class JiraSimulatorState {
  readonly users = new Map<string, SimulatedUser>();
  readonly issues = new Map<string, SimulatedIssue>();
  readonly attachments = new Map<string, SimulatedAttachment>();
  readonly consumers = new Map<string, Consumer>();
  readonly requestTokens = new Map<string, RequestToken>();
  readonly accessTokens = new Map<string, AccessToken>();
  readonly personalAccessTokens = new Map<string, string>();
  readonly oauth2Clients = new Map<string, OAuth2Client>();
  readonly oauth2Codes = new Map<string, OAuth2Code>();
  readonly oauth2AccessTokens = new Map<string, OAuth2AccessToken>();
  readonly oauth2RefreshTokens = new Map<string, OAuth2RefreshToken>();
  /** How many refresh grants the token endpoint honoured. */
  oauth2Refreshes = 0;
  /** Issue key → users without the Browse permission on it: Jira answers them as if the issue did not exist. */
  readonly browseDenied = new Map<string, Set<string>>();
  /** consumer key → nonce → timestamp (seconds) it came with. */
  readonly nonces = new Map<string, Map<string, number>>();
  noncesPrunedAt = 0;
  readonly redirects = new Map<string, { status: number; location: string }>();
  /** Paths whose requests get no answer at all (until the simulator stops): for timeouts. */
  readonly stalls = new Set<string>();
  readonly requests: RecordedRequest[] = [];
  readonly uploads: RecordedUpload[] = [];
  fault: Fault | undefined;
  private nextAttachmentId = 10000;

  constructor(users: readonly SimulatedUser[] = DEFAULT_USERS, issues: readonly SimulatedIssue[] = DEFAULT_ISSUES) {
    for (const user of users) this.users.set(user.name, { ...user });
    for (const issue of issues) this.issues.set(issue.key, { ...issue, watchers: [...issue.watchers] });
  }

  registerConsumer(registration: ConsumerRegistration): void {
    this.consumers.set(registration.consumerKey, { ...registration, publicKey: createPublicKey(registration.publicKeyPem) });
  }

  /** Creates an incoming OAuth 2.0 link, as a Jira admin does: its client id and secret are what the app is registered with. */
  addOAuth2Client(redirectUri: string): OAuth2Client {
    const client = { clientId: randomBytes(16).toString('hex'), clientSecret: randomBytes(32).toString('hex'), redirectUri };
    this.oauth2Clients.set(client.clientId, client);
    return client;
  }

  addPersonalAccessToken(userName: string): string {
    this.requireUser(userName);
    const token = randomBytes(33).toString('base64');
    this.personalAccessTokens.set(token, userName);
    return token;
  }

  addAttachment(init: { size: number; filename?: string; mimeType?: string; issueKey?: string }): SimulatedAttachment {
    const id = String(this.nextAttachmentId++);
    const attachment = {
      id,
      size: init.size,
      filename: init.filename ?? `file-${id}.bin`,
      mimeType: init.mimeType ?? 'application/octet-stream',
      issueKey: init.issueKey,
    };
    this.attachments.set(id, attachment);
    return attachment;
  }

  denyBrowse(issueKey: string, userName: string): void {
    const users = this.browseDenied.get(issueKey) ?? new Set<string>();
    users.add(userName);
    this.browseDenied.set(issueKey, users);
  }

  canBrowse(issueKey: string, userName: string): boolean {
    return !(this.browseDenied.get(issueKey)?.has(userName) ?? false);
  }

  requireUser(name: string): SimulatedUser {
    const user = this.users.get(name);
    if (!user) throw new Error(`the simulator has no user "${name}"`);
    return user;
  }
}
