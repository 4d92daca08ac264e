import { rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild-wasm';

/** Where the worker finds the app: package.json `main` is `<appDir>/dist/app/index.mjs`. */
export const BUNDLE_ENTRY = 'dist/app/index.mjs';

/**
 * The names esbuild's CommonJS wrappers expect from Node (`require`, `__dirname`,
 * `__filename`) do not exist in an ES module; each output file gets its own, from its URL.
 * Renamed through `define` so they cannot clash with a dependency that declares the same names.
 */
const BANNER = [
  "import { createRequire as __bundleCreateRequire } from 'node:module';",
  "import { fileURLToPath as __bundleFileURLToPath } from 'node:url';",
  'const require = __bundleCreateRequire(import.meta.url);',
  'const __bundle_filename = __bundleFileURLToPath(import.meta.url);',
  "const __bundle_dirname = __bundleFileURLToPath(new URL('.', import.meta.url));",
].join('\n');

/**
 * Bundles the app (functions/index.ts and everything it imports, packages included) into
 * `<outDir>/dist/app`: an ES module entry and the chunks its lazy `import()`s load. Start-up
 * reads the entry and the few chunks it imports statically instead of ~570 files, and the
 * handlers, the composition root and the SDKs stay in chunks read on first use (esbuild splits
 * only ES modules, hence `.mjs`; the Functions worker loads an `.mjs` main with `import()`).
 * `@azure/functions-core` stays outside: the worker answers it. Returns the entry's path.
 */
export async function bundleApp(repoRoot: string, outDir: string): Promise<string> {
  const bundleDir = path.join(outDir, path.dirname(BUNDLE_ENTRY));
  await rm(bundleDir, { recursive: true, force: true });
  await build({
    absWorkingDir: repoRoot,
    entryPoints: { index: path.join(repoRoot, 'functions', 'index.ts') },
    outdir: bundleDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    external: ['@azure/functions-core'],
    banner: { js: BANNER },
    define: { __dirname: '__bundle_dirname', __filename: '__bundle_filename' },
    // Stack traces map back to the sources with --enable-source-maps; the sources themselves stay home.
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
  });
  return path.join(outDir, BUNDLE_ENTRY);
}
