import { format } from 'node:util';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import type { RunningAzurite } from '../../dev/azurite';
import type { HostLog } from '../../dev/host/HostLog';
import { startLocalHost, type LocalHost } from '../../dev/host/startLocalHost';
import { startJiraSimulator, type JiraSimulator } from '../../dev/sandbox/jira/startJiraSimulator';
import { newGuid } from '../../dev/sandbox/newGuid';
import type { TokenIssuer } from '../../dev/sandbox/issuer/tokenIssuer';
import { functionTable } from '../../functions/functionTable';
import { loadConfig } from '../../shared/platform/config/loadConfig';
import type { Clock } from '../../shared/platform/clock';
import { createServices } from '../../functions/compose';
import type { Services } from '../../functions/Services';
import { ensureStorage } from '../../shared/platform/storage/ensureStorage';
import { Browser, runConsent } from './browser';

export const AUDIENCE = 'api://jira-outlook-cloud-proxy-test';
export const ADMIN_ROLE = 'Integration.Admin';
export const PUBLIC_BASE_URL = 'https://app.example.test';
export const ADDIN_ORIGIN = 'https://addin.example.test';
const PROXY_FUNCTIONS = new Set(['jiraProxy', 'jiraOAuthStart', 'jiraOAuthBegin', 'jiraOAuthCallback', 'manageInstances']);

/** Stands still unless moved; shared by the app, the token issuer and the simulated Jira. */
export class MovableClock implements Clock {
  private at = Date.now();
  now(): number {
    return this.at;
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

/** Everything logged: the host's lines, the functions' `context.log` and the console. */
export class LogCapture {
  readonly lines: string[] = [];
  readonly hostLog: HostLog = { write: (level, line) => this.lines.push(`${level} ${line}`) };
  private restore: (() => void)[] = [];

  captureConsole(): void {
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const spy = jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        this.lines.push(`console.${method} ${format(...args)}`);
      });
      this.restore.push(() => spy.mockRestore());
    }
  }

  release(): void {
    for (const undo of this.restore) undo();
    this.restore = [];
  }
}

export interface Stack {
  services: Services;
  host: LocalHost;
  jira: JiraSimulator;
  stop(): Promise<void>;
}

export interface StackInit {
  azurite: RunningAzurite;
  issuer: TokenIssuer;
  clock: Clock;
  log: LogCapture;
  env?: Record<string, string>;
  /** Reuse a running simulator instead of starting one. */
  jira?: JiraSimulator;
}

/** The app as `npm start` serves it (the proxy's rows of the function table on the local host) over Azurite, with a simulated Jira. */
export async function startStack(init: StackInit): Promise<Stack> {
  const jira = init.jira ?? (await startJiraSimulator({ clock: init.clock }));
  const services = createServices({
    clock: init.clock,
    config: loadConfig({
      AzureWebJobsStorage: init.azurite.connectionString,
      DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 9).toString('base64')}`,
      PUBLIC_BASE_URL,
      API_AUDIENCE: AUDIENCE,
      ...init.issuer.appSettings,
      ADMIN_ROLE,
      GRAPH_CLIENT_ID: newGuid(),
      GRAPH_CLIENT_SECRET: 'not-a-real-secret',
      ALLOW_INSECURE_JIRA: 'true',
      ALLOW_PRIVATE_NETWORK_TARGETS: 'true',
      ALLOWED_ORIGINS: ADDIN_ORIGIN,
      ...init.env,
    }),
  });
  await ensureStorage(services);
  const host = await startLocalHost({
    functions: functionTable.filter((row) => PROXY_FUNCTIONS.has(row.name)),
    services,
    port: 0,
    log: init.log.hostLog,
    clock: init.clock,
  });
  return {
    services,
    host,
    jira,
    stop: async () => {
      await host.stop();
      await services.http.close();
      if (!init.jira) await jira.stop();
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): Record<string, unknown>;
}

export const agent = new Agent({ connections: 32 });

/** A request with its path sent exactly as given (no URL normalization on our side). */
export async function send(
  host: LocalHost,
  method: Dispatcher.HttpMethod,
  path: string,
  options: { token?: string; headers?: Record<string, string>; body?: string | Buffer | Readable } = {},
): Promise<Reply> {
  // `agent.request` sends the path as given; `request(url, { path })` would normalize `..` first.
  const response = await agent.request({
    origin: host.url,
    method,
    path,
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/** Registers an instance through the admin API and links its consumer key in the simulated Jira. */
export async function registerInstance(
  stack: Stack,
  adminToken: string,
  instanceId: string,
  body: Record<string, unknown> = {},
  link: { twoLeggedUser?: string; allowImpersonation?: boolean } = {},
): Promise<Record<string, unknown>> {
  const reply = await send(stack.host, 'PUT', `/api/manage/instances/${instanceId}`, {
    token: adminToken,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ baseUrl: stack.jira.url, displayName: `Jira ${instanceId}`, ...body }),
  });
  if (reply.status !== 201 && reply.status !== 200) throw new Error(`registration answered ${reply.status}: ${reply.text}`);
  const view = reply.json();
  stack.jira.registerConsumer({ consumerKey: String(view.consumerKey), publicKeyPem: String(view.publicKeyPem), ...link });
  return view;
}

/** The whole dance for one user: start, begin in one browser, approve in Jira as `jiraUser`, follow the callback there. */
export async function authorize(stack: Stack, userToken: string, instanceId: string, jiraUser: string): Promise<Reply> {
  const started = await send(stack.host, 'POST', `/api/jira/${instanceId}/oauth/start`, { token: userToken });
  if (started.status !== 200) throw new Error(`start answered ${started.status}: ${started.text}`);
  const { callback } = await runConsent(browserFor(stack), String(started.json().authorizeUrl), stack.jira, jiraUser);
  return callback;
}

/** A browser whose requests to PUBLIC_BASE_URL reach the stack's local host. */
export function browserFor(stack: Stack): Browser {
  return new Browser({ origin: PUBLIC_BASE_URL, send: (method, path, options) => send(stack.host, method, path, options) });
}

/**
 * A request written byte for byte on a socket, for what no HTTP client sends (a header the
 * `Connection` header names, a bare CR in a value). Include `Connection: close`; answers
 * the status line's code.
 */
export function sendRaw(host: LocalHost, lines: string[]): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(host.port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? -1), text }));
    socket.write(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  });
}
