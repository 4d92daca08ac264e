import { Readable } from 'node:stream';
import { startAzurite, type RunningAzurite } from '../../dev/azurite';
import { contentBlock } from '../../dev/sandbox/jira/generatedContent';
import { newGuid } from '../../dev/sandbox/newGuid';
import { startTokenIssuer, type TokenIssuer } from '../../dev/sandbox/issuer/tokenIssuer';
import {
  ADMIN_ROLE,
  agent,
  AUDIENCE,
  authorize,
  LogCapture,
  MovableClock,
  registerInstance,
  send,
  sendRaw,
  startStack,
  type Stack,
} from '../support/proxyStack';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const MiB = 1024 * 1024;
const BIG = 200 * MiB;
const BOUNDARY = 'proxy-streaming-boundary';
const HEAD = Buffer.from(
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
);
const TAIL = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

/** A multipart upload of `size` file bytes, produced as it is sent: one 64 KiB block reused. */
function multipart(size: number): Readable {
  return Readable.from(
    (function* () {
      yield HEAD;
      for (let sent = 0; sent < size; sent += contentBlock.length)
        yield contentBlock.subarray(0, Math.min(contentBlock.length, size - sent));
      yield TAIL;
    })(),
    { objectMode: false },
  );
}

/**
 * 200 MiB each way through the proxy (local host, real HTTP on loopback, the simulated
 * Jira generating and counting the bytes), with the process's memory measured around it.
 */
