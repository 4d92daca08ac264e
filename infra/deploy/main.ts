import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DefaultAzureCredential } from '@azure/identity';
import { isAppError } from '../../shared/platform/errors/AppError';
import { packageLayout } from '../../scripts/packageLayout';
import { compileTemplate } from './compileTemplate';
import { createArmClient } from './createArmClient';
import { deployUsage, parseDeployArgs } from './parseDeployArgs';
import { publishPackage } from './publishPackage';
import { runDeploy } from './runDeploy';

// dist/infra/deploy/main.js → the repository root.
const repoRoot = path.resolve(__dirname, '..', '..', '..');
// The SCM site takes the token az uses for it (its active_directory_resource_id), from the same sign-in as Resource Manager.
const SCM_SCOPE = 'https://management.core.windows.net/.default';
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function run(command: string, args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code ?? 'a signal'}`))));
  });
}

async function main(): Promise<void> {
  const options = parseDeployArgs(process.argv.slice(2));
  if (options === 'help') {
    console.log(deployUsage);
    return;
  }
  await runDeploy({
    options,
    client: createArmClient({ subscriptionId: options.subscription }),
    compile: () => compileTemplate({ repoRoot, run, readFile: (file) => readFile(file, 'utf8') }),
    parametersFile: options.parametersFile ? path.resolve(options.parametersFile) : path.join(repoRoot, 'infra', 'main.parameters.json'),
    readJson: async (file) => JSON.parse(await readFile(file, 'utf8')) as unknown,
    env: process.env,
    print: (line) => console.log(line),
    wait,
    now: () => new Date(),
    pollIntervalMs: 5000,
    // `npm run deploy` runs `npm run package` first: this is the zip it printed.
    publish: ({ scmUrl }) => {
      const credential = new DefaultAzureCredential();
      return publishPackage({
        zipPath: packageLayout(repoRoot).zipPath,
        readFile: (file) => readFile(file),
        scmUrl,
        accessToken: async () => (await credential.getToken(SCM_SCOPE)).token,
        print: (line) => console.log(line),
        wait,
        pollIntervalMs: 5000,
        // Twenty minutes: one-deploy of a prebuilt package usually takes one or two.
        maxPolls: 240,
      });
    },
  });
}

main().catch((error: unknown) => {
  console.error(`deploy: ${isAppError(error) ? (error.detail ?? error.code) : error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
