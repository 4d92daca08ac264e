import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.join(__dirname, '../..');

/** The paths of `paths` that `.funcignore` excludes, decided by git itself (gitignore rules, as azd and Core Tools apply them). */
async function ignored(paths: readonly string[]): Promise<string[]> {
  const repo = await mkdtemp(path.join(tmpdir(), 'funcignore-'));
  try {
    await copyFile(path.join(root, '.funcignore'), path.join(repo, '.gitignore'));
    const git = (args: string[], input?: string) =>
      new Promise<string>((resolve, reject) => {
        const child = execFile('git', ['-c', 'core.excludesFile=/dev/null', ...args], { cwd: repo }, (error, stdout) => {
          // check-ignore exits 1 when nothing matches: an answer, not a failure.
          if (error !== null && error.code !== 1) reject(new Error(`git ${args[0] ?? ''} failed: ${error.message}`));
          else resolve(stdout);
        });
        child.stdin?.end(input ?? '');
      });
    await git(['init', '-q']);
    const out = await git(['check-ignore', '--no-index', '--stdin'], paths.join('\n') + '\n');
    return out.split('\n').filter((line) => line.length > 0);
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}

describe('.funcignore', () => {
  it('leaves out the sources, the tooling and the secrets at the top, and nothing inside node_modules or the compiled app', async () => {
    const kept = [
      'host.json',
      'package.json',
      'dist/app/index.mjs',
      'dist/app/index.mjs.map',
      'node_modules/undici/lib/web/infra/index.js',
      'node_modules/@azure/functions/dist/azure-functions.js',
      'node_modules/some-package/test/helper.js',
      'node_modules/some-package/docs/README.md',
      'node_modules/some-package/index.d.ts',
    ];
    const dropped = [
      '.azure/prod/.env',
      '.local/sandbox.json',
      'local.settings.json',
      'infra/main.bicep',
      'functions/index.ts',
      'shared/platform/config/loadConfig.ts',
      'test/unit/funcignore.test.ts',
      'dev/start.ts',
      'dist/dev/start.js',
      'dist/functions/index.js',
      'dist/shared/platform/config/loadConfig.js',
      'dist/package/app/host.json',
      'tsconfig.json',
      'README.md',
    ];
    expect(await ignored([...kept, ...dropped])).toEqual(dropped);
  });
});
