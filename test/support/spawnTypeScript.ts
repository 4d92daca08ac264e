import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { join } from 'node:path';

const root = join(__dirname, '../..');

/** Loads TypeScript through @swc/core (as jest does), so a child runs the sources, not a build. */
const SWC_LOADER = `
const fs = require('node:fs');
const Module = require('node:module');
const swc = require('@swc/core');
// The app's lazy import('./handler.js') names the compiled file: here it is the .ts beside it.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (/^\\.\\.?\\/.*\\.js$/.test(request)) {
    try { return resolveFilename.call(this, request, parent, ...rest); } catch { return resolveFilename.call(this, request.slice(0, -3), parent, ...rest); }
  }
  return resolveFilename.call(this, request, parent, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
require(process.argv[1]);
`;

/** Spawns a TypeScript file of this project (cwd: the project root) with exactly `env` plus PATH. */
export function spawnTypeScript(
  file: string,
  args: readonly string[],
  env: Record<string, string>,
): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, ['-e', SWC_LOADER, file, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface TypeScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a TypeScript file of this project as a real child process (cwd: the project root),
 * with exactly the environment given (plus PATH), until it exits; killed after `timeoutMs`.
 */
export function runTypeScript(
  file: string,
  init: { args?: string[]; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<TypeScriptRun> {
  const timeoutMs = init.timeoutMs ?? 45_000;
  return collectExit(spawnTypeScript(file, init.args ?? [], init.env ?? {}), file, timeoutMs);
}

/** A child's output until it exits; killed, and refused, after `timeoutMs`. */
export function collectExit(
  child: ChildProcessByStdio<null, Readable, Readable>,
  label: string,
  timeoutMs: number,
): Promise<TypeScriptRun> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} did not exit within ${timeoutMs} ms:\n${stdout}${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
