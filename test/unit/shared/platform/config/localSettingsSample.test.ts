import { readFileSync } from 'node:fs';
import path from 'node:path';
import { settingNames } from '../../../../../shared/platform/config/settingsSchema';

describe('local.settings.sample.json', () => {
  const sample = JSON.parse(readFileSync(path.join(__dirname, '../../../../../local.settings.sample.json'), 'utf8')) as {
    Values: Record<string, string>;
  };

  it('lists every setting the config schema reads, so a developer sees them all', () => {
    const missing = settingNames.filter((name) => !(name in sample.Values));
    expect(missing).toEqual([]);
  });

  it('names no setting the app does not read', () => {
    const hostOnly = new Set(['FUNCTIONS_WORKER_RUNTIME']);
    const unknown = Object.keys(sample.Values).filter((name) => !hostOnly.has(name) && !(settingNames as string[]).includes(name));
    expect(unknown).toEqual([]);
  });
});
