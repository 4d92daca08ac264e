import { copyFile, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatFunctionError, hostFunctionErrors } from '../../dev/host/validateFunctionTable';
import { functionTable } from '../../functions/functionTable';
import { compileApp } from '../support/compileApp';
import { loadLikeTheWorker, registeredHostFunctions } from '../support/functionsWorkerStandIn';
import { templateAppSettings } from '../support/templateAppSettings';

const root = path.join(__dirname, '../..');

describe('the built entry point (package.json main), loaded as the Functions worker loads it', () => {
  let appDir: string;

  beforeAll(async () => {
    // The app folder as the worker sees it: package.json, the compiled app, node_modules.
    appDir = await mkdtemp(path.join(tmpdir(), 'worker-entry-'));
    await compileApp(path.join(appDir, 'dist'));
    await copyFile(path.join(root, 'package.json'), path.join(appDir, 'package.json'));
    await copyFile(path.join(root, 'host.json'), path.join(appDir, 'host.json'));
    await symlink(path.join(root, 'node_modules'), path.join(appDir, 'node_modules'), 'dir');
  }, 20 * 60_000);

  afterAll(async () => {
    await rm(appDir, { recursive: true, force: true });
  });

  it("registers every function of the table with only the template's settings, and the host refuses none", async () => {
    const load = await loadLikeTheWorker(appDir, templateAppSettings());

    expect({ loadError: load.loadError, stderr: load.stderr }).toEqual({ loadError: null, stderr: '' });
    expect(load.programmingModel?.name).toBe('@azure/functions');
    const registered = registeredHostFunctions(load);
    expect(registered.map((fn) => fn.name).sort()).toEqual(functionTable.map((definition) => definition.name).sort());
    expect(hostFunctionErrors(registered).map(formatFunctionError)).toEqual([]);
  });
});
