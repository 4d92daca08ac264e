const base = require('./jest.config');

/**
 * The tests Stryker runs against each mutant of the guard modules (stryker.config.json):
 * the unit tests of those modules, listed one by one. Every other test file (integration
 * tests, and the many unit tests that start Azurite for their own module) would be run in
 * the dry run and, through findRelatedTests, for every mutant of a module it imports, at a
 * cost of seconds each; a guard that only they pin shows up as a survivor instead, which is
 * the point: the guard's own unit test should pin it.
 */
const guardTests = [
  'auth/BearerAuthenticator',
  'auth/VerifiedTokenCache',
  'auth/requireOperator',
  'auth/requireRole',
  'auth/bearerChallenge',
  'platform/net/guardedLookup',
  'platform/net/isPublicAddress',
  'mail/webhooks/clientState',
  'mail/webhooks/ValidationTokenVerifier',
  'jira/OAuthSigner',
  'jira/validateBaseUrl',
  'proxy/checkProxyQuery',
  'proxy/parseProxyPath',
  'proxy/rewriteLocation',
  'proxy/headers',
  'platform/crypto/SecretBox',
  'platform/storage/tableKey',
  'admin/IframeJwtVerifier',
  'admin/canonicalRequest',
  'admin/panelIssuer',
  'admin/UsedPanelTokens',
  'mail/fanout/DeliveryLedger',
  'licenses/toLicenseDecision',
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: base.testEnvironment,
  // @swc/jest strips types without checking them: the TypeScript checker of stryker.config.json
  // already refuses the mutants that do not compile, before any test runs.
  transform: base.transform,
  rootDir: __dirname,
  roots: ['<rootDir>/test/unit/shared'],
  testMatch: guardTests.map((name) => `<rootDir>/test/unit/shared/${name}.test.ts`),
  testTimeout: 30000,
  maxWorkers: 1,
  // One Azurite for the whole Stryker run, for the ledger's unit test (not one per mutant).
  globalSetup: '<rootDir>/test/support/mutationAzurite.ts',
  // Run by hand (`npx jest -c jest.mutation.config.js`), jest would wait for that Azurite.
  forceExit: true,
};