describe('streaming through the proxy', () => {
  const clock = new MovableClock();
  const log = new LogCapture();
  let azurite: RunningAzurite;
  let issuer: TokenIssuer;
  let stack: Stack;
  let small: Stack;
  let userToken: string;
  const secrets: string[] = [];

  beforeAll(async () => {
    log.captureConsole();
    azurite = await startAzurite();
    issuer = await startTokenIssuer({ clock });
    // 200 MiB is above the host's default limit: raised on both sides, as a deployment would.
    const limit = String(256 * MiB);
    stack = await startStack({
      azurite,
      issuer,
      clock,
      log,
      env: { PROXY_MAX_BODY_BYTES: limit, FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: limit },
    });
    small = await startStack({
      azurite,
      issuer,
      clock,
      log,
      jira: stack.jira,
      env: { PROXY_MAX_BODY_BYTES: String(MiB), OUTBOUND_HEADERS_TIMEOUT_MS: '300' },
    });
    const tenantId = newGuid();
    const adminToken = await issuer.mint({ tenantId, userId: newGuid(), audience: AUDIENCE, roles: [ADMIN_ROLE] });
    userToken = await issuer.mint({ tenantId, userId: newGuid(), audience: AUDIENCE });
    secrets.push(adminToken, userToken);
    await registerInstance(stack, adminToken, 'demo');
    expect((await authorize(stack, userToken, 'demo', 'alice')).status).toBe(200);
  });

  afterAll(async () => {
    await small?.stop();
    await stack?.stop();
    await issuer?.stop();
    await azurite?.stop();
    await agent.close();
    log.release();
    for (const token of stack.jira.state.accessTokens.values()) secrets.push(token.token, token.secret);
    const text = log.lines.join('\n');
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain('big.bin');
    expect(text).not.toContain('?');
  });

  function settledRss(): number {
    collectGarbage();
    return process.memoryUsage().rss;
  }

  async function download(size: number): Promise<number> {
    const attachment = stack.jira.addAttachment({ size, filename: 'big.bin', issueKey: 'DEMO-1' });
    const response = await agent.request({
      origin: stack.host.url,
      method: 'GET',
      path: `/api/jira/demo/proxy/${attachment.path}`,
      headers: { authorization: `Bearer ${userToken}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-length']).toBe(String(size));
    expect(String(response.headers['content-disposition'])).toContain('big.bin');
    expect(response.headers['content-security-policy']).toContain('sandbox');
    let received = 0;
    for await (const chunk of response.body) {
      const bytes = chunk as Buffer;
      // Every byte is checked against the generated pattern, chunk boundaries wherever they fall.
      let offset = 0;
      while (offset < bytes.length) {
        const at = (received + offset) % contentBlock.length;
        const length = Math.min(bytes.length - offset, contentBlock.length - at);
        if (!bytes.subarray(offset, offset + length).equals(contentBlock.subarray(at, at + length)))
          throw new Error(`content differs at byte ${received + offset}`);
        offset += length;
      }
      received += bytes.length;
    }
    return received;
  }

  async function upload(size: number): Promise<number> {
    const total = HEAD.length + size + TAIL.length;
    const reply = await send(stack.host, 'POST', '/api/jira/demo/proxy/rest/api/2/issue/DEMO-1/attachments', {
      token: userToken,
      headers: {
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'content-length': String(total),
        'x-atlassian-token': 'no-check',
      },
      body: multipart(size),
    });
    expect(reply.status).toBe(200);
    expect(stack.jira.uploads.at(-1)).toMatchObject({ issueKey: 'DEMO-1', bytes: total, filename: 'big.bin' });
    return total;
  }

  it('downloads and uploads 200 MiB each with RSS growth under 32 MiB', async () => {
    // Warm up code paths and connections first, so the measurement sees the transfer only.
    await download(4 * MiB);
    await upload(4 * MiB);
    // Client, proxy and Jira share this process: collect garbage before each reading so
    // the figure is memory the transfer kept, not garbage the collector has not reached yet.
    const before = settledRss();
    expect(await download(BIG)).toBe(BIG);
    const afterDownload = settledRss();
    expect(await upload(BIG)).toBe(HEAD.length + BIG + TAIL.length);
    const afterUpload = settledRss();
    expect(afterDownload - before).toBeLessThan(32 * MiB);
    expect(afterUpload - before).toBeLessThan(32 * MiB);
    expect(
      log.lines.some((line) => /jiraProxy GET instance=demo path=secure\/attachment\/\{\}\/\{\} status=200 in=0 out=209715200/.test(line)),
    ).toBe(true);
    expect(
      log.lines.some((line) => /jiraProxy POST instance=demo path=rest\/api\/2\/issue\/\{\}\/attachments status=200 in=\d{9}/.test(line)),
    ).toBe(true);
  });

  it('answers 413 to a declared body over the limit without calling Jira', async () => {
    stack.jira.clearRequests();
    const reply = await sendRaw(small.host, [
      'POST /api/jira/demo/proxy/rest/api/2/issue/DEMO-1/attachments HTTP/1.1',
      `Host: 127.0.0.1:${small.host.port}`,
      `Authorization: Bearer ${userToken}`,
      'Content-Type: multipart/form-data; boundary=x',
      `Content-Length: ${2 * MiB}`,
      'Connection: close',
    ]);
    expect(reply.status).toBe(413);
    expect(reply.text).toContain('payload_too_large');
    expect(stack.jira.requests).toHaveLength(0);
  });

  it('answers 413 once a streamed body passes the limit, and Jira never gets all of it', async () => {
    stack.jira.clearRequests();
    const uploads = stack.jira.uploads.length;
    const reply = await send(small.host, 'POST', '/api/jira/demo/proxy/rest/api/2/issue/DEMO-1/attachments', {
      token: userToken,
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'x-atlassian-token': 'no-check' },
      body: multipart(3 * MiB),
    });
    expect(reply.status).toBe(413);
    expect(reply.json().code).toBe('payload_too_large');
    expect(stack.jira.uploads).toHaveLength(uploads);
  });

  it('answers 504 problem+json when Jira does not answer in time', async () => {
    stack.jira.stall('/rest/api/2/issue/DEMO-2');
    const reply = await send(small.host, 'GET', '/api/jira/demo/proxy/rest/api/2/issue/DEMO-2', { token: userToken });
    expect(reply.status).toBe(504);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(reply.json().code).toBe('upstream_timeout');
  });
});
