import path from 'node:path';

/*
 * Run in a fresh process (spawnTypeScript): loads functions/index.ts as the worker loads the
 * entry point, and prints, as one JSON line, every module that start-up loaded.
 */
const root = path.join(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the entry point, loaded exactly as a worker requires it
require(path.join(root, 'functions/index.ts'));
const loaded = Object.keys(require.cache).map((file) => path.relative(root, file).split(path.sep).join('/'));
process.stdout.write(`${JSON.stringify(loaded)}\n`, () => process.exit(0));
