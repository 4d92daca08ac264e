import { spawn } from 'node:child_process';
import { z } from 'zod';
import type { HostBinding, HostFunction } from '../../dev/host/validateFunctionTable';
import { collectExit } from './spawnTypeScript';

/**
 * The part of the Azure Functions Node.js worker (Azure/azure-functions-nodejs-worker) that
 * loads an app, as a plain script for a fresh `node` process whose cwd is the app folder:
 * - `setupCoreModule`: `require('@azure/functions-core')` answers the worker's core API object,
 *   by the same interception of `Module.prototype.require` the worker uses; that object has what
 *   `@azure/functions` 4.x calls (`setProgrammingModel`, `getProgrammingModel`, `registerFunction`,
 *   `registerHook`, `log`, `Disposable`, `version`, `hostVersion`);
 * - `startApp`: reads `package.json` `main` in the app folder and loads it (`require`, or
 *   `import()` for an ES module), then the host would ask for the registered functions.
 * It prints what was registered as one JSON line after a marker and exits; hooks are recorded,
 * not run (`appStart` would reach for storage, which a load test has not got). Given a function
 * name and a URL (argv), it then invokes that HTTP function once as the worker does once
 * registration is over (`invokeFunction`: the registered handler with the request and an
 * invocation context) and records the answer's status and body.
 */
const STAND_IN = String.raw`
'use strict';
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const result = { programmingModel: null, registrations: [], hooks: [], logs: [], loadError: null, invocation: null };
const handlers = new Map();
class Disposable {
  constructor(callOnDispose) { this.callOnDispose = callOnDispose; }
  static from(...items) { return new Disposable(() => items.forEach((item) => item.dispose())); }
  dispose() { const call = this.callOnDispose; this.callOnDispose = undefined; if (call) call(); }
}
let startupDone = false;
const coreApi = {
  version: '3.10.1',
  hostVersion: '4.1040.300.0',
  setProgrammingModel(model) { result.programmingModel = { name: model.name, version: model.version }; coreApi.model = model; },
  getProgrammingModel() { return coreApi.model; },
  registerFunction(metadata, callback) {
    if (startupDone) throw new Error('A function can only be registered during app startup.');
    if (typeof callback !== 'function') throw new Error('registerFunction: the callback is not a function');
    // What the host receives: rawBindings, each binding as JSON with its name.
    const bindings = Object.entries(metadata.bindings || {}).map(([name, binding]) => JSON.parse(JSON.stringify({ ...binding, name })));
    const entry = { name: metadata.name, bindings };
    result.registrations.push(entry);
    handlers.set(metadata.name, callback);
    return new Disposable(() => result.registrations.splice(result.registrations.indexOf(entry), 1));
  },
  registerHook(hookName, callback) {
    if (typeof callback !== 'function') throw new Error('registerHook: the callback is not a function');
    const entry = hookName;
    result.hooks.push(entry);
    return new Disposable(() => result.hooks.splice(result.hooks.indexOf(entry), 1));
  },
  log(level, category, message) { result.logs.push({ level, category, message: String(message) }); },
  Disposable,
};
Module.prototype.require = new Proxy(Module.prototype.require, {
  apply(target, thisArg, args) {
    return args[0] === '@azure/functions-core' ? coreApi : Reflect.apply(target, thisArg, args);
  },
});

async function main() {
  const appDir = process.cwd();
  try {
    const packageJson = JSON.parse(fs.readFileSync(path.join(appDir, 'package.json'), 'utf8'));
    if (typeof packageJson.main !== 'string' || packageJson.main === '') throw new Error('package.json has no "main"');
    const entryPoint = path.join(appDir, packageJson.main);
    if (!fs.existsSync(entryPoint)) throw new Error('Found zero files matching the supplied pattern');
    const esm = entryPoint.endsWith('.mjs') || (entryPoint.endsWith('.js') && packageJson.type === 'module');
    if (esm) await import(pathToFileURL(entryPoint).href);
    else require(entryPoint);
  } catch (error) {
    result.loadError = error instanceof Error ? error.message : String(error);
  }
  startupDone = true;
  const [invokeName, invokeUrl] = process.argv.slice(1);
  if (invokeName && handlers.has(invokeName)) {
    try {
      const request = new Request(invokeUrl);
      const url = new URL(invokeUrl);
      Object.assign(request, { query: url.searchParams, params: {} });
      const noop = () => undefined;
      const context = { invocationId: 'stand-in-1', functionName: invokeName, triggerMetadata: {}, extraInputs: new Map(), extraOutputs: new Map(), log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
      const answer = await handlers.get(invokeName)(request, context);
      const body = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : await new Response(answer.body).text();
      result.invocation = { status: answer.status ?? 200, body };
    } catch (error) {
      result.invocation = { status: 0, body: error instanceof Error ? error.stack || error.message : String(error) };
    }
  }
  process.stdout.write('\n@@worker-stand-in@@' + JSON.stringify(result) + '\n', () => process.exit(0));
}
main();
`;

const MARKER = '@@worker-stand-in@@';

const outputSchema = z.object({
  programmingModel: z.object({ name: z.string(), version: z.string() }).nullable(),
  registrations: z.array(
    z.object({ name: z.string(), bindings: z.array(z.looseObject({ name: z.string(), type: z.string(), direction: z.string() })) }),
  ),
  hooks: z.array(z.string()),
  logs: z.array(z.object({ level: z.string(), category: z.string(), message: z.string() })),
  loadError: z.string().nullable(),
  invocation: z.object({ status: z.number(), body: z.string() }).nullable(),
});

export type WorkerLoad = z.output<typeof outputSchema> & {
  /** Everything the app wrote to stderr while loading (config errors land here). */
  stderr: string;
};

/**
 * Loads the app in `appDir` (its `package.json` `main`) in a fresh Node process the way the
 * Functions worker does, with exactly `env` as its environment, and returns what it registered.
 */
export async function loadLikeTheWorker(
  appDir: string,
  env: Readonly<Record<string, string>>,
  timeoutMs = 60_000,
  invoke?: { name: string; url: string },
): Promise<WorkerLoad> {
  const child = spawn(process.execPath, ['-e', STAND_IN, ...(invoke ? [invoke.name, invoke.url] : [])], {
    cwd: appDir,
    env: { ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { code, stdout, stderr } = await collectExit(child, 'the worker stand-in', timeoutMs);
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(MARKER));
  if (code !== 0 || line === undefined) throw new Error(`the worker stand-in exited with ${code ?? 'a signal'}:\n${stdout}${stderr}`);
  const parsed = outputSchema.safeParse(JSON.parse(line.slice(MARKER.length)));
  if (!parsed.success) throw new Error(`the worker stand-in printed an unexpected result: ${parsed.error.message}`);
  return { ...parsed.data, stderr };
}

/** The registrations as the host indexes them, for `hostFunctionErrors`. */
export function registeredHostFunctions(load: WorkerLoad): HostFunction[] {
  return load.registrations.map((registration) => ({
    name: registration.name,
    bindings: registration.bindings.map((binding): HostBinding => {
      const { route, methods, queueName, schedule } = binding as Record<string, unknown>;
      return {
        name: binding.name,
        type: binding.type,
        direction: binding.direction,
        ...(typeof route === 'string' ? { route } : {}),
        ...(Array.isArray(methods) ? { methods: methods.map(String) } : {}),
        ...(typeof queueName === 'string' ? { queueName } : {}),
        ...(typeof schedule === 'string' ? { schedule } : {}),
      };
    }),
  }));
}
