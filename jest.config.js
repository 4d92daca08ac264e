/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // The app's lazy `import('./handler.js')` (node16 resolution wants the extension) names the
  // compiled file; under jest the source is the .ts beside it.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Integration tests start Azurite and simulators; generous but bounded.
  testTimeout: 60000,
  // Says once when the browser tests are skipped for want of Chromium (test/support/chromium.ts).
  globalSetup: '<rootDir>/test/support/jestGlobalSetup.ts',
  maxWorkers: 2,
};
