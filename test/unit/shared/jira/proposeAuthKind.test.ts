import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startJiraSimulator, type JiraSimulator } from '../../../../dev/sandbox/jira/startJiraSimulator';
import { proposeAuthKind } from '../../../../shared/jira/proposeAuthKind';
import { OutboundClient } from '../../../../shared/platform/http/OutboundClient';

/** The proposal from Jira's application-links manifest: the version tells OAuth 2.0, the inbound types OAuth 1.0a. */
describe('proposeAuthKind', () => {
  const outbound = new OutboundClient({
    connectTimeoutMs: 2000,
    headersTimeoutMs: 5000,
    bodyTimeoutMs: 5000,
    connectionsPerOrigin: 2,
    allowPrivateNetworkTargets: true,
  });
  const simulators: JiraSimulator[] = [];
  const notJira = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<html>a login page</html>');
  });
  beforeAll(() => new Promise<void>((resolve) => notJira.listen(0, '127.0.0.1', resolve)));
  afterAll(async () => {
    await Promise.all(simulators.map((simulator) => simulator.stop()));
    await outbound.close();
    notJira.closeAllConnections();
    await new Promise((resolve) => notJira.close(resolve));
  });
  const jira = async (version: string) => {
    const simulator = await startJiraSimulator({ version, basePath: '/jira' });
    simulators.push(simulator);
    return simulator.url;
  };

  it('OAuth 2.0 for Jira 8.22 and later', async () => {
    expect(await proposeAuthKind(outbound, await jira('8.22.0'))).toBe('oauth2');
    expect(await proposeAuthKind(outbound, await jira('10.3.1'))).toBe('oauth2');
  });

  it('OAuth 1.0a for an older Jira whose manifest lists it inbound', async () => {
    expect(await proposeAuthKind(outbound, await jira('8.20.13'))).toBe('oauth1');
  });

  it('nothing for a server that is not Jira', async () => {
    expect(await proposeAuthKind(outbound, `http://127.0.0.1:${(notJira.address() as AddressInfo).port}`)).toBeUndefined();
  });
});
