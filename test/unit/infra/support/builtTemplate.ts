import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const infraDir = path.join(repoRoot, 'infra');
const builtTemplate = path.join(infraDir, 'build', 'main.json');

function sources(): string[] {
  const modules = readdirSync(path.join(infraDir, 'modules'))
    .filter((f) => f.endsWith('.bicep'))
    .map((f) => path.join(infraDir, 'modules', f));
  return [path.join(infraDir, 'main.bicep'), path.join(infraDir, 'bicepconfig.json'), ...modules];
}

function isFresh(): boolean {
  try {
    const built = statSync(builtTemplate).mtimeMs;
    return sources().every((file) => statSync(file).mtimeMs <= built);
  } catch {
    return false;
  }
}

/**
 * The ARM JSON of infra/main.bicep, built with the real Bicep CLI when missing or older
 * than a source. Throws (the test fails) when no Bicep CLI can be had: a template that
 * was never compiled proves nothing.
 */
export function loadBuiltTemplate(): Record<string, unknown> {
  if (!isFresh()) {
    try {
      execFileSync('bash', [path.join(infraDir, 'bicep.sh')], { cwd: repoRoot, stdio: 'pipe', timeout: 15 * 60_000 });
    } catch (error) {
      const output = error instanceof Error && 'stderr' in error ? String((error as { stderr: unknown }).stderr) : String(error);
      throw new Error(`infra/bicep.sh failed, so the template cannot be checked:\n${output}`);
    }
  }
  return JSON.parse(readFileSync(builtTemplate, 'utf8')) as Record<string, unknown>;
}

/** The Node.js major version package.json's engines field asks for. */
export function nodeMajorFromPackageJson(): string {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { engines?: { node?: string } };
  const match = /(\d+)/.exec(pkg.engines?.node ?? '');
  if (!match?.[1]) throw new Error('package.json has no engines.node');
  return match[1];
}
