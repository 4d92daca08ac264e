import { browserTestMode } from './chromium';

/**
 * Once per `jest` run, before any test file: when the browser tests are part of the run (the
 * whole suite, or a path naming test/e2e) and will be skipped for want of Chromium, say so in
 * one line, not once per file.
 */
export default function globalSetup(globalConfig: { nonFlagArgs: readonly string[] }): void {
  const mode = browserTestMode();
  if (mode.kind !== 'skip') return;
  const args = globalConfig.nonFlagArgs;
  if (args.length > 0 && !args.some((arg) => arg.includes('e2e'))) return;
  process.stderr.write(`\n${mode.reason}\n\n`);
}
