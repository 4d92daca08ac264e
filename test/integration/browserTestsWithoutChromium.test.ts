import { execFile } from 'node:child_process';
import path from 'node:path';
import { browserTestMode, isCi } from '../support/chromium';

const root = path.join(__dirname, '../..');
const MISSING = '/nonexistent/chromium';

/** `jest test/e2e` as a fresh run, with CHROMIUM_PATH pointing nowhere. */
function runBrowserTests(ci: string | undefined): Promise<{ code: number; output: string }> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && name !== 'CI' && !name.startsWith('JEST_')) env[name] = value;
  }
  env.CHROMIUM_PATH = MISSING;
  if (ci !== undefined) env.CI = ci;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'node_modules/jest/bin/jest.js'), 'test/e2e'],
      { cwd: root, env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('the browser tests on a machine without Chromium', () => {
  it('outside CI: skipped, with one line that says why and how to run them', async () => {
    const run = await runBrowserTests(undefined);
    expect(run.code).toBe(0);
    const lines = run.output.split('\n').filter((line) => line.includes('Browser tests (test/e2e) skipped'));
    expect(lines).toEqual([
      `Browser tests (test/e2e) skipped: no Chromium at ${MISSING}; to run them, install it (apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary.`,
    ]);
    expect(run.output).toMatch(/Tests:\s+\d+ skipped, \d+ total/);
  }, 120_000);

  it('with CI=true: the run fails, saying Chromium is required', async () => {
    const run = await runBrowserTests('true');
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(`CI=true: the browser tests (test/e2e) need Chromium, and there is none at ${MISSING}`);
  }, 120_000);

  it('reads CI and CHROMIUM_PATH as CI services set them', () => {
    expect([undefined, '', '0', 'false', 'FALSE'].map((value) => isCi({ CI: value }))).toEqual([false, false, false, false, false]);
    expect(['true', '1', 'yes'].map((value) => isCi({ CI: value }))).toEqual([true, true, true]);
    expect(browserTestMode({ CHROMIUM_PATH: '/opt/chrome' }, (file) => file === '/opt/chrome')).toEqual({
      kind: 'run',
      chromium: '/opt/chrome',
    });
    expect(browserTestMode({}, (file) => file === '/usr/bin/chromium')).toEqual({ kind: 'run', chromium: '/usr/bin/chromium' });
  });
});
