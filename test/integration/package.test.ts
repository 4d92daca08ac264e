import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatFunctionError, hostFunctionErrors } from '../../dev/host/validateFunctionTable';
import { functionTable } from '../../functions/functionTable';
import { extractZip } from '../support/extractZip';
import { loadLikeTheWorker, registeredHostFunctions } from '../support/functionsWorkerStandIn';
import { runTypeScript } from '../support/spawnTypeScript';
import { templateAppSettings } from '../support/templateAppSettings';

const root = path.join(__dirname, '../..');
const MB = 1024 * 1024;
// The budget docs/deployment.md states; a dependency that blows it is a decision, not an accident.
const ZIP_BUDGET_BYTES = 25 * MB;
const UNPACKED_BUDGET_BYTES = 80 * MB;

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

describe('npm run package: the artifact that ships', () => {
  let work: string;
  let zipPath: string;
  let extracted: string;
  let entries: string[];

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'package-'));
    const env = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const run = await runTypeScript(path.join(root, 'scripts/package.ts'), {
      args: ['--out-dir', path.join(work, 'out')],
      env,
      timeoutMs: 15 * 60_000,
    });
    if (run.code !== 0) throw new Error(`npm run package failed:\n${run.stdout}${run.stderr}`);
    zipPath = run.stdout.trimEnd().split('\n').at(-1)!;
    extracted = path.join(work, 'extracted');
    entries = await extractZip(zipPath, extracted);
  }, 20 * 60_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('prints the zip as its last line, within the size budget', async () => {
    expect(path.isAbsolute(zipPath)).toBe(true);
    expect(path.basename(zipPath)).toMatch(/^jira-outlook-cloud-\d+\.\d+\.\d+\.zip$/);
    expect((await stat(zipPath)).size).toBeLessThanOrEqual(ZIP_BUDGET_BYTES);
    expect(await sizeOf(extracted)).toBeLessThanOrEqual(UNPACKED_BUDGET_BYTES);
  });

  it('holds host.json, package.json and the bundled app, nothing else', async () => {
    expect([...new Set(entries.map((name) => name.split('/')[0]))].sort()).toEqual(['dist', 'host.json', 'package.json']);
    expect([...new Set(entries.filter((name) => name.startsWith('dist/')).map((name) => name.split('/')[1]))]).toEqual(['app']);
    expect(entries.filter((name) => name.startsWith('dist/') && !/\.mjs(\.map)?$/.test(name))).toEqual([]);
    expect(await readFile(path.join(extracted, 'host.json'), 'utf8')).toBe(await readFile(path.join(root, 'host.json'), 'utf8'));
  });

  it('needs no node_modules: every production dependency is in the bundle, and package.json lists none to install', async () => {
    const shipped = JSON.parse(await readFile(path.join(extracted, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(shipped).toMatchObject({ name: 'jira-outlook-cloud', main: 'dist/app/index.mjs' });
    expect(Object.keys(shipped).filter((key) => /dependencies$/i.test(key))).toEqual([]);
    expect(entries.filter((name) => name.includes('node_modules/'))).toEqual([]);
    // Nothing to resolve from outside the folder: the worker only has what was extracted.
    expect(existsSync(path.join(path.dirname(extracted), 'node_modules'))).toBe(false);
  });

  it("loads in a fresh worker with only the template's settings: every function registers, none is refused", async () => {
    const load = await loadLikeTheWorker(extracted, templateAppSettings());

    expect({ loadError: load.loadError, stderr: load.stderr }).toEqual({ loadError: null, stderr: '' });
    const registered = registeredHostFunctions(load);
    expect(registered.map((fn) => fn.name).sort()).toEqual(functionTable.map((definition) => definition.name).sort());
    expect(hostFunctionErrors(registered).map(formatFunctionError)).toEqual([]);
  });

  it('is what azd publishes too: azure.yaml packages with npm run package and zips its folder', async () => {
    const azureYaml = await readFile(path.join(root, 'azure.yaml'), 'utf8');
    expect(/^\s+dist:\s*(\S+)\s*$/m.exec(azureYaml)?.[1]).toBe('dist/package/app');
    expect(azureYaml.match(/^\s+run: npm run package$/gm)).toHaveLength(2);
  });
});
