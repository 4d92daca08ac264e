const base = require('./jest.config');

/**
 * The tests Stryker runs against each mutant of the guard modules (stryker.config.json):
 * the unit tests of those modules only. Integration tests start Azurite and simulators,
 * far too slow to run once per mutant; a guard that only they pin shows up as a survivor.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: base.testEnvironment,
  transform: base.transform,
  rootDir: __dirname,
  roots: ['<rootDir>/test/unit/shared'],
  testMatch: [
    '<rootDir>/test/unit/shared/auth/**/*.test.ts',
    '<rootDir>/test/unit/shared/platform/net/**/*.test.ts',
    '<rootDir>/test/unit/shared/platform/crypto/**/*.test.ts',
    '<rootDir>/test/unit/shared/platform/storage/**/*.test.ts',
    '<rootDir>/test/unit/shared/mail/webhooks/**/*.test.ts',
    '<rootDir>/test/unit/shared/mail/fanout/**/*.test.ts',
    '<rootDir>/test/unit/shared/jira/**/*.test.ts',
    '<rootDir>/test/unit/shared/proxy/**/*.test.ts',
    '<rootDir>/test/unit/shared/admin/**/*.test.ts',
    '<rootDir>/test/unit/shared/licenses/**/*.test.ts',
  ],
  testTimeout: 30000,
  maxWorkers: 1,
};
