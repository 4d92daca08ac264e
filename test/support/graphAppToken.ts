import type { GraphSimulator } from '../../dev/sandbox/graph/startGraphSimulator';

/** An app-only Graph token of the simulator, by the client credentials grant as MSAL asks it. */
export async function graphAppToken(
  simulator: Pick<GraphSimulator, 'tokenUrl'>,
  client: { tenantId: string; clientId: string; clientSecret: string },
): Promise<string> {
  const response = await fetch(simulator.tokenUrl(client.tenantId), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  if (response.status !== 200) throw new Error(`the token endpoint answered ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}
