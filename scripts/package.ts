import { spawn } from 'node:child_process';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { packageLayout } from './packageLayout';
import { zipDirectory } from './zipDirectory';

/*
 * `npm run package`: the one artifact that ships, for Flex Consumption's one-deploy (`npm run
 * deploy` and `azd` publish this same folder): host.json, package.json, the app compiled
 * afresh (functions/ and shared/, tsconfig.package.json, so no stale file of dist/ rides
 * along) and the production dependencies exactly as package-lock.json pins them
 * (`npm ci --omit=dev`). It leaves the folder in <out>/app and the zip of it in <out>,
 * and prints the zip's path as its last line.
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

  print('Compiling the app (functions/, shared/) …');
  await run(
    process.execPath,
    [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.package.json', '--outDir', path.join(appDir, 'dist')],
    repoRoot,
  );
  for (const file of ['host.json', 'package.json', 'package-lock.json']) await copyFile(path.join(repoRoot, file), path.join(appDir, file));

  print('Installing the production dependencies (npm ci --omit=dev) …');
  // No install scripts (none is needed, and none runs in Azure either) and no .bin links (files only).
  await runNpm(['ci', '--omit=dev', '--ignore-scripts', '--no-bin-links', '--no-audit', '--no-fund', '--loglevel=error'], appDir);
  // The worker needs package.json (`main`); the lock file only served npm ci.
  await rm(path.join(appDir, 'package-lock.json'));

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

function run(command: string, args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(args[0] ?? command)} exited with ${code ?? 'a signal'}`)),
    );
  });
}

/** npm as `npm run` started us (npm_execpath), else the one on PATH. */
function runNpm(args: readonly string[], cwd: string): Promise<void> {
  const npmCli = process.env.npm_execpath;
  if (npmCli && /npm-cli\.js$/.test(npmCli)) return run(process.execPath, [npmCli, ...args], cwd);
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm ${args[0] ?? ''} exited with ${code ?? 'a signal'}`))));
  });
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
