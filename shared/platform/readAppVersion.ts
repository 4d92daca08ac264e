import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const packageSchema = z.object({ name: z.string(), version: z.string().max(64) });

/**
 * The app's version from its package.json, the nearest one above `fromDirectory` named
 * `name`: the sources sit one folder below it, the build (`dist/…`) and the deployed package
 * two. `unknown` when none is found, so a health answer never fails for it.
 */
export function readAppVersion(init: { fromDirectory: string; name: string }): string {
  for (let directory = init.fromDirectory; ; directory = dirname(directory)) {
    try {
      const parsed = packageSchema.safeParse(JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as unknown);
      if (parsed.success && parsed.data.name === init.name) return parsed.data.version;
    } catch {
      // No package.json here (or not JSON): look one folder up.
    }
    if (dirname(directory) === directory) return 'unknown';
  }
}
