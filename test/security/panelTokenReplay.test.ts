import { SignJWT } from 'jose';
import { startLocalHost, type LocalHost } from '../../dev/host/startLocalHost';
import { createServices } from '../../functions/compose';
import type { Services } from '../../functions/Services';
import { queryStringHash } from '../../shared/admin/canonicalRequest';
import { loadConfig } from '../../shared/platform/config/loadConfig';
import { panelRows, startAdminPanelStack, type AdminPanelStack, type PanelInstance } from '../support/adminPanelStack';

/**
 * Issue 15, hole 9: the token the Jira app puts on the panel's URL was good for as many
 * sessions as it was replayed in its lifetime (up to ten minutes), each renewable for
 * eight hours — from a browser history, a proxy log or a Referer. A page token now opens
 * one session: its `jti` (or, when the Jira app sends none, the token itself) is
 * remembered in Table Storage until it expires, with an insert that only one use can win,
 * on any number of workers. A second use gets the same 401 page as a forged token.
 */
describe('a panel page token is single use', () => {
  let stack: AdminPanelStack;
  let instance: PanelInstance;
  let secondWorker: { services: Services; host: LocalHost } | undefined;

  beforeAll(async () => {
    stack = await startAdminPanelStack();
    instance = await stack.newInstance();
  }, 60_000);
  afterAll(async () => {
    await secondWorker?.host.stop();
    await secondWorker?.services.http.close();
    await stack?.stop();
  });

  const nowSeconds = () => Math.floor(Date.now() / 1000);

  let pages = 0;
  /**
   * A token as the Jira app signs it for `GET /api/manage/ui`; `jti` only when given. Each
   * for another Jira user unless `sub` is given: without a `jti`, two tokens of the same
   * second with the same claims are one token.
   */
  async function pageToken(claims: { jti?: string; iat?: number; sub?: string } = {}): Promise<string> {
    const iat = claims.iat ?? nowSeconds();
    const qsh = queryStringHash({ method: 'GET', path: '/api/manage/ui', query: new URLSearchParams() });
    const jwt = new SignJWT({ qsh, ...(claims.jti === undefined ? {} : { jti: claims.jti }) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(instance.credentials.issuer)
      .setSubject(claims.sub ?? `admin-${(pages += 1)}`)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 180);
    return jwt.sign(new TextEncoder().encode(instance.credentials.sharedSecret));
  }

  const open = (jwt: string, base = stack.http.url) => fetch(`${base}/api/manage/ui?jwt=${encodeURIComponent(jwt)}`);

  async function sessionOf(response: Response): Promise<string | undefined> {
    return /<meta name="panel-session" content="([^"]+)">/.exec(await response.text())?.[1];
  }

  /** The page a forged token gets, to compare a replay's answer with. */
  let refusedPage: string;
  beforeAll(async () => {
    const forged = await open('eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl');
    expect(forged.status).toBe(401);
    refusedPage = await forged.text();
  });

  async function expectRefused(response: Response): Promise<void> {
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // Byte for byte the forged token's page: a replay learns nothing a forgery does not.
    expect(await response.text()).toBe(refusedPage);
  }

  it('without a jti: the first use opens a session, the second gets the refused page', async () => {
    const jwt = await pageToken();
    const first = await open(jwt);
    expect(first.status).toBe(200);
    expect(await sessionOf(first)).toMatch(/^ps1\./);
    await expectRefused(await open(jwt));
    await expectRefused(await open(jwt));
  });

  it('with a jti: a token re-signed with a used jti is refused, another jti opens', async () => {
    const jti = `page-${nowSeconds()}-${Math.random()}`;
    expect((await open(await pageToken({ jti }))).status).toBe(200);
    // Another token (other iat, other user) with the same jti: the jti is what was used.
    await expectRefused(await open(await pageToken({ jti, iat: nowSeconds() - 5, sub: 'someone' })));
    expect((await open(await pageToken({ jti: `${jti}-2` }))).status).toBe(200);
  });

  it('another spelling of the same token (its signature re-encoded) counts as the same token', async () => {
    const jwt = await pageToken();
    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    // 32 bytes of HMAC are 43 base64url characters: the last one carries 2 unused bits.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signature.slice(-1));
    const variants = [1, 2, 3].map((bits) => `${header}.${payload}.${signature.slice(0, -1)}${alphabet[last ^ bits]}`);
    expect((await open(jwt)).status).toBe(200);
    for (const variant of variants) await expectRefused(await open(variant));
  });

  it('used at once on two workers, eight times: exactly one session', async () => {
    // A second worker: its own services (caches and all) over the same storage.
    const services = createServices({ config: loadConfig(stack.fanout.env) });
    const host = await startLocalHost({ functions: panelRows, services, port: 0, log: { write: () => undefined } });
    secondWorker = { services, host };
    const jwt = await pageToken({ jti: `race-${Math.random()}` });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => open(jwt, i % 2 === 0 ? stack.http.url : host.url)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401, 401, 401, 401, 401, 401, 401]);
    const bodyless = await pageToken();
    const raced = await Promise.all(Array.from({ length: 8 }, (_, i) => open(bodyless, i % 2 === 0 ? stack.http.url : host.url)));
    expect(raced.filter((answer) => answer.status === 200)).toHaveLength(1);
  });

  it('a refused token is not remembered: the same claims on a valid token still open once', async () => {
    const jti = `wrong-then-right-${Math.random()}`;
    const forged = await new SignJWT({ qsh: 'f'.repeat(64), jti })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(instance.credentials.issuer)
      .setSubject('admin')
      .setIssuedAt()
      .setExpirationTime('3m')
      .sign(new TextEncoder().encode(instance.credentials.sharedSecret));
    await expectRefused(await open(forged));
    // A forged or mis-bound token must not burn a jti the Jira app is about to use.
    expect((await open(await pageToken({ jti }))).status).toBe(200);
  });
});
