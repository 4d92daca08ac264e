import { execFile } from 'node:child_process';
import path from 'node:path';

const root = path.join(__dirname, '../..');

/**
 * Compiles the app (functions/ and shared/, tsconfig.package.json) into `outDir`, as the package
 * script does: a test gets the build it loads without rewriting the dist/ other tests run from.
 */
export function compileApp(outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.package.json', '--outDir', outDir],
      { cwd: root },
      (error, stdout) => (error ? reject(new Error(`the app does not compile:\n${stdout}`)) : resolve()),
    );
  });
}
