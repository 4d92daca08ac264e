import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

type Env = Readonly<Record<string, string | undefined>>;

/** Where the browser tests look: CHROMIUM_PATH when set, else Debian's package. */
export function chromiumPath(env: Env = process.env): string {
  return env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** CI as the CI services (and .ci/run) set it: any value but empty, 0 or false. */
export function isCi(env: Env = process.env): boolean {
  const value = (env.CI ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false';
}

export type BrowserTestMode =
  | { kind: 'run'; chromium: string }
  /** Outside CI without a browser: skipped, with `reason` said once per run. */
  | { kind: 'skip'; reason: string }
  /** In CI a browser is required: the run fails with `reason`. */
  | { kind: 'fail'; reason: string };

export function browserTestMode(env: Env = process.env, exists: (file: string) => boolean = existsSync): BrowserTestMode {
  const chromium = chromiumPath(env);
  if (exists(chromium)) return { kind: 'run', chromium };
  const how = `install it (apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary`;
  if (isCi(env))
    return { kind: 'fail', reason: `CI=true: the browser tests (test/e2e) need Chromium, and there is none at ${chromium}; ${how}` };
  return { kind: 'skip', reason: `Browser tests (test/e2e) skipped: no Chromium at ${chromium}; to run them, ${how}.` };
}

/**
 * `describe` for a browser test: the body gets the Chromium to launch. Without one it is
 * skipped outside CI (the global setup says so, once) and fails in CI.
 */
export function describeInChromium(name: string, body: (chromium: string) => void): void {
  const mode = browserTestMode();
  if (mode.kind === 'run') describe(name, () => body(mode.chromium));
  else if (mode.kind === 'skip') describe.skip(name, () => body(''));
  else
    describe(name, () => {
      it('has a Chromium to run in', () => {
        throw new Error(mode.reason);
      });
    });
}

/** Headless Chromium as every browser test runs it: no sandbox (containers), nothing fetched in the background. */
export function launchChromium(executable: string): Promise<Browser> {
  return chromium.launch({
    executablePath: executable,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
