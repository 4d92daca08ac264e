import path from 'node:path';
import { AppError } from '../../shared/platform/errors/AppError';
import { armTemplateSchema, type ArmTemplate } from './armTemplateSchema';

export interface CompileTemplateInit {
  /** The repository root (the folder that holds infra/). */
  repoRoot: string;
  /** Runs a command with the user's terminal attached; rejects when it exits non-zero. */
  run: (command: string, args: readonly string[], cwd: string) => Promise<void>;
  readFile: (file: string) => Promise<string>;
}

/**
 * Builds and lints infra/main.bicep with the real Bicep CLI (infra/bicep.sh) and returns
 * the ARM template it wrote: what is deployed is always what the linter passed.
 */
export async function compileTemplate(init: CompileTemplateInit): Promise<ArmTemplate> {
  try {
    await init.run('bash', [path.join('infra', 'bicep.sh')], init.repoRoot);
  } catch (error) {
    throw new AppError({
      code: 'deployment_failed',
      detail: 'infra/main.bicep did not build or lint (see the output above)',
      cause: error,
    });
  }
  const file = path.join(init.repoRoot, 'infra', 'build', 'main.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await init.readFile(file));
  } catch (error) {
    throw new AppError({ code: 'deployment_failed', detail: `cannot read the built template ${file}`, cause: error });
  }
  const template = armTemplateSchema.safeParse(parsed);
  if (!template.success) {
    throw new AppError({ code: 'deployment_failed', detail: `${file} is not an ARM template` });
  }
  return template.data;
}
