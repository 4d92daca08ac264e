import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isListening } from '../dev/azurite';
import { findExecutable } from '../dev/host/findExecutable';
import { freePort } from './freePort';
import { stopWithStacks } from './stack';

export interface NginxProxy {
  url: string;
  stop(): Promise<void>;
}

const SEARCH_PATH = [process.env.PATH ?? '', '/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin'].join(delimiter);

/**
 * nginx as a bare `proxy_pass` to `upstreamUrl` (keep-alive upstream, no buffering to disk,
 * no logging), on a free loopback port, as a single foreground process: the anchor for what
 * a reverse proxy that does no work of its own adds. Undefined when nginx is not installed.
 */
export async function startNginxProxy(upstreamUrl: string): Promise<NginxProxy | undefined> {
  const nginx = await findExecutable('nginx', { PATH: SEARCH_PATH });
  if (!nginx) return undefined;
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
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(hard);
    }
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
