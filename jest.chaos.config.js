/**
 * `npm run test:chaos`: the long fault-injection runs under test/chaos (`*.chaos.ts`), one
 * at a time (`--runInBand`): each starts Azurite, the simulators and a worker, sends 1,000
 * mails through faults and prints what became of them. Not part of `npm test`.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/chaos'],
  testMatch: ['**/*.chaos.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // As in jest.config.js: the app's lazy `import('./handler.js')` is the .ts beside it here.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // A run is bounded in minutes; this is the backstop, not the expectation.
  testTimeout: 20 * 60 * 1000,
  maxWorkers: 1,
};
