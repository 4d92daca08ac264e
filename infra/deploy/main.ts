import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isAppError } from '../../shared/platform/errors/AppError';
import { compileTemplate } from './compileTemplate';
import { createArmClient } from './createArmClient';
import { deployUsage, parseDeployArgs } from './parseDeployArgs';
import { runDeploy } from './runDeploy';

// dist/infra/deploy/main.js → the repository root.
const repoRoot = path.resolve(__dirname, '..', '..', '..');

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
    wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => new Date(),
    pollIntervalMs: 5000,
  });
}

main().catch((error: unknown) => {
  console.error(`deploy: ${isAppError(error) ? (error.detail ?? error.code) : error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
