import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isListening } from '../dev/azurite';
import { findExecutable } from '../dev/host/findExecutable';
import { freePort } from './freePort';
import { stopWithStacks } from './stack';
import { stopChild } from './stopChild';

export interface NginxProxy {
  url: string;
  stop(): Promise<void>;
}

const SEARCH_PATH = [process.env.PATH ?? '', '/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin'].join(delimiter);

/** What to run, by hand, when the set-up could not install nginx itself. */
export const NGINX_INSTALL_COMMAND = 'sudo apt-get install -y nginx';

/**
 * The nginx executable; when it is missing, installs Debian's package (`apt-get install -y
 * nginx`, through `sudo -n` when not root) as part of the bench's set-up, because a proxy row
 * without its nginx anchor cannot be judged. Throws, naming the command to run, when that is
 * not possible here (no apt-get, no root and no password-less sudo, or the install failed).
 */
export async function ensureNginx(log: (line: string) => void): Promise<string> {
  const found = await findExecutable('nginx', { PATH: SEARCH_PATH });
  if (found) return found;
  const aptGet = await findExecutable('apt-get');
  if (!aptGet) throw new Error(`nginx is not installed and there is no apt-get here: install nginx (Debian: ${NGINX_INSTALL_COMMAND})`);
  const asRoot = process.getuid?.() === 0;
  const sudo = asRoot ? undefined : await findExecutable('sudo');
  if (!asRoot && !sudo) throw new Error(`nginx is not installed and this user cannot install it: run ${NGINX_INSTALL_COMMAND}`);
  const install = async (args: readonly string[]) => (sudo ? run(sudo, ['-n', aptGet, ...args]) : run(aptGet, args));
  log("nginx: not installed; installing Debian's package (apt-get install -y nginx) for the anchor");
  let result = await install(['install', '-y', '--no-install-recommends', 'nginx']);
  // A fresh image has no package lists yet: update once and try again.
  if (result.code !== 0) {
    await install(['update']);
    result = await install(['install', '-y', '--no-install-recommends', 'nginx']);
  }
  const installed = await findExecutable('nginx', { PATH: SEARCH_PATH });
  if (result.code !== 0 || !installed)
    throw new Error(`installing nginx failed (${result.output.trim().split('\n').slice(-2).join(' / ')}): run ${NGINX_INSTALL_COMMAND}`);
  return installed;
}

function run(command: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-4096)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-4096)));
    child.once('error', (error) => resolve({ code: null, output: error.message }));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/**
 * nginx as a bare `proxy_pass` to `upstreamUrl` (keep-alive upstream, no buffering to disk,
 * no logging), on a free loopback port, as a single foreground process: the anchor for what
 * a reverse proxy that does no work of its own adds.
 */
export async function startNginxProxy(nginx: string, upstreamUrl: string): Promise<NginxProxy> {
  const upstream = new URL(upstreamUrl);
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'bench-nginx-'));
  const config = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream jira { server ${upstream.host}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://jira;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
  await writeFile(join(dir, 'nginx.conf'), config, 'utf8');
  const child = spawn(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let forget: () => void = () => undefined;
  const stop = async () => {
    forget();
    await stopChild(child, exited);
    await rm(dir, { recursive: true, force: true });
  };
  forget = stopWithStacks(stop);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (child.exitCode !== null) break;
    if (await isListening('127.0.0.1', port)) return { url: `http://127.0.0.1:${port}`, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`nginx did not start: ${stderr.trim().slice(0, 300)}`);
}
