import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { BUNDLE_ENTRY, bundleApp } from './bundleApp';
import { packageLayout } from './packageLayout';
import { zipDirectory } from './zipDirectory';

/*
 * `npm run package`: the one artifact that ships, for Flex Consumption's one-deploy (`npm run
 * deploy` and `azd` publish this same folder): host.json, a package.json whose `main` is the
 * bundle, and the app bundled afresh from the sources (dist/app: the entry, the chunks it loads
 * on first use, their source maps). The bundle holds every production dependency and leaves
 * out only `@azure/functions-core`, which the worker provides, so there is no node_modules.
 * It leaves the folder in <out>/app and the zip of it in <out>, and prints the zip's path as
 * its last line.
 *   --out-dir <dir>   where to put both (default dist/package)
 */

// dist/scripts/package.js (or scripts/package.ts under a TypeScript loader) → the repository root.
const repoRoot = path.resolve(__dirname, '..', path.basename(path.dirname(__dirname)) === 'dist' ? '..' : '.');

interface PackageResult {
  /** The folder that was zipped: what the app folder holds in Azure. */
  appDir: string;
  zipPath: string;
  files: number;
  unpackedBytes: number;
  zipBytes: number;
}

async function buildPackage(outDir: string, print: (line: string) => void): Promise<PackageResult> {
  const { appDir, zipPath } = packageLayout(repoRoot, outDir);
  await rm(appDir, { recursive: true, force: true });
  await rm(zipPath, { force: true });
  await mkdir(appDir, { recursive: true });

  print('Bundling the app (functions/index.ts and what it imports) …');
  await bundleApp(repoRoot, appDir);
  await copyFile(path.join(repoRoot, 'host.json'), path.join(appDir, 'host.json'));
  await writeFile(path.join(appDir, 'package.json'), await shippedManifest());

  print(`Zipping ${appDir} …`);
  try {
    const summary = await zipDirectory(appDir, zipPath);
    print(`${summary.files} files, ${megabytes(summary.unpackedBytes)} unpacked, ${megabytes(summary.zipBytes)} zipped.`);
    return { appDir, zipPath, ...summary };
  } catch (error) {
    await rm(zipPath, { force: true });
    throw error;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const manifestSchema = z.looseObject({
  name: z.string(),
  version: z.string(),
  description: z.string(),
  engines: z.record(z.string(), z.string()),
});

/**
 * package.json as the app folder needs it: the worker reads `main` (and `type`, absent: the
 * entry is `.mjs`). No dependencies: the bundle holds them, and none may be installed beside it.
 */
async function shippedManifest(): Promise<string> {
  const manifest = manifestSchema.parse(JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')));
  const shipped = {
    name: manifest.name,
    version: manifest.version,
    private: true,
    description: manifest.description,
    main: BUNDLE_ENTRY,
    engines: manifest.engines,
  };
  return `${JSON.stringify(shipped, null, 2)}\n`;
}

async function main(args: readonly string[]): Promise<number> {
  let outDir: string;
  try {
    const { values } = parseArgs({ args: [...args], options: { 'out-dir': { type: 'string' } }, strict: true });
    outDir = path.resolve(values['out-dir'] ?? path.join(repoRoot, 'dist', 'package'));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\nusage: npm run package [-- --out-dir <dir>]`);
    return 2;
  }
  const result = await buildPackage(outDir, (line) => console.log(line));
  // The last line, alone: scripts and azd read it.
  console.log(result.zipPath);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`package: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
