import path from 'node:path';
import { bundleApp } from './bundleApp';

/*
 * The last step of `npm run build`: bundles the app into dist/app (package.json `main`), what
 * `func start` and the package load. `npm start` and the tests run the tsc output or the sources.
 */

// dist/scripts/bundle.js (or scripts/bundle.ts under a TypeScript loader) → the repository root.
const repoRoot = path.resolve(__dirname, '..', path.basename(path.dirname(__dirname)) === 'dist' ? '..' : '.');

bundleApp(repoRoot, repoRoot).then(
  (entry) => console.log(`bundled ${path.relative(repoRoot, entry)}`),
  (error: unknown) => {
    console.error(`bundle: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
